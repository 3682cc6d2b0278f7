"""Coding: adapters."""
