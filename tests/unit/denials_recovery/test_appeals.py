"""Appeal deadlines, sending rules and outcomes (services/denials/domain/appeals.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from services.denials.domain.appeals import (
    AppealDeadlinePassed,
    AppealNotSendable,
    appeal_deadline,
    check_sendable,
    outcome_of_payment,
)

DENIED = dt.date(2026, 3, 2)
TABLE = {"default": {"first": 180, "second": 60, "external": 120},
         "payers": {"MEDICARE": {"first": 120, "second": 180, "external": 60}}}


@pytest.mark.parametrize(("payer", "level", "deadline", "rule"), [
    ("MEDICARE", "first", dt.date(2026, 6, 30), "MEDICARE first-level appeal: 120 days"),
    ("MEDICARE", "second", dt.date(2026, 8, 29), "MEDICARE second-level appeal: 180 days"),
    ("ACME", "first", dt.date(2026, 8, 29), "default first-level appeal: 180 days"),
    ("ACME", "external", dt.date(2026, 6, 30), "default external-level appeal: 120 days"),
])
def test_the_deadline_counts_from_the_denial_by_payer_and_level(payer, level, deadline, rule) -> None:
    result = appeal_deadline(payer, level, DENIED, TABLE)
    assert (result.deadline, result.rule) == (deadline, rule)


def test_the_bundled_table_gives_a_medicare_style_redetermination_window() -> None:
    assert appeal_deadline("SIMDNY", "first", DENIED).days == 120
    assert appeal_deadline("ANYONE", "first", DENIED).days == 180


@pytest.mark.parametrize(("today", "override", "late"), [
    (dt.date(2026, 6, 30), None, False),  # the deadline day itself is in time
    (dt.date(2026, 7, 1), "payer granted an extension by phone", True),
])
def test_sending_in_time_or_late_with_an_override(today, override, late) -> None:
    assert check_sendable("drafted", dt.date(2026, 6, 30), today, override) is late


@pytest.mark.parametrize("override", [None, "", "   "])
def test_sending_late_without_an_override_is_refused(override) -> None:
    with pytest.raises(AppealDeadlinePassed) as refused:
        check_sendable("drafted", dt.date(2026, 6, 30), dt.date(2026, 7, 1), override)
    assert refused.value.status == 409 and refused.value.extensions == {"deadline": "2026-06-30"}


def test_only_a_drafted_appeal_is_sent() -> None:
    with pytest.raises(AppealNotSendable):
        check_sendable("sent", dt.date(2026, 6, 30), dt.date(2026, 6, 1), None)


@pytest.mark.parametrize(("appealed", "paid", "outcome"), [
    (Decimal("227.00"), Decimal("227.00"), ("won", Decimal("227.00"))),
    (Decimal("227.00"), Decimal("100.00"), ("partially_won", Decimal("100.00"))),
    (Decimal("227.00"), Decimal("0.00"), None),
])
def test_a_later_payment_decides_a_sent_appeal(appealed, paid, outcome) -> None:
    assert outcome_of_payment(appealed, paid) == outcome


def test_a_deployment_can_configure_its_own_appeal_windows(tmp_path, monkeypatch) -> None:
    from services.denials.service_layer.policy import DenialsPolicy

    table = tmp_path / "deadlines.json"
    table.write_text('{"default": {"first": 90, "second": 60, "external": 120}, "payers": {"ACME": '
                     '{"first": 30, "second": 30, "external": 30}}}')
    monkeypatch.setenv("DENIALS_APPEAL_DEADLINES_FILE", str(table))
    policy = DenialsPolicy.from_environment()
    assert appeal_deadline("ACME", "first", DENIED, policy.appeal_deadlines).days == 30
    assert appeal_deadline("OTHER", "first", DENIED, policy.appeal_deadlines).days == 90
    monkeypatch.delenv("DENIALS_APPEAL_DEADLINES_FILE")
    assert appeal_deadline("OTHER", "first", DENIED, DenialsPolicy.from_environment().appeal_deadlines).days == 180
