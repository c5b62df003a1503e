"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 20:13:19.914580
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colony.core.types

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exchange_rates',
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate', colony.core.types.ExactDecimal(scale=10, precision=24), nullable=False),
    sa.CheckConstraint('rate > 0', name=op.f('ck_exchange_rates_rate_positive')),
    sa.PrimaryKeyConstraint('date', 'currency', name=op.f('pk_exchange_rates'))
    )
    with op.batch_alter_table('exchange_rates', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_rates_currency_date', ['currency', 'date'], unique=False)

    op.create_table('users',
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.Enum('personal', 'business', 'sub_user', 'admin', name='role', native_enum=False, length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_users_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('budgets',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('total_amount', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_budgets_period_order')),
    sa.CheckConstraint('total_amount > 0', name=op.f('ck_budgets_total_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_budgets_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_budgets_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budgets'))
    )
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budgets_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_budgets_tenant_period', ['tenant_id', 'period_start', 'id'], unique=False)

    op.create_table('categories',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('expense', 'income', name='categorykind', native_enum=False, length=16), nullable=False),
    sa.Column('color', sa.String(length=16), nullable=True),
    sa.Column('icon', sa.String(length=64), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_categories_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_categories_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories'))
    )
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_categories_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('credentials',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('algorithm', sa.String(length=32), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', colony.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('locked_until', colony.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', colony.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_credentials_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_credentials'))
    )
    op.create_table('cycles',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('income_amount', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.Enum('draft', 'active', 'completed', name='cyclestatus', native_enum=False, length=16), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date > start_date', name=op.f('ck_cycles_end_after_start')),
    sa.CheckConstraint('income_amount > 0', name=op.f('ck_cycles_income_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cycles_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_cycles_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycles'))
    )
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycles_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_cycles_tenant_start_end', ['tenant_id', 'start_date', 'end_date'], unique=False)
        batch_op.create_index('uq_cycles_tenant_active', ['tenant_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('goals',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('target_amount', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('active', 'achieved', 'cancelled', name='goalstatus', native_enum=False, length=16), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('target_amount > 0', name=op.f('ck_goals_target_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_goals_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_goals_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index('ix_goals_tenant_created_at', ['tenant_id', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goals_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_keys_user_id_key'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)

    op.create_table('password_reset_tokens',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', colony.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_tokens_token_hash'))
    )
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('payment_methods',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('type', sa.Enum('cash', 'debit_card', 'credit_card', 'bank_transfer', 'e_wallet', 'other', name='paymentmethodtype', native_enum=False, length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('last4', sa.String(length=4), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('last4 IS NULL OR length(last4) = 4', name=op.f('ck_payment_methods_last4_length')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payment_methods_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_payment_methods_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_methods'))
    )
    with op.batch_alter_table('payment_methods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_methods_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('profiles',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('base_currency', sa.String(length=3), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_profiles'))
    )
    op.create_table('refresh_tokens',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', colony.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', colony.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_refresh_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_refresh_tokens_token_hash'))
    )
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refresh_tokens_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refresh_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('budget_entries',
    sa.Column('budget_id', sa.Uuid(), nullable=False),
    sa.Column('category_id', sa.Uuid(), nullable=False),
    sa.Column('amount', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_budget_entries_amount_positive')),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_budget_entries_budget_id_budgets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_budget_entries_category_id_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_budget_entries_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_budget_entries_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_entries')),
    sa.UniqueConstraint('budget_id', 'category_id', name=op.f('uq_budget_entries_budget_id_category_id'))
    )
    with op.batch_alter_table('budget_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_entries_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_entries_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('expense_templates',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('amount', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('category_id', sa.Uuid(), nullable=True),
    sa.Column('payment_method_id', sa.Uuid(), nullable=True),
    sa.Column('frequency', sa.Enum('weekly', 'biweekly', 'monthly', 'quarterly', 'yearly', 'once', name='frequency', native_enum=False, length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('day_of_month', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_expense_templates_amount_positive')),
    sa.CheckConstraint('day_of_month IS NULL OR (day_of_month >= 1 AND day_of_month <= 31)', name=op.f('ck_expense_templates_day_of_month_range')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_expense_templates_end_after_start')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_expense_templates_category_id_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_expense_templates_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['payment_method_id'], ['payment_methods.id'], name=op.f('fk_expense_templates_payment_method_id_payment_methods'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_expense_templates_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_templates'))
    )
    with op.batch_alter_table('expense_templates', schema=None) as batch_op:
        batch_op.create_index('ix_expense_templates_category_id', ['category_id'], unique=False)
        batch_op.create_index('ix_expense_templates_payment_method_id', ['payment_method_id'], unique=False)
        batch_op.create_index('ix_expense_templates_tenant_active', ['tenant_id', 'is_active'], unique=False)
        batch_op.create_index(batch_op.f('ix_expense_templates_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('goal_contributions',
    sa.Column('goal_id', sa.Uuid(), nullable=False),
    sa.Column('amount', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_goal_contributions_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_goal_contributions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_contributions_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_goal_contributions_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_contributions'))
    )
    with op.batch_alter_table('goal_contributions', schema=None) as batch_op:
        batch_op.create_index('ix_goal_contributions_goal_date', ['goal_id', 'date', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_contributions_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('transactions',
    sa.Column('type', sa.Enum('expense', 'income', name='transactiontype', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('paid', 'planned', name='transactionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('amount', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('category_id', sa.Uuid(), nullable=True),
    sa.Column('payment_method_id', sa.Uuid(), nullable=True),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('cycle_id', sa.Uuid(), nullable=True),
    sa.Column('template_id', sa.Uuid(), nullable=True),
    sa.Column('amount_base', colony.core.types.ExactDecimal(scale=4, precision=19), nullable=False),
    sa.Column('base_currency', sa.String(length=3), nullable=False),
    sa.Column('exchange_rate', colony.core.types.ExactDecimal(scale=10, precision=24), nullable=False),
    sa.Column('import_hash', sa.String(length=64), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', colony.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_transactions_amount_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_transactions_category_id_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_transactions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_transactions_cycle_id_cycles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['payment_method_id'], ['payment_methods.id'], name=op.f('fk_transactions_payment_method_id_payment_methods'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['template_id'], ['expense_templates.id'], name=op.f('fk_transactions_template_id_expense_templates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_transactions_tenant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transactions'))
    )
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.create_index('ix_transactions_category_id', ['category_id'], unique=False)
        batch_op.create_index('ix_transactions_payment_method_id', ['payment_method_id'], unique=False)
        batch_op.create_index('ix_transactions_template_id', ['template_id'], unique=False)
        batch_op.create_index('ix_transactions_tenant_created_at_id', ['tenant_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_transactions_tenant_date_id', ['tenant_id', 'date', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transactions_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_transactions_tenant_type_date_id', ['tenant_id', 'type', 'date', 'id'], unique=False)
        batch_op.create_index('uq_transactions_cycle_template_date', ['cycle_id', 'template_id', 'date'], unique=True)
        batch_op.create_index('uq_transactions_tenant_import_hash', ['tenant_id', 'import_hash'], unique=True)

    # Expression indexes, which autogenerate does not render:
    op.create_index('uq_categories_tenant_kind_lower_name', 'categories', ['tenant_id', 'kind', sa.text('lower(name)')], unique=True)
    op.create_index('uq_cycles_tenant_lower_name', 'cycles', ['tenant_id', sa.text('lower(name)')], unique=True)


def downgrade() -> None:
    op.drop_index('uq_categories_tenant_kind_lower_name', table_name='categories')
    op.drop_index('uq_cycles_tenant_lower_name', table_name='cycles')
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.drop_index('uq_transactions_tenant_import_hash')
        batch_op.drop_index('uq_transactions_cycle_template_date')
        batch_op.drop_index('ix_transactions_tenant_type_date_id')
        batch_op.drop_index(batch_op.f('ix_transactions_tenant_id'))
        batch_op.drop_index('ix_transactions_tenant_date_id')
        batch_op.drop_index('ix_transactions_tenant_created_at_id')
        batch_op.drop_index('ix_transactions_template_id')
        batch_op.drop_index('ix_transactions_payment_method_id')
        batch_op.drop_index('ix_transactions_category_id')

    op.drop_table('transactions')
    with op.batch_alter_table('goal_contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_contributions_tenant_id'))
        batch_op.drop_index('ix_goal_contributions_goal_date')

    op.drop_table('goal_contributions')
    with op.batch_alter_table('expense_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expense_templates_tenant_id'))
        batch_op.drop_index('ix_expense_templates_tenant_active')
        batch_op.drop_index('ix_expense_templates_payment_method_id')
        batch_op.drop_index('ix_expense_templates_category_id')

    op.drop_table('expense_templates')
    with op.batch_alter_table('budget_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_entries_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_budget_entries_category_id'))

    op.drop_table('budget_entries')
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refresh_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_refresh_tokens_family_id'))

    op.drop_table('refresh_tokens')
    op.drop_table('profiles')
    with op.batch_alter_table('payment_methods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_methods_tenant_id'))

    op.drop_table('payment_methods')
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_tokens_user_id'))

    op.drop_table('password_reset_tokens')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_at'))

    op.drop_table('idempotency_keys')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_tenant_id'))
        batch_op.drop_index('ix_goals_tenant_created_at')

    op.drop_table('goals')
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_index('uq_cycles_tenant_active', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_cycles_tenant_start_end')
        batch_op.drop_index(batch_op.f('ix_cycles_tenant_id'))

    op.drop_table('cycles')
    op.drop_table('credentials')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_categories_tenant_id'))

    op.drop_table('categories')
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.drop_index('ix_budgets_tenant_period')
        batch_op.drop_index(batch_op.f('ix_budgets_tenant_id'))

    op.drop_table('budgets')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_tenant_id'))

    op.drop_table('users')
    with op.batch_alter_table('exchange_rates', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_rates_currency_date')

    op.drop_table('exchange_rates')
