"""Remittance: entrypoints."""
