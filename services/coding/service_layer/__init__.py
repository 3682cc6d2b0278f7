"""Coding: service_layer."""
