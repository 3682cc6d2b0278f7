"""The console's settings, from the environment (the same names the stack writes to stack.env)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE_NAMES = ("intake", "coding", "submission", "remittance", "denials")


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    admin_token: str = ""
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_namespace: str = ""
    intake_url: str = "http://127.0.0.1:8001"
    coding_url: str = "http://127.0.0.1:8002"
    submission_url: str = "http://127.0.0.1:8003"
    remittance_url: str = "http://127.0.0.1:8004"
    denials_url: str = "http://127.0.0.1:8005"
    http_host: str = "127.0.0.1"
    console_port: int = 8010
    log_level: str = "INFO"
    # Sessions (services/console/domain/sessions.py): at most 8 hours, ended by 30 idle minutes.
    console_session_seconds: int = Field(default=8 * 3600, ge=1)
    console_idle_seconds: int = Field(default=30 * 60, ge=1)
    # Secure cookies need HTTPS; only a developer's plain-HTTP stack on 127.0.0.1 turns this off.
    console_secure_cookie: bool = True
    # Five wrong tokens within five minutes from one address lock it out for five minutes.
    console_login_attempts: int = Field(default=5, ge=1)
    console_login_window_seconds: int = Field(default=300, ge=1)
    console_login_lockout_seconds: int = Field(default=300, ge=1)

    def service_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICE_NAMES}
