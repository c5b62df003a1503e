"""The v1 API: every domain router, under `/api/v1`."""

from fastapi import APIRouter

from colony.admin.router import router as admin_router
from colony.analytics.router import router as analytics_router
from colony.auth.router import router as auth_router
from colony.budgets.router import router as budgets_router
from colony.business.router import router as business_router
from colony.categories.router import router as categories_router
from colony.currencies.router import router as currencies_router
from colony.cycles.router import router as cycles_router
from colony.exchange_rates.router import router as exchange_rates_router
from colony.goals.router import router as goals_router
from colony.payment_methods.router import router as payment_methods_router
from colony.templates.router import router as templates_router
from colony.transactions.csv_router import router as transactions_csv_router
from colony.transactions.router import expenses_router, transactions_router
from colony.users.router import router as users_router

api_router = APIRouter(prefix="/api/v1")
# Requests are matched against routes in this order, one by one: the busiest routers come first.
api_router.include_router(expenses_router)
api_router.include_router(transactions_csv_router)  # before /transactions/{id}
api_router.include_router(transactions_router)
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(business_router)
api_router.include_router(admin_router)
api_router.include_router(categories_router)
api_router.include_router(payment_methods_router)
api_router.include_router(currencies_router)
api_router.include_router(exchange_rates_router)
api_router.include_router(analytics_router)
api_router.include_router(templates_router)
api_router.include_router(cycles_router)
api_router.include_router(budgets_router)
api_router.include_router(goals_router)
