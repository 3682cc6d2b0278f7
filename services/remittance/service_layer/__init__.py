"""Remittance: service_layer."""
