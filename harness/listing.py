"""What ``http-interop list`` shows: every implementation a run can select (this package's
table, entry points of other packages, the examples' implementations file and ``--impls``
files) and every case of the suites, with the probe catalogue's cross-references (an entry's
``see_also``: other catalogues' ids for the same check)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

from harness import extensions, locations
from harness.cases import CATALOGUE
from harness.implementation import Kind
from harness.registry import REGISTRY

SUITES = "harness.suites"
PROBES = f"{SUITES}.probes"  # the probe catalogue's entries (harness/catalogue.py)


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


def cases() -> list[dict[str, Any]]:
    """Every case of the suites (importing a suite module registers its cases), with the
    other catalogues' ids its probe entry names (none for a case that is no entry)."""
    package = importlib.import_module(SUITES)
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("test_"):
            importlib.import_module(f"{SUITES}.{module.name}")
    see_also = {entry.id: entry.see_also for entry in importlib.import_module(PROBES).ENTRIES}
    return [
        {
            "id": case.id,
            "suite": case.suite,
            "rfc": case.rfc,
            "level": str(case.level),
            "see_also": list(see_also.get(case.id, ())),
        }
        for case in sorted(CATALOGUE.cases(), key=lambda case: case.id)
    ]


def render(implementations: list[dict[str, Any]], cases: list[dict[str, Any]]) -> list[str]:
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
    for case in cases:
        line = f"  {case['id']:<{width}}  {case['level']:<6}  {case['rfc']}"
        if case["see_also"]:
            line += f"  (see also {', '.join(case['see_also'])})"
        lines.append(line)
    return lines
