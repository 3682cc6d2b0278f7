"""The library's mechanics: versioning, effective dates, severities, payer settings, no PHI in findings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from services.submission.domain.scrubber import (
    LIBRARY,
    Edit,
    EditLibrary,
    PayerSettings,
    PayerSettingsBook,
    ScrubContext,
    bundled_payer_settings,
)
from services.submission.domain.scrubber.library import EDIT_ID
from shared.contracts.encounter import Encounter
from tests.unit.scrubber.scrub_claims import PAYERS, TODAY, clean_claim, days_ago, scrub

FIRST = dt.date(2026, 1, 1)


def _always(_claim: object, _context: object) -> list[str]:
    return ["/date_of_service"]


def always_firing(effective_from: dt.date = FIRST, effective_to: dt.date | None = None) -> Edit:
    return Edit("SCR-TST-001", "error", "Always fires.", "Nothing to do.", "/date_of_service", effective_from,
                effective_to, _always)


def test_a_clean_claim_passes_every_edit_validated_or_not() -> None:
    context = ScrubContext(today=TODAY, payer_settings=PAYERS)
    for encounter in (Encounter.model_validate(clean_claim()), Encounter.model_construct(**clean_claim()),
                      clean_claim()):
        result = LIBRARY.scrub(encounter, context)
        assert result.findings == ()
        assert not result.blocks_submission
        assert result.library_version == LIBRARY.version


def test_warnings_are_kept_but_do_not_block() -> None:
    result = scrub(lambda claim: claim.update(date_of_service=days_ago(358), diagnoses=["S72.001S", "I10"]))
    assert {f.edit_id for f in result.warnings} == {"SCR-TFL-002", "SCR-DX-004"}
    assert result.errors == ()
    assert not result.blocks_submission


def test_one_error_blocks_and_every_finding_is_reported() -> None:
    result = scrub(lambda claim: claim.update(date_of_service=days_ago(730), diagnoses=["S72.001S", "S72.001S"]))
    assert [f.edit_id for f in result.findings] == ["SCR-DX-001", "SCR-DX-004", "SCR-TFL-001"]
    assert result.blocks_submission


@pytest.mark.parametrize(("effective_from", "effective_to", "fires"), [
    (TODAY, None, True),
    (TODAY + dt.timedelta(days=1), None, False),
    (FIRST, TODAY, True),
    (FIRST, TODAY - dt.timedelta(days=1), False),
])
def test_an_edit_runs_only_while_in_effect(effective_from: dt.date, effective_to: dt.date | None,
                                           fires: bool) -> None:
    library = EditLibrary("test", (always_firing(effective_from, effective_to),))
    result = library.scrub(clean_claim(), ScrubContext(today=TODAY))
    assert bool(result.findings) is fires


def test_the_library_is_well_formed() -> None:
    assert LIBRARY.version
    for edit in LIBRARY.edits:
        assert EDIT_ID.match(edit.edit_id)
        assert edit.severity in {"error", "warning"}
        assert edit.message.endswith(".") and edit.fix_hint.endswith(".")
        assert edit.pointer == "" or edit.pointer.startswith("/")
        assert edit.in_effect(TODAY)


@pytest.mark.parametrize("broken", [
    lambda: EditLibrary("v", (always_firing(), always_firing())),
    lambda: dataclasses.replace(always_firing(), edit_id="NPI-1"),
    lambda: always_firing(effective_from=TODAY, effective_to=TODAY - dt.timedelta(days=1)),
])
def test_a_malformed_library_is_refused(broken) -> None:
    with pytest.raises(ValueError):
        broken()


def test_findings_never_carry_the_values_they_point_at() -> None:
    birth = days_ago(-400)
    result = scrub(lambda claim: claim["patient"].update(date_of_birth=birth))
    assert [f.edit_id for f in result.findings] == ["SCR-DOB-001"]
    text = json.dumps([dataclasses.asdict(f) for f in result.findings])
    assert birth not in text and birth.replace("-", "") not in text


def test_payer_settings_default_and_override() -> None:
    book = PayerSettingsBook.from_json({"default": {"timely_filing_days": 90},
                                        "payers": {"P1": {"timely_filing_warning_days": 5}}})
    assert book.for_payer("P1") == PayerSettings(timely_filing_days=90, timely_filing_warning_days=5)
    assert book.for_payer("OTHER") == PayerSettings(timely_filing_days=90)
    assert PayerSettingsBook().for_payer(None).timely_filing_days == 365


@pytest.mark.parametrize("document", [
    {"default": {"timely_filing_limit": 90}},
    {"payers": {"P1": {"timely_filing_days": 0}}},
])
def test_payer_settings_refuse_unknown_or_impossible_values(document: dict) -> None:
    with pytest.raises(ValueError):
        PayerSettingsBook.from_json(document)


def test_the_bundled_payer_settings_load() -> None:
    book = bundled_payer_settings()
    assert book.default.timely_filing_days == 365
    assert book.for_payer("SIMPAY").timely_filing_days == 365
