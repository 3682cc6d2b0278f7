"""Alembic environment for the denials schema."""

from alembic import context

from services.denials.adapters.tables import metadata
from shared.migrations import run_env

run_env(context, metadata)
