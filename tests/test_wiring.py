"""The wiring point holds: every model is declared, every router mounted, every foreign key says what a
delete does, every hook lands in an extension point of an earlier domain."""

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

import colony
from colony import domains
from colony.core.domain import Domain
from colony.core.models import Base


def _every_module() -> list[ModuleType]:
    """Every module of the package, imported (so that a model or router nobody declared is found)."""
    return [importlib.import_module(info.name)
            for info in pkgutil.walk_packages(colony.__path__, prefix="colony.")
            if ".migrations" not in info.name and info.name != "colony.__main__"]


def test_every_model_is_declared_by_one_domain() -> None:
    _every_module()
    mapped = {mapper.class_ for mapper in Base.registry.mappers}
    declared = domains.models()
    assert len(declared) == len(set(declared)), "a model is declared twice"
    assert mapped == set(declared), (
        f"mapped but declared by no domain.py: {sorted(c.__name__ for c in mapped - set(declared))}; "
        f"declared but not mapped: {sorted(c.__name__ for c in set(declared) - mapped)}")


def test_every_router_is_declared_and_mounted(app: FastAPI) -> None:
    routers = {id(value): (module.__name__, name) for module in _every_module()
               for name, value in vars(module).items() if isinstance(value, APIRouter)}
    declared = {id(router) for domain in domains.DOMAINS for router in domain.routers}
    undeclared = sorted(routers[key] for key in set(routers) - declared)
    assert not undeclared, f"routers that no domain.py declares: {undeclared}"
    served = {(path, method.upper()) for path, operations in app.openapi()["paths"].items() for method in operations}
    for domain in domains.DOMAINS:
        for router in domain.routers:
            for route in router.routes:
                assert isinstance(route, APIRoute)
                path = re.sub(r":\w+}", "}", domain.prefix + route.path)  # {id:uuid} is served as {id}
                for method in route.methods or ():
                    assert (path, method) in served, f"{domain.name}: {method} {path} is not served"


def test_every_domain_is_its_package() -> None:
    names = [domain.name for domain in domains.DOMAINS]
    assert len(names) == len(set(names))
    packages = {info.name for info in pkgutil.iter_modules(colony.__path__) if info.ispkg}
    not_domains = {"core", "migrations", "demo"}  # glue, the schema's history, an entry point (like cli.py)
    assert set(names) == packages - not_domains, "a package is not in colony/domains.py, or the reverse"
    for domain in domains.DOMAINS:
        assert importlib.import_module(f"colony.{domain.name}.domain").domain is domain


def test_every_foreign_key_says_what_a_delete_does() -> None:
    _every_module()
    silent = [f"{fk.parent.table.name}.{fk.parent.name}" for table in Base.metadata.tables.values()
              for fk in table.foreign_keys if fk.ondelete is None]
    assert not silent, f"foreign keys without ondelete (CASCADE, SET NULL or RESTRICT): {silent}"


def test_hooks_go_to_extension_points_of_earlier_domains() -> None:
    declared_by = {id(point): index for index, domain in enumerate(domains.DOMAINS)
                   for point in domain.extension_points}
    for index, domain in enumerate(domains.DOMAINS):
        for contribution in domain.hooks:
            owner = declared_by.get(id(contribution.hooks))
            assert owner is not None, f"{domain.name} contributes to {contribution.hooks}, which no domain declares"
            assert owner < index, f"{domain.name} contributes to {contribution.hooks} of a later domain"
            assert contribution.implementation in list(contribution.hooks), "the hook was not installed"


def test_an_extension_point_nobody_installed_refuses_to_run() -> None:
    from colony.core.domain import Hooks

    lonely: Hooks[object] = Hooks("tests.LONELY")
    with pytest.raises(RuntimeError, match=r"tests\.LONELY"):
        list(lonely)
    with pytest.raises(RuntimeError, match="no domain declares"):
        domains.install_hooks([Domain(name="x", hooks=(lonely.provide(object()),))])


def test_job_ids_are_unique() -> None:
    ids = [job.id for domain in domains.DOMAINS for job in domain.jobs]
    assert len(ids) == len(set(ids)) and ids


def test_only_routers_and_jobs_commit_and_routers_through_core_db() -> None:
    """Services and repositories flush; a router commits with `core.db.commit` (which runs what services
    queued with `after_commit`), a job or a command at the end of its own unit of work."""
    source = Path(colony.__file__).parent
    for path in source.rglob("*.py"):
        text = path.read_text()
        if path.name in {"service.py", "repository.py"}:
            assert not re.search(r"(?<!\w)commit\(|\.commit\(", text), \
                f"{path.relative_to(source)} commits: only routers and jobs do"
        if path.name == "router.py":
            assert ".commit()" not in text, f"{path.relative_to(source)}: commit with core.db.commit(session)"
