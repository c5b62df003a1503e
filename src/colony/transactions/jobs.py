"""Work over every tenant that owns its transactions: the recount of the monthly totals (`colony analytics
rebuild`)."""

from collections.abc import Callable
from dataclasses import dataclass

from colony.core.db import Database
from colony.transactions import service as transaction_service


@dataclass(frozen=True, slots=True)
class Rebuilt:
    tenants: int
    rows: int


async def rebuild_all_totals(database: Database, progress: Callable[[int, int], None] | None = None) -> Rebuilt:
    """Recount the monthly totals of every tenant that has transactions or totals, one transaction per tenant
    (writers wait for one tenant's recount at most). Running it again changes nothing."""
    async with database.sessionmaker() as session:
        tenant_ids = await transaction_service.tenants_with_totals(session)
    rows = 0
    for done, tenant_id in enumerate(tenant_ids, 1):
        async with database.sessionmaker() as session:
            rows += await transaction_service.rebuild_totals(session, tenant_id)
            await session.commit()
        if progress is not None:
            progress(done, len(tenant_ids))
    return Rebuilt(len(tenant_ids), rows)
