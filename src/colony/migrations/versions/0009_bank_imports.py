"""bank imports

Each imported bank file is a row of `imports` (format, file name, status, counts, the rows skipped and why);
`import_rows` links it to the transactions it created (what its undo removes); `import_mappings` keeps a
CSV mapping per account; `import_files` holds a large file until the background runner imports it.
Transactions keep the bank's own id of an imported row (`bank_id`, unique per tenant where set).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colony.core.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BANK_ID_SET = sa.text('bank_id IS NOT NULL')


def upgrade() -> None:
    op.create_table('imports',
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('format', sa.Enum('csv', 'ofx', 'qif', 'camt053', name='importformat', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', 'undone', name='importstatus', native_enum=False, length=16), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('strict', sa.Boolean(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('mapping', sa.JSON(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('skipped_duplicates', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=True),
    sa.Column('kept', sa.Integer(), nullable=True),
    sa.Column('finished_at', colony.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_imports_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_imports_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_imports_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imports_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_imports_tenant_created_at_id', ['tenant_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_imports_status_updated_at', ['status', 'updated_at'], unique=False)

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

    op.create_table('import_mappings',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_import_mappings_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_mappings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_import_mappings_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mappings'))
    )
    with op.batch_alter_table('import_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_mappings_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('uq_import_mappings_tenant_account', ['tenant_id', 'account_id'], unique=True)

    op.create_table('import_files',
    sa.Column('import_id', sa.Uuid(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_import_files_import_id_imports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_import_files_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('import_id', name=op.f('pk_import_files'))
    )
    with op.batch_alter_table('import_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_files_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_id', sa.String(length=255), nullable=True))
    op.create_index('uq_transactions_tenant_bank_id', 'transactions', ['tenant_id', 'bank_id'], unique=True,
                    postgresql_where=_BANK_ID_SET, sqlite_where=_BANK_ID_SET)


def downgrade() -> None:
    op.drop_index('uq_transactions_tenant_bank_id', table_name='transactions')
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.drop_column('bank_id')

    with op.batch_alter_table('import_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_files_tenant_id'))
    op.drop_table('import_files')

    with op.batch_alter_table('import_mappings', schema=None) as batch_op:
        batch_op.drop_index('uq_import_mappings_tenant_account')
        batch_op.drop_index(batch_op.f('ix_import_mappings_tenant_id'))
    op.drop_table('import_mappings')

    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_import_rows_tenant_import')
    op.drop_table('import_rows')

    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.drop_index('ix_imports_status_updated_at')
        batch_op.drop_index('ix_imports_tenant_created_at_id')
        batch_op.drop_index(batch_op.f('ix_imports_tenant_id'))
    op.drop_table('imports')
