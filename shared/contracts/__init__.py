"""Typed, versioned contracts shared between services: the encounter and the claim events."""
