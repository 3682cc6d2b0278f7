"""Intake: service_layer."""
