"""Intake: domain."""
