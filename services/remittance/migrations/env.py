"""Alembic environment for the remittance schema."""

from alembic import context

from services.remittance.adapters.tables import metadata
from shared.migrations import run_env

run_env(context, metadata)
