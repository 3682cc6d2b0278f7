"""Denials: service_layer."""
