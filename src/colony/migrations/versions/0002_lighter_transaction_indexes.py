"""lighter transaction indexes

Every insert into `transactions` wrote ten indexes. `ix_transactions_tenant_id` repeated the first column
of the composite (tenant_id, ...) indexes, and the template, cycle and import-fingerprint indexes held an
entry for every row although most rows have none of these: they become partial (NOT NULL), which the
queries and foreign-key checks that use them still match.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name -> (columns, unique, WHERE of the partial index)
_PARTIAL = {
    'ix_transactions_template_id': (['template_id'], False, 'template_id IS NOT NULL'),
    'uq_transactions_cycle_template_date': (['cycle_id', 'template_id', 'date'], True, 'cycle_id IS NOT NULL'),
    'uq_transactions_tenant_import_hash': (['tenant_id', 'import_hash'], True, 'import_hash IS NOT NULL'),
}


def _create(name: str, columns: list[str], unique: bool, where: str | None) -> None:
    condition = None if where is None else sa.text(where)
    op.create_index(name, 'transactions', columns, unique=unique, postgresql_where=condition,
                    sqlite_where=condition)


def upgrade() -> None:
    op.drop_index('ix_transactions_tenant_id', table_name='transactions')
    for name, (columns, unique, where) in _PARTIAL.items():
        op.drop_index(name, table_name='transactions')
        _create(name, columns, unique, where)


def downgrade() -> None:
    for name, (columns, unique, _where) in _PARTIAL.items():
        op.drop_index(name, table_name='transactions')
        _create(name, columns, unique, None)
    op.create_index('ix_transactions_tenant_id', 'transactions', ['tenant_id'], unique=False)
