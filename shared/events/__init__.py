"""Claim events: the CloudEvents envelope on Kafka and the typed, versioned contracts inside it."""
