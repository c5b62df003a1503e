"""Round trips: every section of the export comes back with its links, and a restore reproduces every report.

The rich tenant of ledger.py has rows in every section (a new section without one fails the first test), so
these tests cover every domain that the export declares, and tests/portability/test_format.py makes every
table declare itself.
"""

import json
from collections import defaultdict
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import clock
from colony.portability.sections import SECTIONS
from colony.users import service as user_service
from tests.factories import MakeUser
from tests.portability.ledger import TODAY, build, export_document, report_answers, restore


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def canonical(document: dict[str, Any]) -> dict[str, list[str]]:
    """The document without its ids: each row as its values, a link as the values of the row it names (so
    two documents compare equal when they hold the same rows linked the same way, whatever the ids), rows
    sharing a transfer id as one group."""
    signatures: dict[str, dict[str, str]] = defaultdict(dict)
    result: dict[str, list[str]] = {}
    for section in SECTIONS:
        rows = []
        for row in document[section.name]:
            values = {name: signatures[section.links[name]][value] if name in section.links and value is not None
                      else value for name, value in row.items() if name != "id" and name not in section.shared_ids}
            signature = json.dumps(values, sort_keys=True)
            if "id" in row:
                signatures[section.name][row["id"]] = signature
            rows.append((signature, {name: row[name] for name in section.shared_ids}))
        for name in section.shared_ids:
            groups: dict[str, list[str]] = defaultdict(list)
            for signature, shared in rows:
                if shared[name] is not None:
                    groups[shared[name]].append(signature)
            rows = [(json.dumps([signature, sorted(groups[shared[name]]) if shared[name] else None]), shared)
                    for signature, shared in rows]
        result[section.name] = sorted(signature for signature, _ in rows)
    return result


async def test_every_section_is_in_the_rich_tenant(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await build(client, owner)
    document = await export_document(client, owner)
    empty = [section.name for section in SECTIONS if not document[section.name]]
    assert not empty, f"add rows of {empty} to tests/portability/ledger.py: the round trips cover no section without"


async def test_a_restore_on_the_same_server_brings_every_row_back_with_its_links_under_new_ids(
        client: httpx.AsyncClient, make_user: MakeUser) -> None:
    source, target = await make_user(), await make_user()
    await build(client, source)
    document = await export_document(client, source)

    response = await restore(client, target, document)
    assert response.status_code == 201, response.text
    report = response.json()
    owned = [section for section in SECTIONS if not section.reference]
    assert report["created"] == {section.name: len(document[section.name]) for section in owned} | {
        "securities": 0, "security_prices": 0}  # the server has them: matched, not added
    assert report["ids_changed"] == sum(len(document[section.name]) for section in owned if section.has_ids)

    restored = await export_document(client, target)
    assert canonical(restored) == canonical(document)
    mine = {row["id"] for section in owned for row in restored[section.name]}
    theirs = {row["id"] for section in owned for row in document[section.name]}
    assert not mine & theirs  # every id was in use here: all new, and the source is untouched
    assert await export_document(client, source) | {"exported_at": None} == document | {"exported_at": None}


async def test_a_restore_where_the_ids_are_free_reproduces_every_report_of_the_source(
        client: httpx.AsyncClient, make_user: MakeUser, session: AsyncSession) -> None:
    """As a move to another server: the source is gone, so every id is free and kept, and every answer of
    every report and list is the same, ids included."""
    source = await make_user(base_currency="USD")
    ledger = await build(client, source)
    before = await report_answers(client, source, ledger)
    document = await export_document(client, source)
    await user_service.delete_user(session, source.id)
    await session.flush()

    target = await make_user(base_currency="USD")
    for path in ("/portfolio", "/reports/net-worth?date=2024-06-30"):  # an empty portfolio's state, built now
        assert (await client.get(f"/api/v1{path}", headers=target.headers)).status_code == 200
    response = await restore(client, target, document)
    assert response.status_code == 201, response.text
    assert response.json()["ids_changed"] == 0

    after = await report_answers(client, target, ledger)
    for path, answer in before.items():
        assert after[path] == answer, path
    assert await export_document(client, target) | {"exported_at": None} == document | {"exported_at": None}

