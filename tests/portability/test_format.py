"""The format declares every table: exported, or not with a reason; links only to earlier sections; every
column with a rule; and docs/EXPORT.md documents every section and field. A new table, column or domain
fails here until it says how it travels."""

from pathlib import Path

import sqlalchemy as sa

from colony.domains import metadata
from colony.portability.sections import NOT_EXPORTED, SECTIONS, STAMPED, USERS_TABLE

EXPORT_DOC = Path(__file__).resolve().parents[2] / "docs" / "EXPORT.md"


def test_every_table_is_exported_or_says_why_not() -> None:
    exported = [section.name for section in SECTIONS]
    assert len(exported) == len(set(exported))
    assert not set(exported) & set(NOT_EXPORTED), "a table is both exported and not"
    unknown = sorted(set(metadata.tables) - set(exported) - set(NOT_EXPORTED))
    assert not unknown, (f"tables that neither travel in the export nor say why not: {unknown}; add a Section to "
                         "colony/portability/sections.py (and docs/EXPORT.md), or a reason to NOT_EXPORTED")
    assert not set(NOT_EXPORTED) - set(metadata.tables), "NOT_EXPORTED names a table that no longer exists"
    assert all(reason.strip() for reason in NOT_EXPORTED.values())


def test_every_link_points_at_an_earlier_section() -> None:
    """So that a restore, reading in document order, always knows the row a link names."""
    seen: set[str] = set()
    for section in SECTIONS:
        for column in section.table.columns:
            for key in column.foreign_keys:
                where, target = f"{section.name}.{column.name}", key.column.table.name
                if column.name in STAMPED:
                    assert target == USERS_TABLE, where
                elif column.name not in section.omit:
                    assert target in seen, f"{where} links to {target}, which is not a section before it"
        seen.add(section.name)


def test_every_id_is_a_key_a_link_or_a_shared_id() -> None:
    """A uuid column that is not a foreign key must say how a restore treats it (a transfer's legs share one)."""
    for section in SECTIONS:
        for column in section.columns:
            if isinstance(column.type, sa.Uuid) and column.name != "id" and not column.foreign_keys:
                assert column.name in section.shared_ids, f"{section.name}.{column.name}"
        assert set(section.shared_ids) <= set(section.column_names)
        assert set(section.order_by) <= set(section.column_names)
        assert set(section.omit) <= {column.name for column in section.table.columns}
        assert all(reason.strip() for reason in section.omit.values())


def test_reference_data_is_only_what_the_tenants_rows_point_at() -> None:
    tenant_links = {target for section in SECTIONS if not section.reference for target in section.links.values()}
    for section in SECTIONS:
        if section.reference:
            assert section.name in tenant_links or set(section.links.values()) <= tenant_links, section.name


def test_every_column_has_a_rule_both_ways() -> None:
    for section in SECTIONS:
        assert len(section.encoders) == len(section.columns)
        assert set(section.row_model.model_fields) == set(section.column_names)


def test_the_format_is_documented_field_by_field() -> None:
    """docs/EXPORT.md has a row `| `section` | ... |` naming every field of every section."""
    text = EXPORT_DOC.read_text()
    for section in SECTIONS:
        (line,) = [line for line in text.splitlines() if line.startswith(f"| `{section.name}` |")]
        missing = [name for name in section.column_names if f"`{name}`" not in line.split("|", 2)[2]]
        assert not missing, f"docs/EXPORT.md: {section.name} lacks {missing}"
