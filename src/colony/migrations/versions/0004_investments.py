"""investments

Financial institutions, accounts and their value entries, securities and their daily prices (reference
data), holdings entered directly and investment transactions; transactions booked to an account (a real
foreign key now) and the transfer that links two of them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:20:17
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colony.core.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('securities',
    sa.Column('symbol', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('security_type', sa.Enum('stock', 'etf', 'mutual_fund', 'bond', 'crypto', 'index', 'other', name='securitytype', native_enum=False, length=16), nullable=False),
    sa.Column('exchange', sa.String(length=32), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('synced_at', colony.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_securities'))
    )
    # Symbols are unique case-insensitively (an expression index: autogenerate can't compare it).
    op.create_index('uq_securities_lower_symbol', 'securities', [sa.text('lower(symbol)')], unique=True)
    op.create_table('financial_institutions',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_financial_institutions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_financial_institutions_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_financial_institutions'))
    )
    with op.batch_alter_table('financial_institutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financial_institutions_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('security_prices',
    sa.Column('security_id', sa.Uuid(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('open', colony.core.types.ExactDecimal(scale=8, precision=28), nullable=True),
    sa.Column('high', colony.core.types.ExactDecimal(scale=8, precision=28), nullable=True),
    sa.Column('low', colony.core.types.ExactDecimal(scale=8, precision=28), nullable=True),
    sa.Column('close', colony.core.types.ExactDecimal(scale=8, precision=28), nullable=False),
    sa.Column('volume', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('close >= 0', name=op.f('ck_security_prices_close_not_negative')),
    sa.ForeignKeyConstraint(['security_id'], ['securities.id'], name=op.f('fk_security_prices_security_id_securities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('security_id', 'date', name=op.f('pk_security_prices'))
    )
    op.create_table('accounts',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('type', sa.Enum('checking', 'savings', 'credit_card', 'investment', 'retirement', 'loan', 'cash', 'other', name='accounttype', native_enum=False, length=16), nullable=False),
    sa.Column('institution_id', sa.Uuid(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_accounts_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['institution_id'], ['financial_institutions.id'], name=op.f('fk_accounts_institution_id_financial_institutions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_accounts_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounts_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('account_values',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('balance', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_values_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_account_values_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_account_values_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_values')),
    sa.UniqueConstraint('account_id', 'date', name=op.f('uq_account_values_account_id_date'))
    )
    with op.batch_alter_table('account_values', schema=None) as batch_op:
        batch_op.create_index('ix_account_values_tenant_account_date', ['tenant_id', 'account_id', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_values_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('holdings',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('security_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', colony.core.types.ExactDecimal(scale=8, precision=28), nullable=False),
    sa.Column('cost_basis', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('acquired_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_holdings_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_holdings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['security_id'], ['securities.id'], name=op.f('fk_holdings_security_id_securities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_holdings_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holdings'))
    )
    with op.batch_alter_table('holdings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holdings_security_id'), ['security_id'], unique=False)
        batch_op.create_index('ix_holdings_tenant_account', ['tenant_id', 'account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_holdings_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('investment_transactions',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('type', sa.Enum('buy', 'sell', 'dividend', 'interest', 'fee', 'tax', 'split', 'deposit', 'withdrawal', 'transfer_in', 'transfer_out', name='activitytype', native_enum=False, length=16), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('security_id', sa.Uuid(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('quantity', colony.core.types.ExactDecimal(scale=8, precision=28), nullable=True),
    sa.Column('price', colony.core.types.ExactDecimal(scale=8, precision=28), nullable=True),
    sa.Column('amount', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=True),
    sa.Column('fee', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('tax', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('split_ratio', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('counter_account_id', sa.Uuid(), nullable=True),
    sa.Column('transfer_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_investment_transactions_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['counter_account_id'], ['accounts.id'], name=op.f('fk_investment_transactions_counter_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_investment_transactions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['security_id'], ['securities.id'], name=op.f('fk_investment_transactions_security_id_securities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_investment_transactions_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investment_transactions'))
    )
    with op.batch_alter_table('investment_transactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investment_transactions_counter_account_id'), ['counter_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_investment_transactions_security_id'), ['security_id'], unique=False)
        batch_op.create_index('ix_investment_transactions_tenant_account_date', ['tenant_id', 'account_id', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_investment_transactions_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_investment_transactions_transfer_id', ['transfer_id'], unique=False, postgresql_where=sa.text('transfer_id IS NOT NULL'), sqlite_where=sa.text('transfer_id IS NOT NULL'))

    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_id', sa.Uuid(), nullable=True))
        batch_op.create_index('ix_transactions_account_id_date', ['account_id', 'date'], unique=False, postgresql_where=sa.text('account_id IS NOT NULL'), sqlite_where=sa.text('account_id IS NOT NULL'))
        batch_op.create_index('ix_transactions_transfer_id', ['transfer_id'], unique=False, postgresql_where=sa.text('transfer_id IS NOT NULL'), sqlite_where=sa.text('transfer_id IS NOT NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_transactions_account_id_accounts'), 'accounts', ['account_id'], ['id'], ondelete='RESTRICT')

    # The derived portfolio state (investments/state): rebuilt from the facts above, never a source.
    op.create_table('portfolio_cash',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', colony.core.types.Derived(scale=6), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_portfolio_cash_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'account_id', 'currency', name=op.f('pk_portfolio_cash'))
    )
    op.create_table('portfolio_days',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('scope_id', sa.Uuid(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('market_value', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('holdings_value', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('inflow', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('outflow', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('cum_inflow', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('cum_outflow', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('income', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('fees', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('taxes', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('realized_fifo', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('realized_average', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('unrealized_fifo', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('unrealized_average', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('twr_index', colony.core.types.Derived(scale=12), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_portfolio_days_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'scope_id', 'date', name=op.f('pk_portfolio_days'))
    )
    op.create_table('portfolio_positions',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('security_id', sa.Uuid(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('quantity', colony.core.types.Derived(scale=8), nullable=False),
    sa.Column('cost_basis', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('cost_basis_native', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('cost_complete', sa.Boolean(), nullable=False),
    sa.Column('realized_gain', colony.core.types.Derived(scale=6), nullable=False),
    sa.Column('income', colony.core.types.Derived(scale=6), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_portfolio_positions_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'account_id', 'security_id', 'method', name=op.f('pk_portfolio_positions'))
    )
    op.create_table('portfolio_securities',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('security_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_portfolio_securities_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'security_id', name=op.f('pk_portfolio_securities'))
    )
    with op.batch_alter_table('portfolio_securities', schema=None) as batch_op:
        batch_op.create_index('ix_portfolio_securities_security', ['security_id'], unique=False)

    op.create_table('portfolio_states',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('computed_through', sa.Date(), nullable=False),
    sa.Column('dirty_from', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('computed_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_portfolio_states_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_portfolio_states'))
    )


def downgrade() -> None:
    op.drop_table('portfolio_states')
    with op.batch_alter_table('portfolio_securities', schema=None) as batch_op:
        batch_op.drop_index('ix_portfolio_securities_security')

    op.drop_table('portfolio_securities')
    op.drop_table('portfolio_positions')
    op.drop_table('portfolio_days')
    op.drop_table('portfolio_cash')
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_transactions_account_id_accounts'), type_='foreignkey')
        batch_op.drop_index('ix_transactions_transfer_id', postgresql_where=sa.text('transfer_id IS NOT NULL'), sqlite_where=sa.text('transfer_id IS NOT NULL'))
        batch_op.drop_index('ix_transactions_account_id_date', postgresql_where=sa.text('account_id IS NOT NULL'), sqlite_where=sa.text('account_id IS NOT NULL'))
        batch_op.drop_column('transfer_id')

    with op.batch_alter_table('investment_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_investment_transactions_transfer_id', postgresql_where=sa.text('transfer_id IS NOT NULL'), sqlite_where=sa.text('transfer_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_investment_transactions_tenant_id'))
        batch_op.drop_index('ix_investment_transactions_tenant_account_date')
        batch_op.drop_index(batch_op.f('ix_investment_transactions_security_id'))
        batch_op.drop_index(batch_op.f('ix_investment_transactions_counter_account_id'))

    op.drop_table('investment_transactions')
    with op.batch_alter_table('holdings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holdings_tenant_id'))
        batch_op.drop_index('ix_holdings_tenant_account')
        batch_op.drop_index(batch_op.f('ix_holdings_security_id'))

    op.drop_table('holdings')
    with op.batch_alter_table('account_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_values_tenant_id'))
        batch_op.drop_index('ix_account_values_tenant_account_date')

    op.drop_table('account_values')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_accounts_institution_id'))

    op.drop_table('accounts')
    op.drop_table('security_prices')
    with op.batch_alter_table('financial_institutions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_financial_institutions_tenant_id'))

    op.drop_table('financial_institutions')
    op.drop_index('uq_securities_lower_symbol', table_name='securities')
    op.drop_table('securities')
