"""Submission: adapters."""
