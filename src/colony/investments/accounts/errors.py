from colony.core.errors import Conflict, NotFound


class AccountNotFound(NotFound):
    code = "ACCOUNT_NOT_FOUND"
    message = "Account not found"


class AccountInUse(Conflict):
    code = "ACCOUNT_IN_USE"
    message = "Transactions are booked to this account; deactivate it (is_active: false) instead"


class AccountCurrencyInUse(Conflict):
    code = "ACCOUNT_IN_USE"
    message = "The currency of an account with values or transactions booked to it can't change"
