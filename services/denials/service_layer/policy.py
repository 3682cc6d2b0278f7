"""Denials' tunable rules, read once from the environment in the composition root."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DenialsPolicy:
    write_off_approval_limit: Decimal = Decimal("500.00")  # above it a second person approves
    scrubber_proposal_threshold: int = 3  # same payer, procedure and CARC this many times proposes an edit
    sla_days: int = 5  # a new denial should be worked within this many days
    deadline_alert_days: int = 14  # alert once an appeal deadline is this close
    deadline_scan_seconds: float = 60.0
    coding_url: str = ""

    @classmethod
    def from_environment(cls) -> DenialsPolicy:
        """DENIALS_WRITE_OFF_APPROVAL_LIMIT, DENIALS_SCRUBBER_PROPOSAL_THRESHOLD, DENIALS_SLA_DAYS,
        DENIALS_DEADLINE_ALERT_DAYS, DENIALS_DEADLINE_SCAN_SECONDS and CODING_URL, each optional."""
        env = os.environ.get
        return cls(write_off_approval_limit=Decimal(env("DENIALS_WRITE_OFF_APPROVAL_LIMIT", "500.00")),
                   scrubber_proposal_threshold=int(env("DENIALS_SCRUBBER_PROPOSAL_THRESHOLD", "3")),
                   sla_days=int(env("DENIALS_SLA_DAYS", "5")),
                   deadline_alert_days=int(env("DENIALS_DEADLINE_ALERT_DAYS", "14")),
                   deadline_scan_seconds=float(env("DENIALS_DEADLINE_SCAN_SECONDS", "60")),
                   coding_url=env("CODING_URL", ""))
