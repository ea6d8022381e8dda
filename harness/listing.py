"""What ``http-interop list`` shows: every implementation a run can select (this package's
table, entry points of other packages, the examples' implementations file and ``--impls``
files) and every case of the suites."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

from harness import extensions, locations
from harness.cases import CATALOGUE
from harness.registry import REGISTRY, Kind

SUITES = "harness.suites"


def implementations(files: list[Path]) -> list[dict[str, Any]]:
    """Every implementation, as a run with ``--impls FILE`` for each of ``files`` sees them."""
    extensions.register_all(REGISTRY, [locations.implementations_file(), *files], {})
    return [
        {
            "name": impl.name,
            "kind": str(impl.kind),
            "description": impl.description,
            "package": impl.package,
            "origin": impl.origin,
            "lacks": sorted(map(str, impl.lacks)),
            "unavailable": impl.unavailable(),
        }
        # Servers first, then clients, each in the registry's order.
        for impl in sorted(REGISTRY.all(), key=lambda impl: impl.kind is not Kind.SERVER)
    ]


def cases() -> list[dict[str, str]]:
    """Every case of the suites: importing a suite module registers its cases."""
    package = importlib.import_module(SUITES)
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("test_"):
            importlib.import_module(f"{SUITES}.{module.name}")
    return [
        {"id": case.id, "suite": case.suite, "rfc": case.rfc, "level": str(case.level)}
        for case in sorted(CATALOGUE.cases(), key=lambda case: case.id)
    ]


def render(implementations: list[dict[str, Any]], cases: list[dict[str, str]]) -> list[str]:
    """The listing as lines of text."""
    lines = [f"Implementations ({len(implementations)}):"]
    name = max(len(impl["name"]) for impl in implementations)
    origin = max(len(impl["origin"]) for impl in implementations)
    for impl in implementations:
        line = f"  {impl['name']:<{name}}  {impl['kind']:<6}  {impl['origin']:<{origin}}  "
        line += impl["description"]
        if impl["unavailable"]:
            line += f" [not here: {impl['unavailable']}]"
        lines.append(line)
    lines.append(f"\nCases ({len(cases)}):")
    width = max((len(case["id"]) for case in cases), default=0)
    lines += [f"  {case['id']:<{width}}  {case['level']:<6}  {case['rfc']}" for case in cases]
    return lines
