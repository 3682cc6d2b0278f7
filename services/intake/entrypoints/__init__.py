"""Intake: entrypoints."""
