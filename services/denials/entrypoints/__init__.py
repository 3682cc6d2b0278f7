"""Denials: entrypoints."""
