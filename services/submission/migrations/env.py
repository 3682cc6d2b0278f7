"""Alembic environment for the submission schema."""

from alembic import context

from services.submission.adapters.tables import metadata
from shared.migrations import run_env

run_env(context, metadata)
