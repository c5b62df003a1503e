from colony.core.errors import Conflict, NotFound, RuleViolation
from colony.transactions import errors as transaction_errors


class CycleNotFound(NotFound):
    code = "CYCLE_NOT_FOUND"
    message = "Cycle not found"


class InvalidCycleDates(RuleViolation):
    code = "INVALID_CYCLE_DATES"
    message = "A cycle's end_date must be 1 to 45 days after its start_date"


class CycleOverlap(Conflict):
    code = "CYCLE_OVERLAP"
    message = "The dates overlap another cycle"


class CycleNameExists(Conflict):
    code = "CYCLE_NAME_EXISTS"
    message = "A cycle with this name already exists"


class InvalidCycleTransition(Conflict):
    code = "INVALID_CYCLE_TRANSITION"
    message = "A cycle goes from draft to active to completed only"


class ActiveCycleExists(Conflict):
    code = "ACTIVE_CYCLE_EXISTS"
    message = "Another cycle is already active; complete it first"


# Defined with the transactions it protects, which cannot import cycles (see pyproject's contracts).
CycleAlreadyCompleted = transaction_errors.CycleAlreadyCompleted
