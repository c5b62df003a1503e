from colony.core.domain import Domain
from colony.goals.models import Goal, GoalContribution
from colony.goals.router import router

domain = Domain(name="goals", routers=(router,), models=(Goal, GoalContribution))
