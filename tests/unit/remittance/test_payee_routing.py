"""An 835 goes to the tenant paid under the payee it names (N1*PE NPI or tax id, REF*TJ), or to nobody."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.era.generate import era_file
from services.remittance.domain.era_parser import parse_835
from services.remittance.domain.payee_routing import Payee, Route, payee_of, route

NPI, OTHER_NPI, TIN, OTHER_TIN = "1234567893", "1987654328", "371234567", "431234567"
STANDARD_PAYEE = "N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*1234567893~\nREF*TJ*371234567~"


def payee_named(segments: str) -> Payee:
    """The payee of a one-claim 835 whose 1000B loop is `segments` (two segments: SE01 counts them)."""
    text = era_file(1, dt.date(2026, 11, 20)).replace(STANDARD_PAYEE, segments)
    return payee_of(parse_835(text)[0])


@pytest.mark.parametrize(("segments", "expected"), [
    (STANDARD_PAYEE, Payee("SPRINGFIELD FAMILY MEDICINE", NPI, TIN)),
    ("N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*1234567893~\nREF*PQ*PAYEE01~",
     Payee("SPRINGFIELD FAMILY MEDICINE", NPI, None)),  # a payer's own payee id is not registered anywhere
    ("N1*PE*SPRINGFIELD FAMILY MEDICINE*FI*37-1234567~\nREF*PQ*PAYEE01~",
     Payee("SPRINGFIELD FAMILY MEDICINE", None, TIN)),
    ("N1*PE*SPRINGFIELD FAMILY MEDICINE*FI*371234567~\nREF*TJ*431234567~",
     Payee("SPRINGFIELD FAMILY MEDICINE", None, TIN)),  # N1*PE's own tax id before REF*TJ
])
def test_the_payee_is_read_from_n1_pe_and_ref_tj(segments: str, expected: Payee) -> None:
    assert payee_named(segments) == expected


def test_one_tenant_named_by_any_identifier_gets_the_era() -> None:
    owners = {("npi", NPI): "practice-a", ("tin", TIN): "practice-a"}
    assert route(Payee("A", NPI, TIN), owners) == Route("practice-a")
    assert route(Payee("A", NPI, OTHER_TIN), owners) == Route("practice-a")  # the tax id nobody registered
    assert route(Payee("A", OTHER_NPI, TIN), owners) == Route("practice-a")  # a group's new NPI


def test_a_payee_nobody_registered_goes_to_the_operator_queue_naming_its_identifiers() -> None:
    assert route(Payee("A", OTHER_NPI, OTHER_TIN), {("npi", NPI): "practice-a"}) == Route(
        None, "payee not registered by any tenant: NPI 1987654328, TIN 431234567")
    assert route(Payee("A", None, None), {}) == Route(
        None, "payee not registered by any tenant: the ERA names no NPI or tax id")


def test_identifiers_of_two_tenants_route_to_neither_and_never_name_them() -> None:
    routed = route(Payee("A", NPI, TIN), {("npi", NPI): "practice-a", ("tin", TIN): "practice-b"})
    assert routed == Route(None, "payee identifiers belong to different tenants: NPI 1234567893, TIN 371234567")
    assert "practice" not in (routed.reason or "")
