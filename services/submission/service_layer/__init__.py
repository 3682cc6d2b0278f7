"""Submission: service_layer."""
