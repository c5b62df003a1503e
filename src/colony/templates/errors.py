from colony.core.errors import NotFound


class ExpenseTemplateNotFound(NotFound):
    code = "EXPENSE_TEMPLATE_NOT_FOUND"
    message = "Expense template not found"
