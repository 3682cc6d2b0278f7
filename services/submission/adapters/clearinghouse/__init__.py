"""Clearinghouse adapters: one interface, an HTTP adapter (the simulator) and an X12-over-SFTP adapter."""

from services.submission.adapters.clearinghouse.interface import (
    ClearinghouseAdapter,
    ClearinghouseRefused,
    ClearinghouseUnavailable,
    InboundAcknowledgement,
    OutboundBatch,
    SubmissionReceipt,
)

__all__ = [
    "ClearinghouseAdapter",
    "ClearinghouseRefused",
    "ClearinghouseUnavailable",
    "InboundAcknowledgement",
    "OutboundBatch",
    "SubmissionReceipt",
]
