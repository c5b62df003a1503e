from colony.core.errors import NotFound, RuleViolation


class HoldingNotFound(NotFound):
    code = "HOLDING_NOT_FOUND"
    message = "Holding not found"


class InvestmentTransactionNotFound(NotFound):
    code = "INVESTMENT_TRANSACTION_NOT_FOUND"
    message = "Investment transaction not found"


class InsufficientQuantity(RuleViolation):
    code = "INSUFFICIENT_QUANTITY"
    message = "The account does not hold that many units on that date"


class NotAnInvestmentAccount(RuleViolation):
    code = "NOT_AN_INVESTMENT_ACCOUNT"
    message = "Holdings and investment transactions belong to investment or retirement accounts"
