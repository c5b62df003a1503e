from collections.abc import Sequence

from colony.core.repository import TenantRepository
from colony.core.schemas import PageParams
from colony.investments.institutions.models import Institution


class InstitutionRepository(TenantRepository[Institution]):
    model = Institution

    async def list(self, params: PageParams) -> tuple[Sequence[Institution], int]:
        return await self.page(self.scoped().order_by(Institution.name, Institution.id), params)
