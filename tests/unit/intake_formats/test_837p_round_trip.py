"""Round trips through the project's own 837P writer: every field the 837P carries comes back unchanged."""

from __future__ import annotations

import datetime as dt

from services.intake.adapters.x12_837 import read_837p
from services.submission.domain import BillableClaim, ClaimFrequency, write_837p
from shared.contracts.encounter import Encounter
from tests.support.encounters import example_encounter
from tests.unit.submission.claim_corpus import corpus_claims, interchange_header

from .carried_by_837p import CARRIED, NOT_CARRIED, carried_view, kept_other_coverages
from .test_x12_837_reader import fixture_text


def billable(encounter: Encounter, control_number: str) -> BillableClaim:
    return BillableClaim(patient_control_number=control_number, frequency_code=ClaimFrequency.ORIGINAL,
                         encounter=encounter,
                         line_control_numbers=[f"{control_number}-{n}" for n in range(len(encounter.service_lines))])


def expected_view(claim: BillableClaim) -> dict[str, object]:
    """The original as the reader can give it back: CLM01 as its id, other coverages a reader can keep."""
    original = claim.encounter
    kept = original.model_copy(update={"external_id": claim.patient_control_number,
                                       "coverages": [original.primary_coverage, *kept_other_coverages(original)]})
    return carried_view(kept)


def test_the_comparison_lists_what_is_and_is_not_carried() -> None:
    assert "service_lines.procedure_code/modifiers/charge/units/diagnosis_pointers" in CARRIED
    assert any(field.startswith("clinical_note") for field in NOT_CARRIED)


def test_the_example_encounter_survives_a_round_trip() -> None:
    original = Encounter.model_validate(example_encounter())
    claim = billable(original, "PCN-EXAMPLE-1")
    [reading] = read_837p(write_837p(interchange_header(), [claim]))
    assert reading.encounter is not None, reading.errors
    assert carried_view(reading.encounter) == expected_view(claim)
    # the fields a practice sees in the claim summary are exactly the original's
    assert (reading.encounter.primary_coverage.payer.payer_id, reading.encounter.total_charge,
            reading.encounter.date_of_service) == (original.primary_coverage.payer.payer_id, original.total_charge,
                                                   original.date_of_service)


def test_a_corpus_of_varied_claims_survives_a_round_trip() -> None:
    claims = [claim for claim in corpus_claims(150) if claim.frequency_code is ClaimFrequency.ORIGINAL]
    readings = {r.external_id: r for r in read_837p(write_837p(interchange_header(), claims))}
    assert len(readings) == len(claims) == 90
    left_out = 0
    for claim in claims:
        reading = readings[claim.patient_control_number]
        assert reading.encounter is not None, reading.errors
        assert carried_view(reading.encounter) == expected_view(claim), claim.patient_control_number
        others = len(claim.encounter.coverages) - 1
        left_out += others - len(kept_other_coverages(claim.encounter))
        assert len(reading.warnings) == others - len(kept_other_coverages(claim.encounter))
    assert left_out > 0  # the corpus does exercise other subscribers the 837P cannot fully describe


def test_an_inbound_file_read_written_and_read_again_is_unchanged() -> None:
    first = [r.encounter for r in read_837p(fixture_text())]
    assert all(first)
    claims = [billable(encounter, encounter.external_id) for encounter in first if encounter is not None]
    again = {r.external_id: r.encounter for r in read_837p(write_837p(interchange_header(), claims))}
    for encounter in first:
        assert encounter is not None
        read_back = again[encounter.external_id]
        assert read_back is not None and carried_view(read_back) == carried_view(encounter)
        assert read_back.date_of_service >= dt.date(2026, 10, 14)
