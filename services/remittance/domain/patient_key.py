"""A patient's key: names a patient of a tenant in URLs, logs and events without the account number (PHI)."""

from __future__ import annotations

import hashlib

PATIENT_KEY_LENGTH = 32


def patient_key(tenant_id: str, account_number: str) -> str:
    """SHA-256 of tenant and patient account number, first 128 bits in hex: stable, and unique in practice."""
    digest = hashlib.sha256(f"claimline-patient\x00{tenant_id}\x00{account_number}".encode()).hexdigest()
    return digest[:PATIENT_KEY_LENGTH]
