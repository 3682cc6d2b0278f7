"""One PostgreSQL role per service, limited to its own schema; migrations run as the owner.

Why: a service's schema holds PHI its neighbours have no business reading (intake's claims, coding's
notes), and the habit "services share nothing but topics" should be the database's rule too, not
only ours. So the bootstrap job, connected as the owner of every schema, gives each service a login
role that may use its own schema and its tables' rows and nothing else: no other schema, no DDL,
no CREATE in `public`. Tables that later migrations add are covered by default privileges.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

ROLE_PREFIX = "claimline_"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# Tables a service may add to but never change: the PHI audit log (its trigger says the same).
APPEND_ONLY = {"intake": ("audit_log",)}


def service_role(service: str) -> str:
    """The login role a service connects as, e.g. claimline_coding."""
    return f"{ROLE_PREFIX}{service}"


def _identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{name!r} is not a plain SQL identifier")
    return f'"{name}"'


async def ensure_service_role(connection: AsyncConnection, service: str, password: str | None = None) -> str:
    """Create (or keep) the service's role and grant it its own schema only; run as the schema owner."""
    role, schema = _identifier(service_role(service)), _identifier(service)
    exists = (await connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"),
                                       {"role": service_role(service)})).first()
    if exists is None:
        await connection.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"))
    if password:
        # Passed as a literal: ALTER ROLE takes no bind parameters. Quote it as PostgreSQL does.
        literal = "'" + password.replace("'", "''") + "'"
        await connection.execute(text(f"ALTER ROLE {role} LOGIN PASSWORD {literal}"))
    database = _identifier((await connection.execute(text("SELECT current_database()"))).scalar_one())
    owner = _identifier((await connection.execute(text("SELECT current_user"))).scalar_one())
    for statement in (
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.{_identifier(table)} FROM {role}"
          for table in APPEND_ONLY.get(service, ())),
    ):
        await connection.execute(text(statement))
    return service_role(service)
