"""X12 837P (005010X222A1) files as a way into intake: one Encounter per CLM."""

from services.intake.adapters.x12_837.claim_mapping import ClaimReading, encounter_from, read_837p
from services.intake.adapters.x12_837.structure import X12DocumentUnreadable, read_claim_loops

__all__ = ["ClaimReading", "X12DocumentUnreadable", "encounter_from", "read_837p", "read_claim_loops"]
