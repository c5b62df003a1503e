"""monthly totals

`monthly_totals` holds the sums that reports read: the paid transactions of a month that are no leg of a transfer,
per tenant, type, base currency and category (the nil UUID for none), kept by every write of transactions in its
own transaction. Filled here from the transactions already there, as `colony analytics rebuild` would.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colony.core.types

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The first day of a transaction's month, and the nil UUID as each engine stores a Uuid.
_MONTH = {"postgresql": "CAST(date_trunc('month', CAST(date AS timestamp)) AS date)",
          "sqlite": "date(date, 'start of month')"}
_NO_CATEGORY = {"postgresql": "CAST('00000000-0000-0000-0000-000000000000' AS uuid)", "sqlite": "'" + "0" * 32 + "'"}


def upgrade() -> None:
    op.create_table('monthly_totals',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('type', sa.Enum('expense', 'income', name='transactiontype', native_enum=False, length=16), nullable=False),
    sa.Column('base_currency', sa.String(length=3), nullable=False),
    sa.Column('category_id', sa.Uuid(), nullable=False),
    sa.Column('total', colony.core.types.ExactDecimal(scale=4, precision=28), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_monthly_totals_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'month', 'type', 'base_currency', 'category_id', name=op.f('pk_monthly_totals'))
    )
    dialect = op.get_bind().dialect.name
    t = sa.table('transactions', *map(sa.column, ('tenant_id', 'date', 'type', 'status', 'base_currency',
                                                   'category_id', 'amount_base', 'transfer_id')))
    month: sa.ColumnElement[object] = sa.literal_column(_MONTH[dialect])
    counted = (sa.select(t.c.tenant_id, month, t.c.type, t.c.base_currency,
                         sa.func.coalesce(t.c.category_id, sa.literal_column(_NO_CATEGORY[dialect])),
                         sa.func.sum(t.c.amount_base), sa.func.count())
               .where(t.c.status == sa.literal_column("'paid'"), t.c.transfer_id.is_(None))
               .group_by(t.c.tenant_id, month, t.c.type, t.c.base_currency, t.c.category_id))
    totals = sa.table('monthly_totals', *map(sa.column, ('tenant_id', 'month', 'type', 'base_currency', 'category_id',
                                                         'total', 'count')))
    op.execute(totals.insert().from_select(list(totals.c.keys()), counted))


def downgrade() -> None:
    op.drop_table('monthly_totals')
