"""Settings every service reads from the environment (pydantic-settings)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# What a service process runs: its HTTP API, its workers (consumers, outbox relay, loops), or both.
ProcessRole = Literal["api", "worker", "all"]


class KafkaSecuritySettings(BaseSettings):
    """How a process authenticates to Kafka and checks the broker's certificate (all clients of a process alike).

    PLAINTEXT is for the local stack only; a deployment sets SASL_SSL with its own SCRAM user per service,
    so the broker's ACLs know who writes each topic (deploy/README.md, "what the broker must enforce")."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    kafka_sasl_username: str = Field(default="", description="this service's SCRAM user, e.g. claimline-coding")
    kafka_sasl_password: SecretStr = SecretStr("")
    kafka_ssl_cafile: str = Field(default="", description="PEM bundle of the CA that signed the brokers' "
                                  "certificates; empty: the system's trust store")
    kafka_ssl_certfile: str = Field(default="", description="client certificate (PEM) for mutual TLS, optional")
    kafka_ssl_keyfile: str = Field(default="", description="its private key (PEM)")


class TenantEventKeySettings(BaseSettings):
    """The Ed25519 keys that sign tenants-topic events (shared/tenant_event_signing.py).

    Only intake holds the private key; every service lists the public keys it trusts, more than one
    while a key is being rotated (deploy/README.md, "Rotate the tenant-event signing key")."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    tenant_events_signing_key: SecretStr = Field(default=SecretStr(""), description="intake only: base64url of "
                                                 "the 32-byte Ed25519 seed that signs tenants-topic events")
    tenant_events_trusted_keys: str = Field(default="", description="base64url Ed25519 public keys, separated "
                                            "by spaces or commas, whose signatures on tenants-topic events count")


class ServiceSettings(KafkaSecuritySettings, TenantEventKeySettings):
    """What a service process needs to reach PostgreSQL, Kafka and its peers."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    database_url: str = Field(description="postgresql+asyncpg://user@host:port/db")
    kafka_bootstrap: str = Field(description="host:port[,host:port]")
    kafka_namespace: str = Field(default="", description="prefix of every topic and consumer group name")
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    webhook_secret: str = Field(default="", description="Standard Webhooks secret shared with the clearinghouse")
    clearinghouse_url: str = "http://127.0.0.1:8090"
    consumer_max_attempts: int = Field(default=3, ge=1, description="tries before a message is dead-lettered")
    consumer_batch_size: int = Field(default=500, ge=1)
    relay_batch_size: int = Field(default=500, ge=1)
    relay_idle_seconds: float = Field(default=5.0, gt=0, description="the relay wakes on a NOTIFY from each outbox "
                                      "insert; this is only the longest wait should a notification be lost")
    max_in_flight_requests: int = Field(default=128, ge=1, description="requests one process works on at once; "
                                        "more are answered 503 with Retry-After at once (load shedding)")
    database_pool_size: int = Field(default=24, ge=1, description="connections a process keeps open; more than the "
                                    "requests and batches it works on at once means none is opened per request")
    database_pool_timeout_seconds: float = Field(default=3.0, gt=0, description="longest wait for a database "
                                                 "connection before a request is answered 503")
    process_role: ProcessRole = Field(default="all", description="api: HTTP only; worker: consumers, relay and "
                                      "loops (HTTP health only); all: both in one process (the local stack)")
    trace_sql_statements: bool = Field(default=False, description="a span per SQL statement (costly: for "
                                       "debugging, not production)")
    log_level: str = "INFO"
    instance_id: str = Field(default="1", description="distinguishes instances of one service in logs")
    admin_token: str = Field(default="", description="the operator's Bearer token for the admin API; a service "
                             "that only checks it is given admin_token_sha256 instead")
    admin_token_sha256: str = Field(default="", description="SHA-256 (hex) of ADMIN_TOKEN: enough to check the "
                                    "operator's token without holding it; empty (and no admin_token) disables "
                                    "the admin API")
    # Per tenant and per process; high enough that ordinary traffic (and the test suite) never meets it.
    rate_limit_per_second: float = Field(default=200.0, gt=0, description="requests a tenant may make per second")
    rate_limit_burst: int = Field(default=400, ge=1, description="requests a tenant may make at once")
    oauth_signing_key: str = Field(default="", description="intake's Ed25519 token key (base64url seed); "
                                   "empty: a fresh key per process, published on the tenants topic")
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
