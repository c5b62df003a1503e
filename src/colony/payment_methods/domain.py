from colony.core.domain import Domain
from colony.payment_methods.models import PaymentMethod
from colony.payment_methods.router import router

domain = Domain(name="payment_methods", routers=(router,), models=(PaymentMethod,))
