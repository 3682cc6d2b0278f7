"""Submission's transport settings: batching limits, the clearinghouses and which payers go where.

SUBMISSION_CLEARINGHOUSES is a JSON object of named clearinghouses, each {"kind": "http", "url"} or
{"kind": "sftp", "host", "port", "username", "client_key_path", "known_hosts_path", folders...};
the simulator (the service setting clearinghouse_url) is always there as "simulator". SUBMISSION_PAYER_ROUTES maps a
payer id to a clearinghouse name; other payers go to SUBMISSION_DEFAULT_CLEARINGHOUSE.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.submission.adapters.clearinghouse.http import HttpClearinghouse
from services.submission.adapters.clearinghouse.interface import ClearinghouseAdapter
from services.submission.adapters.clearinghouse.sftp import SftpClearinghouse, SftpEndpoint
from services.submission.domain.batch import BatchRules
from services.submission.domain.send_backoff import Backoff

SIMULATOR = "simulator"


class TransportSettings(BaseSettings):
    """Environment: SUBMISSION_* variables, and the test-only fault hook."""

    model_config = SettingsConfigDict(env_prefix="SUBMISSION_", extra="ignore", populate_by_name=True)

    batch_max_claims: int = Field(default=500, ge=1, le=5000, description="claims per 837 interchange")
    batch_max_age_seconds: float = Field(default=0.5, ge=0, description="longest a claim waits for company")
    retry_base_seconds: float = Field(default=1.0, gt=0)
    retry_cap_seconds: float = Field(default=300.0, gt=0)
    ack_pickup_seconds: float = Field(default=2.0, gt=0, description="how often SFTP outbound folders are read")
    clearinghouses: dict[str, dict[str, Any]] = Field(default_factory=dict)
    payer_routes: dict[str, str] = Field(default_factory=dict)
    default_clearinghouse: str = SIMULATOR
    # Test-only: exit the process right after a clearinghouse took a batch, before 'sent' is recorded.
    fault_crash_after_send: bool = Field(default=False, validation_alias=AliasChoices(
        "CLAIMLINE_FAULT_CRASH_AFTER_SEND", "fault_crash_after_send"))

    @property
    def batch_rules(self) -> BatchRules:
        return BatchRules(self.batch_max_claims, dt.timedelta(seconds=self.batch_max_age_seconds))

    @property
    def backoff(self) -> Backoff:
        return Backoff(self.retry_base_seconds, self.retry_cap_seconds)

    def clearinghouse_for(self, payer_id: str) -> str:
        """The clearinghouse a payer's claims go to."""
        return self.payer_routes.get(payer_id, self.default_clearinghouse)


def build_adapters(settings: TransportSettings, simulator_url: str) -> dict[str, ClearinghouseAdapter]:
    """One adapter per configured clearinghouse, the simulator (the service's clearinghouse_url) included."""
    adapters: dict[str, ClearinghouseAdapter] = {SIMULATOR: HttpClearinghouse(simulator_url, SIMULATOR)}
    for name, config in settings.clearinghouses.items():
        options = {k: v for k, v in config.items() if k != "kind"}
        if config.get("kind") == "http":
            adapters[name] = HttpClearinghouse(options["url"], name)
        elif config.get("kind") == "sftp":
            adapters[name] = SftpClearinghouse(name, SftpEndpoint(**options))
        else:
            raise ValueError(f"clearinghouse {name}: kind must be http or sftp")
    for payer, name in {**settings.payer_routes, "": settings.default_clearinghouse}.items():
        if name not in adapters:
            raise ValueError(f"payer route {payer or 'default'} names unknown clearinghouse {name}")
    return adapters
