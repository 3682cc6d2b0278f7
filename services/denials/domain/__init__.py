"""Denials: domain."""
