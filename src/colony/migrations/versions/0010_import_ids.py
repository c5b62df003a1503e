"""imports: transactions found by their ids, queued files in parts

An import gives the transactions it creates ids in a range of its own (`imports.bank.service.created_ids`),
and its undo deletes that range: `import_rows`, a link per imported row, goes. Imports booked before this
revision keep their transactions, but their undo no longer finds them (it removes nothing).

A queued file is kept in parts (`import_files.part`), written and read one at a time. Files queued before
this revision are dropped with the table, and their imports recorded as failed (send the file again).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REQUEUED = [{"row": 0, "message": "The server was upgraded while this file waited to be imported: send it again"}]


def upgrade() -> None:
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_import_rows_tenant_import')
    op.drop_table('import_rows')

    imports = sa.table('imports', sa.column('status', sa.String), sa.column('errors', sa.JSON))
    op.execute(imports.update().where(imports.c.status.in_(('queued', 'running')))
               .values(status='failed', errors=_REQUEUED))
    _files_table(with_part=True)


def downgrade() -> None:
    _files_table(with_part=False)
    op.create_table('import_rows',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('transaction_id', sa.Uuid(), nullable=False),
    sa.Column('import_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_import_rows_import_id_imports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_import_rows_tenant_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['transaction_id'], ['transactions.id'], name=op.f('fk_import_rows_transaction_id_transactions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('transaction_id', name=op.f('pk_import_rows'))
    )
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.create_index('ix_import_rows_tenant_import', ['tenant_id', 'import_id'], unique=False)


def _files_table(*, with_part: bool) -> None:
    """`import_files` anew (what it holds is transient): one row a file, or one a part."""
    with op.batch_alter_table('import_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_files_tenant_id'))
    op.drop_table('import_files')
    key = ['import_id', 'part'] if with_part else ['import_id']
    op.create_table('import_files',
    sa.Column('import_id', sa.Uuid(), nullable=False),
    *([sa.Column('part', sa.Integer(), nullable=False)] if with_part else []),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_import_files_import_id_imports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_import_files_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint(*key, name=op.f('pk_import_files'))
    )
    with op.batch_alter_table('import_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_files_tenant_id'), ['tenant_id'], unique=False)
