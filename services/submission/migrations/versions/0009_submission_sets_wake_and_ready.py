"""Submission: the dispatcher wakes on work and finds it without scanning every submission.

A statement-level trigger NOTIFYs `submission.submissions` after every insert into submissions (a claim
version queued, by any process: a consumer batch or a user's correction), so the dispatcher LISTENs instead
of being woken by every statement its own process runs. Partial indexes keep the dispatcher's reads (ready
versions, open and sending batches) proportional to the work waiting, not to the history kept.

Revision ID: 0009_submission_sets
Revises: 0008_trust_access
"""

from alembic import op

revision = "0009_submission_sets"
down_revision = "0008_trust_access"
branch_labels = None
depends_on = None
SCHEMA = "submission"


def upgrade() -> None:
    op.execute(f"""
        CREATE FUNCTION "{SCHEMA}".notify_submissions_queued() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{SCHEMA}.submissions', '');
            RETURN NULL;
        END $$""")
    op.execute(f'CREATE TRIGGER submissions_queued_notify AFTER INSERT ON "{SCHEMA}".submissions '
               f'FOR EACH STATEMENT EXECUTE FUNCTION "{SCHEMA}".notify_submissions_queued()')
    op.execute(f'CREATE INDEX submissions_ready_idx ON "{SCHEMA}".submissions (created_at) '
               "WHERE status = 'pending' AND batch_id IS NULL")
    op.execute(f'CREATE INDEX submission_batches_open_idx ON "{SCHEMA}".submission_batches (opened_at) '
               "WHERE state = 'open'")
    op.execute(f'CREATE INDEX submission_batches_sending_idx ON "{SCHEMA}".submission_batches (next_attempt_at) '
               "WHERE state = 'sending'")


def downgrade() -> None:
    op.execute(f'DROP INDEX "{SCHEMA}".submission_batches_sending_idx')
    op.execute(f'DROP INDEX "{SCHEMA}".submission_batches_open_idx')
    op.execute(f'DROP INDEX "{SCHEMA}".submissions_ready_idx')
    op.execute(f'DROP TRIGGER submissions_queued_notify ON "{SCHEMA}".submissions')
    op.execute(f'DROP FUNCTION "{SCHEMA}".notify_submissions_queued()')
