"""Alembic environment for the intake schema."""

from alembic import context

from services.intake.adapters.tables import metadata
from shared.migrations import run_env

run_env(context, metadata)
