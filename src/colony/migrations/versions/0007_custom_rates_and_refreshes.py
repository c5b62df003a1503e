"""custom exchange rates and rate refreshes

`custom_exchange_rates`: each tenant's own rates (1 from = rate to, from a date on), one per pair and date.
`exchange_rate_refreshes`: how the refreshes from each HTTP source of ECB rates went (the rates' status).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colony.core.types

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exchange_rate_refreshes',
    sa.Column('source', sa.String(length=2000), nullable=False),
    sa.Column('last_refresh_at', colony.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error_at', colony.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_exchange_rate_refreshes'))
    )
    op.create_table('custom_exchange_rates',
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('from_currency', sa.String(length=3), nullable=False),
    sa.Column('to_currency', sa.String(length=3), nullable=False),
    sa.Column('rate', colony.core.types.ExactDecimal(scale=10, precision=24), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('from_currency <> to_currency', name=op.f('ck_custom_exchange_rates_two_currencies')),
    sa.CheckConstraint('rate > 0', name=op.f('ck_custom_exchange_rates_rate_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_custom_exchange_rates_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_custom_exchange_rates_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_exchange_rates'))
    )
    with op.batch_alter_table('custom_exchange_rates', schema=None) as batch_op:
        batch_op.create_index('ix_custom_exchange_rates_pair_date', ['tenant_id', 'from_currency', 'to_currency', 'date'], unique=True)
        batch_op.create_index(batch_op.f('ix_custom_exchange_rates_tenant_id'), ['tenant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('custom_exchange_rates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custom_exchange_rates_tenant_id'))
        batch_op.drop_index('ix_custom_exchange_rates_pair_date')

    op.drop_table('custom_exchange_rates')
    op.drop_table('exchange_rate_refreshes')
