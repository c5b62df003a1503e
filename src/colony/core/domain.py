"""How a domain declares itself: its routers, its tables, its jobs, and what it adds to other domains' rules.

Each domain package has a `domain.py` holding one `Domain`. `colony/domains.py` lists them all, in the
order they may import each other, and is the one place that the app factory, Alembic, the CLI and the
tests read; it installs every hook, once, when it is imported. Importing a domain's own modules registers
nothing anywhere.

Hooks are how a domain takes part in another's rule without that domain importing it back (the import
order only lets a domain use those before it). The owner of the rule declares `Hooks` in its service and
lists them in `extension_points`; a later domain contributes with `hooks=(SOME_HOOKS.provide(fn),)`.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import APIRouter

from colony.core.jobs import Job

H = TypeVar("H")

API_PREFIX = "/api/v1"


class Hooks(Generic[H]):
    """An extension point: implementations that later domains contribute to one rule of its owner."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._installed: tuple[H, ...] | None = None

    def provide(self, implementation: H) -> "Contribution[H]":
        return Contribution(self, implementation)

    def install(self, implementations: Sequence[H]) -> None:
        self._installed = tuple(implementations)

    def __iter__(self) -> Iterator[H]:
        if self._installed is None:  # loud: a rule silently missing its hooks would lose data
            raise RuntimeError(f"{self.name}: no hooks installed; import colony.domains before using services")
        return iter(self._installed)

    def __repr__(self) -> str:
        return f"Hooks({self.name!r})"


@dataclass(frozen=True, slots=True)
class Contribution(Generic[H]):
    hooks: Hooks[H]
    implementation: H


@dataclass(frozen=True)
class Domain:
    """What the app needs to know of one domain package."""

    name: str  # the package under colony/, e.g. "categories"
    routers: tuple[APIRouter, ...] = ()
    prefix: str = API_PREFIX  # where its routers are mounted ("" for /health and /metrics)
    # Requests are matched against the routes one by one, in mounting order (measured: ~3 µs a route on
    # the expense list): the busiest domain's routers go first.
    busiest: bool = False
    models: tuple[type[Any], ...] = ()  # its ORM classes, every one (a test compares with what is mapped)
    jobs: tuple[Job, ...] = ()
    extension_points: tuple[Hooks[Any], ...] = ()
    hooks: tuple[Contribution[Any], ...] = ()
