"""Remittance: adapters."""
