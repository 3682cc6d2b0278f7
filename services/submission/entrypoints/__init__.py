"""Submission: entrypoints."""
