from colony.core.errors import NotFound, RuleViolation


class BudgetNotFound(NotFound):
    code = "BUDGET_NOT_FOUND"
    message = "Budget not found"


class BudgetEntriesExceedTotal(RuleViolation):
    code = "BUDGET_ENTRIES_EXCEED_TOTAL"
    message = "The entries of a budget may not sum over its total_amount"
