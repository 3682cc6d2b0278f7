"""The console's settings, from the environment (the same names the stack writes to stack.env)."""

from __future__ import annotations

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

    def service_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICE_NAMES}
