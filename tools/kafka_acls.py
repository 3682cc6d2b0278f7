"""Apply claimline's broker ACLs (shared/messaging/broker_acls.py) to a cluster, or print them.

    python -m tools.kafka_acls apply     # as a super user of the cluster (KAFKA_SASL_USERNAME etc.)
    python -m tools.kafka_acls show      # the same rules as kafka-acls.sh commands

Idempotent: the broker keeps one copy of an ACL however often it is created. KAFKA_BOOTSTRAP,
KAFKA_NAMESPACE and the KAFKA_SECURITY_* settings come from the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest

from shared.messaging.broker_acls import ALLOW, AclBinding, claimline_acls
from shared.messaging.kafka_security import kafka_client_options


class AclRefused(RuntimeError):
    """The broker refused to create an ACL (say, the caller is not a super user)."""


async def apply_acls(bootstrap: str, bindings: list[AclBinding], options: dict | None = None) -> int:
    """Create every binding on the cluster; returns how many were sent."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(options if options is not None
                                                               else kafka_client_options()))
    await admin.start()
    try:
        for binding in bindings:
            # aiokafka has no public ACL call; its protocol class picks a version the broker speaks.
            response = await admin._send_request(CreateAclsRequest(
                binding.resource, binding.name, binding.pattern, binding.principal, "*", binding.operation, ALLOW))
            for error_code, error_message in response.creation_responses:
                if error_code:
                    raise AclRefused(f"error {error_code} creating {binding}: {error_message}")
    finally:
        await admin.close()
    return len(bindings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.kafka_acls", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["apply", "show"])
    parser.add_argument("--user-prefix", default="claimline-", help="SCRAM user names are <prefix><service>")
    args = parser.parse_args(argv)
    bindings = claimline_acls(os.environ.get("KAFKA_NAMESPACE", ""), args.user_prefix)
    if args.command == "show":
        print("\n".join(binding.kafka_acls_command() for binding in bindings))
        return 0
    created = asyncio.run(apply_acls(os.environ["KAFKA_BOOTSTRAP"], bindings))
    print(f"{created} ACLs applied")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
