"""Clearinghouse simulator settings, from the environment."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PAYERS_FILE = Path(__file__).with_name("payers.json")


class ClearinghouseSettings(BaseSettings):
    """Environment: WEBHOOK_SECRET and CLEARINGHOUSE_* variables."""

    model_config = SettingsConfigDict(env_prefix="CLEARINGHOUSE_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = 8090
    webhook_secret: SecretStr = Field(
        validation_alias=AliasChoices("WEBHOOK_SECRET", "webhook_secret"),
        description="Standard Webhooks secret, whsec_<base64> or a plain string",
    )
    ack_webhook_url: str = Field(description="receives x12.999 and x12.277ca (submission service)")
    era_webhook_url: str = Field(description="receives x12.835 (remittance service)")
    payers_file: Path = DEFAULT_PAYERS_FILE
    adjudication_delay_seconds: float = Field(default=0.2, ge=0)
    webhook_retry_initial_seconds: float = Field(default=0.2, gt=0)
    webhook_retry_max_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_window_seconds: float = Field(default=600.0, ge=0, description="give up after this long")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
