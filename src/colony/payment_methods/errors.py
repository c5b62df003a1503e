from colony.core.errors import Conflict, NotFound


class PaymentMethodNotFound(NotFound):
    code = "PAYMENT_METHOD_NOT_FOUND"
    message = "Payment method not found"


class PaymentMethodInUse(Conflict):
    code = "PAYMENT_METHOD_IN_USE"
    message = "The payment method is used by transactions; deactivate it (is_active: false) instead"
