"""Intake: adapters."""
