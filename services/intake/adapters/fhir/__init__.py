"""FHIR R4 Claim as a way into intake: parsed with fhir.resources, mapped onto the Encounter contract."""

from services.intake.adapters.fhir.claim_mapping import claim_to_encounter, parse_claim

__all__ = ["claim_to_encounter", "parse_claim"]
