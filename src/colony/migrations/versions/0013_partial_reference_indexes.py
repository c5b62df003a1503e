"""transactions: the category and payment-method indexes hold only the rows that have one

A row without a category or payment method (a bank import's, mostly) then writes nothing to them; every
query that uses them names a category or payment method.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ('category_id', 'payment_method_id')


def upgrade() -> None:
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        for column in _COLUMNS:
            batch_op.drop_index(f'ix_transactions_{column}')
            where = sa.text(f'{column} IS NOT NULL')
            batch_op.create_index(f'ix_transactions_{column}', [column], unique=False, postgresql_where=where,
                                  sqlite_where=where)


def downgrade() -> None:
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        for column in _COLUMNS:
            batch_op.drop_index(f'ix_transactions_{column}')
            batch_op.create_index(f'ix_transactions_{column}', [column], unique=False)
