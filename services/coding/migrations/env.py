"""Alembic environment for the coding schema."""

from alembic import context

from services.coding.adapters.tables import metadata
from shared.migrations import run_env

run_env(context, metadata)
