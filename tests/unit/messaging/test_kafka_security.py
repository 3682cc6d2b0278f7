"""The Kafka security settings become the aiokafka options every client of a process is built with."""

from __future__ import annotations

import ssl

import pytest

from shared.messaging.kafka_security import KafkaSecurityMisconfigured, kafka_client_options
from shared.settings import KafkaSecuritySettings, ServiceSettings


def test_the_local_stack_default_is_plaintext_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_SSL_CAFILE"):
        monkeypatch.delenv(name, raising=False)
    assert kafka_client_options() == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_from_the_environment_gives_scram_and_a_verifying_tls_context(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "claimline-coding")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "s3cret")
    options = kafka_client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("claimline-coding", "s3cret")
    context: ssl.SSLContext = options["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


PASSWORD = "kafka-sasl-password-4b1d8e0c2f"


def test_service_settings_carry_the_same_kafka_security_settings() -> None:
    settings = ServiceSettings(database_url="postgresql+asyncpg://x@h/db", kafka_bootstrap="k:9093",
                               kafka_security_protocol="SASL_SSL", kafka_sasl_username="claimline-intake",
                               kafka_sasl_password=PASSWORD)
    assert kafka_client_options(settings)["sasl_plain_username"] == "claimline-intake"
    assert kafka_client_options(settings)["sasl_plain_password"] == PASSWORD
    # Not a short value like "pw": the settings also read the stack's random secrets from the environment,
    # and one of them contained "pw" by chance (a fresh-clone run failed on it).
    assert PASSWORD not in repr(settings), "the password never shows in a settings dump"


@pytest.mark.parametrize(("values", "named"), [
    ({"kafka_security_protocol": "SASL_SSL"}, "KAFKA_SASL_USERNAME"),
    ({"kafka_security_protocol": "PLAINTEXT", "kafka_ssl_cafile": "/ca.pem"}, "KAFKA_SECURITY_PROTOCOL"),
    ({"kafka_security_protocol": "SSL", "kafka_ssl_certfile": "/client.pem"}, "KAFKA_SSL_KEYFILE"),
])
def test_contradicting_settings_are_refused_naming_the_setting(values: dict, named: str) -> None:
    with pytest.raises(KafkaSecurityMisconfigured, match=named):
        kafka_client_options(KafkaSecuritySettings(**values))
