"""Coding: entrypoints."""
