"""Domain error base: messages are written to be safe to log and show (ids and codes, never PHI)."""


class DomainError(Exception):
    """A business rule said no; the edge turns it into a problem+json or a dead letter."""
