"""Intake's admin command: tenants, API keys and OAuth clients, straight on intake's database.

    python -m services.intake.admin create-tenant TENANT_ID [--name N] [--rate-limit-per-second R --rate-limit-burst B]
    python -m services.intake.admin issue-key TENANT_ID
    python -m services.intake.admin revoke-key KEY_ID
    python -m services.intake.admin retire-key KEY_ID [--not-after 2026-12-31T00:00:00+00:00]
    python -m services.intake.admin list-keys [--tenant TENANT_ID]
    python -m services.intake.admin create-client TENANT_ID [--scope encounters:write --scope claims:read]
    python -m services.intake.admin revoke-client CLIENT_ID
    python -m services.intake.admin set-coding-policy TENANT_ID [--hold-undercoding yes|no]
                                    [--when-no-release-covers hold_unknown_codes|hold_all]
    python -m services.intake.admin show-coding-policy TENANT_ID
    python -m services.intake.admin set-payees TENANT_ID [--npi NPI ...] [--tin TIN ...] [--add]
    python -m services.intake.admin list-payees TENANT_ID

Reads DATABASE_URL. Announcements (issued, retired and revoked keys, revoked clients, coding policies, payee
identifiers) go
through intake's outbox, so they reach the other services once intake's relay runs. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.access_repository import AccessStore
from services.intake.domain.access import (
    CredentialStopped,
    InvalidScope,
    TenantExists,
    TenantLimits,
    UnknownCredential,
    UnknownTenant,
)
from services.intake.domain.payees import InvalidPayeeIdentifier, PayeeIdentifierTaken
from services.intake.service_layer import access, payees
from services.intake.service_layer.coding_policy import TenantCodingPolicy, coding_policy, set_coding_policy
from shared.access_tokens import SCOPES
from shared.db import create_engine, session_factory, unit_of_work
from shared.events.tenant_events import WHEN_NO_RELEASE_COVERS

Command = Callable[[AsyncSession, argparse.Namespace], Awaitable[dict[str, Any]]]


async def _create_tenant(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    limits = TenantLimits(args.rate_limit_per_second, args.rate_limit_burst) \
        if args.rate_limit_per_second is not None else None
    tenant = await access.create_tenant(session, args.tenant_id, args.name or args.tenant_id, limits)
    return {**tenant, "created_at": tenant["created_at"].isoformat()}


async def _issue_key(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    key_id, key = await access.issue_api_key(session, args.tenant_id)
    return {"key_id": key_id, "api_key": key, "tenant_id": args.tenant_id}


async def _revoke_key(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    await access.revoke_api_key(session, args.key_id)
    return {"key_id": args.key_id, "revoked": True}


async def _retire_key(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    not_after = args.not_after or dt.datetime.now(dt.UTC)
    ends = await access.retire_api_key(session, args.key_id, not_after if not_after.tzinfo
                                       else not_after.replace(tzinfo=dt.UTC))
    return {"key_id": args.key_id, "not_after": ends.isoformat()}


async def _list_keys(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    keys = await AccessStore(session).api_keys(args.tenant)
    clients = await AccessStore(session).clients(args.tenant)
    return {"api_keys": keys, "oauth_clients": clients}


async def _create_client(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    client = await access.register_client(session, args.tenant_id, args.scope or list(SCOPES))
    return {"client_id": client.client_id, "client_secret": client.client_secret, "tenant_id": client.tenant_id,
            "scopes": sorted(client.scopes)}


async def _revoke_client(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    await access.revoke_client(session, args.client_id)
    return {"client_id": args.client_id, "revoked": True}


def _policy_json(policy: TenantCodingPolicy) -> dict[str, Any]:
    return {"tenant_id": policy.tenant_id, "hold_undercoding": policy.hold_undercoding,
            "when_no_release_covers": policy.when_no_release_covers,
            "updated_at": policy.updated_at.isoformat() if policy.updated_at else None}


async def _set_coding_policy(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    current = await coding_policy(session, args.tenant_id)  # a flag left out keeps its current value
    hold = current.hold_undercoding if args.hold_undercoding is None else args.hold_undercoding == "yes"
    return _policy_json(await set_coding_policy(session, args.tenant_id, hold,
                                                args.when_no_release_covers or current.when_no_release_covers))


async def _show_coding_policy(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    return _policy_json(await coding_policy(session, args.tenant_id))


async def _set_payees(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    register = payees.add_payee_identifiers if args.add else payees.set_payee_identifiers
    return (await register(session, args.tenant_id, args.npi or [], args.tin or [])).as_dict()


async def _list_payees(session: AsyncSession, args: argparse.Namespace) -> dict[str, Any]:
    return (await payees.registered_payee_identifiers(session, args.tenant_id)).as_dict()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m services.intake.admin", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(dest="command", required=True)
    tenant = commands.add_parser("create-tenant", help="register a tenant")
    tenant.add_argument("tenant_id")
    tenant.add_argument("--name")
    tenant.add_argument("--rate-limit-per-second", type=float)
    tenant.add_argument("--rate-limit-burst", type=int)
    tenant.set_defaults(run=_create_tenant)
    issue = commands.add_parser("issue-key", help="issue an API key (printed once)")
    issue.add_argument("tenant_id")
    issue.set_defaults(run=_issue_key)
    revoke = commands.add_parser("revoke-key", help="revoke an API key everywhere")
    revoke.add_argument("key_id")
    revoke.set_defaults(run=_revoke_key)
    retire = commands.add_parser("retire-key", help="retire an API key everywhere at a time (rotation)")
    retire.add_argument("key_id")
    retire.add_argument("--not-after", type=dt.datetime.fromisoformat, help="ISO 8601; default now")
    retire.set_defaults(run=_retire_key)
    listing = commands.add_parser("list-keys", help="API keys and OAuth clients (ids and dates only)")
    listing.add_argument("--tenant")
    listing.set_defaults(run=_list_keys)
    client = commands.add_parser("create-client", help="register an OAuth2 client (secret printed once)")
    client.add_argument("tenant_id")
    client.add_argument("--scope", action="append", choices=SCOPES)
    client.set_defaults(run=_create_client)
    unclient = commands.add_parser("revoke-client", help="revoke an OAuth2 client and its tokens everywhere")
    unclient.add_argument("client_id")
    unclient.set_defaults(run=_revoke_client)
    policy = commands.add_parser("set-coding-policy", help="what coding holds for a coder (announced to coding)")
    policy.add_argument("tenant_id")
    policy.add_argument("--hold-undercoding", choices=("yes", "no"),
                        help="hold a claim billed below the E/M level its note supports (default no: a warning)")
    policy.add_argument("--when-no-release-covers", choices=WHEN_NO_RELEASE_COVERS,
                        help="no ICD-10-CM release for the date: hold only claims with a code the nearest release "
                             "lacks (default), or hold all")
    policy.set_defaults(run=_set_coding_policy)
    show = commands.add_parser("show-coding-policy", help="a tenant's coding policy (the defaults if never set)")
    show.add_argument("tenant_id")
    show.set_defaults(run=_show_coding_policy)


    payee = commands.add_parser("set-payees", help="the NPIs and tax ids the tenant's 835s name as payee "
                                "(replaces the set; refused when another tenant holds one)")
    payee.add_argument("tenant_id")
    payee.add_argument("--npi", action="append", help="an NPI (N1*PE*..*XX); repeat for several")
    payee.add_argument("--tin", action="append", help="a federal tax id (N1*PE*..*FI, REF*TJ); repeat for several")
    payee.add_argument("--add", action="store_true", help="add to the registered set instead of replacing it")
    payee.set_defaults(run=_set_payees)
    payee_list = commands.add_parser("list-payees", help="the tenant's registered payee identifiers")
    payee_list.add_argument("tenant_id")
    payee_list.set_defaults(run=_list_payees)
    return root


async def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    """Run one admin command in one transaction."""
    engine = create_engine(database_url, instrument=False, pool_size=1)
    try:
        async with unit_of_work(session_factory(engine)) as session:
            return await args.run(session, args)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    command_line = parser()
    args = command_line.parse_args(argv)
    if args.command == "create-tenant" and (args.rate_limit_per_second is None) != (args.rate_limit_burst is None):
        command_line.error("give --rate-limit-per-second and --rate-limit-burst together, or neither")
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        print("set DATABASE_URL (source .run/dev/stack.env)", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(run(args, database_url))
    except (TenantExists, UnknownTenant, UnknownCredential, CredentialStopped, InvalidScope, InvalidPayeeIdentifier,
            PayeeIdentifierTaken) as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
