"""unicode lower indexes

On SQLite, `lower()` is now Python's, which folds every letter, not only ASCII (core/db.py). The unique
indexes over `lower(name)` are rebuilt with it, so entries written before agree with the new lookups.
Two names of one tenant that differ only in the case of a non-ASCII letter would stop the rebuild
(they are now the same name): rename one and upgrade again. PostgreSQL's lower() already folded them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 23:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LOWER_NAME_INDEXES = ('uq_categories_tenant_kind_lower_name', 'uq_cycles_tenant_lower_name')


def upgrade() -> None:
    if op.get_context().dialect.name == 'sqlite':
        for name in _LOWER_NAME_INDEXES:
            op.execute(f'REINDEX {name}')


def downgrade() -> None:
    pass  # nothing to undo: the indexes are the same, only rebuilt
