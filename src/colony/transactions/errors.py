from colony.core.errors import NotFound


class TransactionNotFound(NotFound):
    code = "TRANSACTION_NOT_FOUND"
    message = "Transaction not found"


class ExpenseNotFound(NotFound):
    code = "EXPENSE_NOT_FOUND"
    message = "Expense not found"
