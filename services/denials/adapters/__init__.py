"""Denials: adapters."""
