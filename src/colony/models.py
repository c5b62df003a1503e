"""Every ORM model, imported once so `Base.metadata` is complete (for Alembic and the tests)."""

from colony.auth.models import PasswordResetToken, RefreshToken
from colony.budgets.models import Budget, BudgetEntry
from colony.categories.models import Category
from colony.core.idempotency import IdempotencyKey
from colony.core.models import Base
from colony.cycles.models import Cycle
from colony.exchange_rates.models import ExchangeRate
from colony.goals.models import Goal, GoalContribution
from colony.payment_methods.models import PaymentMethod
from colony.templates.models import ExpenseTemplate
from colony.transactions.models import Transaction
from colony.users.models import Credentials, Profile, User

__all__ = ["Base", "Budget", "BudgetEntry", "Category", "Credentials", "Cycle", "ExchangeRate", "ExpenseTemplate",
           "Goal", "GoalContribution", "IdempotencyKey", "PasswordResetToken", "PaymentMethod", "Profile",
           "RefreshToken", "Transaction", "User"]
