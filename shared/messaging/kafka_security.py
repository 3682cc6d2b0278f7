"""The one place that turns the Kafka security settings into aiokafka client options.

Every producer, consumer and admin client of the project is built with `**kafka_client_options()`,
so a process speaks to the broker one way: plaintext on the local stack, SASL/SCRAM over TLS in a
deployment (deploy/README.md). The options come from the process environment unless a test or a
tool passes settings of its own.
"""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka.helpers import create_ssl_context

from shared.settings import KafkaSecuritySettings


class KafkaSecurityMisconfigured(ValueError):
    """The security settings contradict each other; the message names the settings, never a secret."""


def kafka_client_options(settings: KafkaSecuritySettings | None = None) -> dict[str, Any]:
    """aiokafka keyword arguments (security_protocol, sasl_*, ssl_context) for these or the environment's settings."""
    settings = settings or KafkaSecuritySettings()
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol.startswith("SASL_"):
        if not settings.kafka_sasl_username or not settings.kafka_sasl_password.get_secret_value():
            raise KafkaSecurityMisconfigured(f"{protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        options.update(sasl_mechanism=settings.kafka_sasl_mechanism,
                       sasl_plain_username=settings.kafka_sasl_username,
                       sasl_plain_password=settings.kafka_sasl_password.get_secret_value())
    if protocol in {"SSL", "SASL_SSL"}:
        options["ssl_context"] = broker_ssl_context(settings)
    elif settings.kafka_ssl_cafile or settings.kafka_ssl_certfile:
        raise KafkaSecurityMisconfigured(f"KAFKA_SSL_* settings are given but KAFKA_SECURITY_PROTOCOL is {protocol}")
    return options


def broker_ssl_context(settings: KafkaSecuritySettings) -> ssl.SSLContext:
    """TLS 1.2+ with the broker's certificate and host name checked against the configured CA (or the system's)."""
    if bool(settings.kafka_ssl_certfile) != bool(settings.kafka_ssl_keyfile):
        raise KafkaSecurityMisconfigured("KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE go together")
    context = create_ssl_context(cafile=settings.kafka_ssl_cafile or None,
                                 certfile=settings.kafka_ssl_certfile or None,
                                 keyfile=settings.kafka_ssl_keyfile or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context
