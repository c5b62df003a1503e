"""An import-linter contract that reads the order of the domains from the wiring point itself.

`lint-imports` loads it (pyproject.toml: `contract_types`). It is a layers contract whose middle layers
are the domains of `colony/domains.py`, each above those listed before it, so that the order exists in
one place: the list the app is built from. It is exhaustive: a package under `colony/` that is neither a
domain of that list nor one of the fixed layers above and below them breaks the contract.
"""

import importlib
from typing import Any

from importlinter.contracts.layers import LayersContract


class DomainOrderContract(LayersContract):
    """Options: `domains` ("module:ATTRIBUTE", a sequence of objects with a `name`), `above` and `below`
    (layers as a layers contract writes them, relative to the root package)."""

    type_name = "domain_order"

    def __init__(self, name: str, session_options: dict[str, Any], contract_options: dict[str, Any]) -> None:
        options = dict(contract_options)
        module_name, _, attribute = options.pop("domains").partition(":")
        domains = getattr(importlib.import_module(module_name), attribute)
        layers = [*options.pop("above"), *(domain.name for domain in reversed(domains)), *options.pop("below")]
        options.update(layers=layers, containers=list(session_options["root_packages"]), exhaustive="true")
        super().__init__(name, session_options, options)
