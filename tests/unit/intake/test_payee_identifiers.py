"""Payee identifiers a tenant registers: NPIs with their check digit, nine-digit tax ids, errors by position."""

from __future__ import annotations

import pytest

from services.intake.domain.payees import (
    InvalidPayeeIdentifier,
    PayeeIdentifiers,
    PayeeIdentifierTaken,
    payee_identifiers,
)


def test_valid_identifiers_are_kept_once_and_tax_ids_lose_their_hyphen() -> None:
    found = payee_identifiers(["1234567893", " 1234567893 "], ["37-1234567", "371234567"])
    assert found == PayeeIdentifiers(frozenset({"1234567893"}), frozenset({"371234567"}))
    assert found.pairs() == {("npi", "1234567893"), ("tin", "371234567")}


def test_every_invalid_identifier_is_named_at_once_by_position_never_by_value() -> None:
    with pytest.raises(InvalidPayeeIdentifier) as refused:
        payee_identifiers(["1234567893", "1234567890", "12345"], ["37123456", "12345678X"])
    message = str(refused.value)
    assert message == ("npis[1] is not a 10-digit NPI with its check digit; npis[2] is not a 10-digit NPI with "
                       "its check digit; tins[0] is not a 9-digit tax id; tins[1] is not a 9-digit tax id")
    assert "37123456" not in message  # a sole practitioner's tax id may be a social security number


def test_a_taken_identifier_is_named_without_the_tenant_holding_it() -> None:
    taken = PayeeIdentifierTaken({("tin", "371234567"), ("npi", "1234567893")})
    assert str(taken) == "already registered to another tenant: NPI 1234567893, TIN 371234567"


def test_sets_combine_for_an_addition() -> None:
    one = payee_identifiers(["1234567893"], [])
    two = payee_identifiers([], ["371234567"])
    assert (one | two).pairs() == {("npi", "1234567893"), ("tin", "371234567")}
