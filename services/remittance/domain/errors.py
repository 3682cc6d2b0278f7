"""Domain errors of the remittance core; the edges turn them into problem+json or dead letters."""

from __future__ import annotations

from shared.x12.tokenizer import X12SyntaxError


class EraParseError(X12SyntaxError):
    """An 835 we refuse to read: names the segment (0-based index from ISA, and id) and the reason.

    Messages name elements (CLP03), never their values, so no PHI can leak through a log line.
    """


class ReversalMismatchError(ValueError):
    """A CLP02=22 reversal does not mirror the posting it claims to reverse."""
