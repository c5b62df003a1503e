"""Investments: one domain of nested parts, in the order they use each other (see pyproject's contract):
institutions → accounts, securities → activities → portfolio; `engine.py` is the pure calculation core."""

from colony.core.domain import Domain
from colony.exchange_rates import service as rate_service
from colony.investments.accounts import service as account_service
from colony.investments.accounts.models import Account, AccountValue
from colony.investments.accounts.router import router as accounts_router
from colony.investments.accounts.router import transfers_router
from colony.investments.activities.jobs import SYNC_HELD_PRICES
from colony.investments.activities.models import Holding, InvestmentTransaction
from colony.investments.activities.router import router as activities_router
from colony.investments.institutions.models import Institution
from colony.investments.institutions.router import router as institutions_router
from colony.investments.portfolio.refresh import REFRESH_STATES
from colony.investments.portfolio.router import balances_router, reports_router
from colony.investments.portfolio.router import router as portfolio_router
from colony.investments.securities.models import Security, SecurityPrice
from colony.investments.securities.router import router as securities_router
from colony.investments.state.models import (
    PortfolioCash,
    PortfolioDay,
    PortfolioPosition,
    PortfolioSecurity,
    PortfolioState,
)
from colony.transactions import service as transaction_service

domain = Domain(
    name="investments",
    routers=(institutions_router, accounts_router, balances_router, activities_router, transfers_router,
             securities_router, portfolio_router, reports_router),
    models=(Institution, Account, AccountValue, Security, SecurityPrice, Holding, InvestmentTransaction,
            PortfolioState, PortfolioDay, PortfolioPosition, PortfolioCash, PortfolioSecurity),
    jobs=(SYNC_HELD_PRICES, REFRESH_STATES),
    hooks=(transaction_service.ACCOUNT_GUARDS.provide(account_service.guard_transaction_account),
           transaction_service.BOOKING_WATCHERS.provide(account_service.watch_booking),
           rate_service.RATE_WATCHERS.provide(account_service.watch_rates),
           rate_service.CUSTOM_RATE_WATCHERS.provide(account_service.watch_custom_rates)),
)
