from colony.core.errors import Conflict, NotFound


class GoalNotFound(NotFound):
    code = "GOAL_NOT_FOUND"
    message = "Goal not found"


class GoalCancelled(Conflict):
    code = "GOAL_CANCELLED"
    message = "The goal is cancelled: reactivate it (status active) to contribute"
