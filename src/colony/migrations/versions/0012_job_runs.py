"""job runs: a scheduled job runs once per period across instances

`job_runs` keeps when each job last ran, on whichever instance (`core.jobs.claim_period`).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colony.core.types

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job_runs',
    sa.Column('job_id', sa.String(length=100), nullable=False),
    sa.Column('ran_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job_runs'))
    )


def downgrade() -> None:
    op.drop_table('job_runs')
