"""Investments: one domain of nested parts, in the order they use each other (see pyproject's contract):
institutions → accounts, securities → activities → portfolio; `engine.py` is the pure calculation core."""

from colony.core.domain import Domain
from colony.investments.accounts import service as account_service
from colony.investments.accounts.models import Account, AccountValue
from colony.investments.accounts.router import router as accounts_router
from colony.investments.accounts.router import transfers_router
from colony.investments.activities.jobs import SYNC_HELD_PRICES
from colony.investments.activities.models import Holding, InvestmentTransaction
from colony.investments.activities.router import router as activities_router
from colony.investments.institutions.models import Institution
from colony.investments.institutions.router import router as institutions_router
from colony.investments.portfolio.router import balances_router, reports_router
from colony.investments.portfolio.router import router as portfolio_router
from colony.investments.securities.models import Security, SecurityPrice
from colony.investments.securities.router import router as securities_router
from colony.transactions import service as transaction_service

domain = Domain(
    name="investments",
    routers=(institutions_router, accounts_router, balances_router, activities_router, transfers_router,
             securities_router, portfolio_router, reports_router),
    models=(Institution, Account, AccountValue, Security, SecurityPrice, Holding, InvestmentTransaction),
    jobs=(SYNC_HELD_PRICES,),
    hooks=(transaction_service.ACCOUNT_GUARDS.provide(account_service.guard_transaction_account),),
)
