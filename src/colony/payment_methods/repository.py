from collections.abc import Sequence

from colony.core.repository import TenantRepository, paginate
from colony.core.schemas import PageParams
from colony.payment_methods.models import PaymentMethod


class PaymentMethodRepository(TenantRepository[PaymentMethod]):
    model = PaymentMethod

    async def list(self, is_active: bool | None, params: PageParams) -> tuple[Sequence[PaymentMethod], int]:
        statement = self.scoped()
        if is_active is not None:
            statement = statement.where(PaymentMethod.is_active.is_(is_active))
        statement = statement.order_by(PaymentMethod.name, PaymentMethod.id)
        return await paginate(self.session, statement, params)
