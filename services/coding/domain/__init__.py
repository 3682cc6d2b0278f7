"""Coding: domain."""
