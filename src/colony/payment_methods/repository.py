import uuid
from collections.abc import Sequence

from sqlalchemy import select

from colony.core.repository import TenantRepository
from colony.core.schemas import PageParams
from colony.payment_methods.models import PaymentMethod


class PaymentMethodRepository(TenantRepository[PaymentMethod]):
    model = PaymentMethod

    async def list(self, is_active: bool | None, params: PageParams) -> tuple[Sequence[PaymentMethod], int]:
        statement = self.scoped()
        if is_active is not None:
            statement = statement.where(PaymentMethod.is_active.is_(is_active))
        return await self.page(statement.order_by(PaymentMethod.name, PaymentMethod.id), params)

    async def names(self) -> dict[uuid.UUID, str]:
        rows = await self.session.execute(select(PaymentMethod.id, PaymentMethod.name).where(self._mine()))
        return {row[0]: row[1] for row in rows}
