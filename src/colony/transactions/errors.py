from colony.core.errors import Conflict, NotFound


class TransactionNotFound(NotFound):
    code = "TRANSACTION_NOT_FOUND"
    message = "Transaction not found"


class ExpenseNotFound(NotFound):
    code = "EXPENSE_NOT_FOUND"
    message = "Expense not found"


class CycleAlreadyCompleted(Conflict):
    code = "CYCLE_ALREADY_COMPLETED"
    message = "The cycle is completed: it and its transactions can't be changed"


class TransactionIsTransferLeg(Conflict):
    code = "TRANSACTION_IS_TRANSFER_LEG"
    message = "This transaction is one leg of a transfer: change or delete the transfer (/transfers/{id})"


class TransferNotFound(NotFound):
    code = "TRANSFER_NOT_FOUND"
    message = "Transfer not found"
