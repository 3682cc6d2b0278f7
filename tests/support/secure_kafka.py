"""A second Kafka broker configured as deploy/kafka/server-sasl-ssl.properties says: SASL_SSL, SCRAM-SHA-512,
a default-deny StandardAuthorizer. Same jars as the local stack; its own port, data and certificates.

The TLS certificate is made here with `cryptography` (a CA and a server certificate for 127.0.0.1);
the SCRAM users are written into the metadata log when the storage is formatted (--add-scram).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
import subprocess
import sys
import uuid
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path
from string import Template

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.settings import KafkaSecuritySettings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "kafka" / "server-sasl-ssl.properties"
sys.path.insert(0, str(ROOT / "deploy" / "local"))
import stack_kafka  # noqa: E402  (deploy/local is a script folder, not a package)
import stack_process  # noqa: E402

HOST = "127.0.0.1"
ADMIN = "admin"


@dataclass(frozen=True)
class SecureBroker:
    """Where the broker listens, the CA to trust and every SCRAM user's password."""

    bootstrap: str
    ca_file: Path
    passwords: dict[str, str]
    run_dir: Path

    def settings(self, user: str, password: str | None = None,
                 protocol: str = "SASL_SSL") -> KafkaSecuritySettings:
        """Security settings of a client that logs in as user (with its own password unless told otherwise)."""
        return KafkaSecuritySettings(kafka_security_protocol=protocol, kafka_sasl_username=user,  # type: ignore[arg-type]
                                     kafka_sasl_password=password if password is not None else self.passwords[user],
                                     kafka_ssl_cafile=str(self.ca_file))

    def environment(self, user: str) -> dict[str, str]:
        """The same as KAFKA_* environment variables, as a deployment would set them."""
        return {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                "KAFKA_SASL_USERNAME": user, "KAFKA_SASL_PASSWORD": self.passwords[user],
                "KAFKA_SSL_CAFILE": str(self.ca_file)}


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def write_certificates(directory: Path) -> tuple[Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1; returns (CA PEM, keystore PEM: key + chain)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "claimline test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kafka")]))
              .issuer_name(ca_name).public_key(server_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address(HOST)),
                                                          x509.DNSName("localhost")]), critical=False)
              .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH,
                                                    x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
              .sign(ca_key, hashes.SHA256()))
    ca_file, keystore = directory / "ca.pem", directory / "broker-keystore.pem"
    ca_file.write_bytes(_pem(ca))
    key = server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    keystore.write_bytes(key + _pem(server) + _pem(ca))
    keystore.chmod(0o600)
    return ca_file, keystore


def start_secure_broker(run_dir: Path, users: list[str]) -> SecureBroker:
    """Format and start the broker with a SCRAM user per name (and the admin super user); waits for its port."""
    libs = stack_kafka.ensure_jars()
    run_dir.mkdir(parents=True, exist_ok=True)
    ca_file, keystore = write_certificates(run_dir)
    passwords = {user: secrets.token_urlsafe(18) for user in [ADMIN, *users]}
    port, controller_port = stack_process.free_port(), stack_process.free_port()
    config = run_dir / "server.properties"
    config.write_text(Template(TEMPLATE.read_text()).substitute(
        HOST=HOST, PORT=port, CONTROLLER_PORT=controller_port, ADMIN_USER=ADMIN, ADMIN_PASSWORD=passwords[ADMIN],
        KEYSTORE_PEM=keystore, CA_PEM=ca_file, LOG_DIRS=run_dir / "data"))
    config.chmod(0o600)
    # base64url of a UUID, as Kafka's own random-uuid; one that starts with "-" would be read as an option
    # by the storage tool (1 in 64 do; Kafka's own random-uuid avoids them), so the first character is a letter
    cluster_id = "k" + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")[1:]
    scram = [arg for user, password in passwords.items()
             for arg in ("--add-scram", f"SCRAM-SHA-512=[name={user},password={password}]")]
    subprocess.run(stack_kafka.java_command(libs, "kafka.tools.StorageTool", "format", "-t", cluster_id,
                                            "-c", str(config), *scram, heap="256m"),
                   check=True, capture_output=True)
    stack_process.start(run_dir, "kafka", stack_kafka.java_command(libs, "kafka.Kafka", str(config), heap="512m"),
                        dict(os.environ), run_dir)
    stack_process.wait_for_port(port, 120, "secure kafka")
    return SecureBroker(f"{HOST}:{port}", ca_file, passwords, run_dir)


def stop_secure_broker(broker: SecureBroker) -> None:
    """Kill the broker at once: its data is thrown away, so a controlled shutdown (which waits ~30 s for the
    single node's controller to release its leadership) buys nothing."""
    stack_process.stop(broker.run_dir, "kafka", timeout=0)
