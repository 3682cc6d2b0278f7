"""Denials' tunable rules, read once from the environment in the composition root."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from services.denials.domain.appeals import deadline_table


@dataclass(frozen=True)
class DenialsPolicy:
    write_off_approval_limit: Decimal = Decimal("500.00")  # above it a second person approves
    scrubber_proposal_threshold: int = 3  # same payer, procedure and CARC this many times proposes an edit
    sla_days: int = 5  # a new denial should be worked within this many days
    deadline_alert_days: int = 14  # alert once an appeal deadline is this close
    deadline_scan_seconds: float = 60.0
    coding_url: str = ""
    # appeal windows per payer and level; the bundled table unless DENIALS_APPEAL_DEADLINES_FILE names another
    appeal_deadlines: dict[str, Any] = field(default_factory=deadline_table)

    @classmethod
    def from_environment(cls) -> DenialsPolicy:
        """DENIALS_WRITE_OFF_APPROVAL_LIMIT, DENIALS_SCRUBBER_PROPOSAL_THRESHOLD, DENIALS_SLA_DAYS,
        DENIALS_DEADLINE_ALERT_DAYS, DENIALS_DEADLINE_SCAN_SECONDS, DENIALS_APPEAL_DEADLINES_FILE (same shape as
        domain/appeal_deadlines.json) and CODING_URL, each optional."""
        env = os.environ.get
        deadlines_file = env("DENIALS_APPEAL_DEADLINES_FILE")
        return cls(write_off_approval_limit=Decimal(env("DENIALS_WRITE_OFF_APPROVAL_LIMIT", "500.00")),
                   scrubber_proposal_threshold=int(env("DENIALS_SCRUBBER_PROPOSAL_THRESHOLD", "3")),
                   sla_days=int(env("DENIALS_SLA_DAYS", "5")),
                   deadline_alert_days=int(env("DENIALS_DEADLINE_ALERT_DAYS", "14")),
                   deadline_scan_seconds=float(env("DENIALS_DEADLINE_SCAN_SECONDS", "60")),
                   coding_url=env("CODING_URL", ""),
                   appeal_deadlines=json.loads(Path(deadlines_file).read_text()) if deadlines_file
                   else deadline_table())
