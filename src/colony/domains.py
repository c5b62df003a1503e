"""The one wiring point: every domain, in the order in which they may depend on each other.

A domain may import only the domains listed before it (`lint-imports` holds every package to this
order; see tests/import_contracts.py). From this list the app factory mounts the routers and schedules
the jobs, Alembic and the tests take the models, and each hook a domain contributes is installed into
the extension point of the earlier domain that declares it, here, once, when this module is imported.

To add a domain: copy a package (docs/ARCHITECTURE.md says which), declare it in its `domain.py`, and
add it below.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from colony.admin import domain as admin
from colony.analytics import domain as analytics
from colony.assistant import domain as assistant
from colony.auth import domain as auth
from colony.budgets import domain as budgets
from colony.business import domain as business
from colony.categories import domain as categories
from colony.core.domain import Domain, Hooks
from colony.core.idempotency import IdempotencyKey
from colony.core.jobs import JobRun
from colony.core.models import Base
from colony.currencies import domain as currencies
from colony.cycles import domain as cycles
from colony.exchange_rates import domain as exchange_rates
from colony.goals import domain as goals
from colony.health import domain as health
from colony.imports import domain as imports
from colony.investments import domain as investments
from colony.payment_methods import domain as payment_methods
from colony.portability import domain as portability
from colony.templates import domain as templates
from colony.transactions import domain as transactions
from colony.users import domain as users
from colony.webapp import domain as webapp

DOMAINS: tuple[Domain, ...] = (
    users.domain,
    auth.domain,
    currencies.domain,
    categories.domain,
    payment_methods.domain,
    exchange_rates.domain,
    transactions.domain,
    imports.domain,
    templates.domain,
    cycles.domain,
    budgets.domain,
    goals.domain,
    investments.domain,
    analytics.domain,
    business.domain,
    assistant.domain,
    portability.domain,
    admin.domain,
    webapp.domain,  # the pages at /app, over the services of every domain above
    health.domain,
)

# Tables of core itself (no domain owns the idempotency keys of every POST, or the runs of every job).
CORE_MODELS: tuple[type[Any], ...] = (IdempotencyKey, JobRun)


def install_hooks(domains: Sequence[Domain]) -> None:
    """Fill every declared extension point with what the domains contribute to it, in domain order."""
    contributed: dict[int, list[Any]] = defaultdict(list)
    for domain in domains:
        for contribution in domain.hooks:
            contributed[id(contribution.hooks)].append(contribution.implementation)
    declared: list[Hooks[Any]] = [point for domain in domains for point in domain.extension_points]
    for point in declared:
        point.install(contributed.pop(id(point), []))
    if contributed:
        raise RuntimeError("a domain contributes to an extension point that no domain declares")


def models() -> tuple[type[Any], ...]:
    """Every ORM class of the application, core's included: `Base.metadata` is complete once this module
    is imported (Alembic and the tests rely on it)."""
    return CORE_MODELS + tuple(model for domain in DOMAINS for model in domain.models)


install_hooks(DOMAINS)
metadata = Base.metadata
