"""Kafka plumbing: event store and outbox tables, the relay, idempotent consumers, dead letters."""
