"""Under pytest-xdist, each server's cells on one worker.

xdist's default for ``-n`` (``--dist load``) deals the cells out in chunks whatever their
server, so every worker started every server of the run: on the methods suite with two
clients, ``-n 2`` took 1.02x the serial time (bench/conformance_times.py), the servers'
start-up paid on both workers. Where the run would use ``load``, :class:`ByServer` is used
instead: a unit of work is the cells of one server over one transport (for a cell with no
server process, of one client: harness/shards.py's group), handed out whole, the longest
first (by the groups' measured times, shards.WEIGHTS), to the worker that runs short, so
that the run ends on short units. A server then starts on one worker only, when its first
cell comes (``lazy_servers``). Another ``--dist`` mode is used as given.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Mapping, Sized
from typing import TypeVar

import pytest
from xdist.remote import Producer  # type: ignore[import-untyped]
from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]
from xdist.workermanage import WorkerController  # type: ignore[import-untyped]

from harness import shards
from harness.plugin.options import MATRIX_KEY, Matrix

Tests = TypeVar("Tests", bound=Sized)  # a unit's tests (LoadScopeScheduling: node id -> done)
_LAZY = "http_interop_lazy_servers"  # the controller's word to its workers (workerinput)


def _by_server(config: pytest.Config) -> bool:
    return bool(config.getoption("dist", "no") == "load")


def unit(nodeid: str, matrix: Matrix) -> tuple[str, str]:
    """The unit of work a test belongs to, and the unit's shard group: its cell's group and
    transport; for a test that is no cell, its module (as ``--dist loadscope``) for both."""
    cell = matrix.node(nodeid)
    if cell is None:
        module = nodeid.partition("::")[0]
        return module, module
    pairing = cell[1]
    group = shards.group(pairing)
    return f"{group} {pairing.transport}", group


class ByServer(LoadScopeScheduling):
    """``--dist loadscope`` with :func:`unit` for the scope, the heaviest units first."""

    workqueue: OrderedDict[str, dict[str, bool]]  # LoadScopeScheduling's: unit -> node ids

    def __init__(self, config: pytest.Config, log: Producer | None = None) -> None:
        super().__init__(config, log)
        self._matrix = config.stash[MATRIX_KEY]
        self._groups: dict[str, str] = {}  # unit -> its shard group
        self._ordered = False

    def _split_scope(self, nodeid: str) -> str:
        scope, self._groups[scope] = unit(nodeid, self._matrix)
        return scope

    def _assign_work_unit(self, node: WorkerController) -> None:
        if not self._ordered:
            self.workqueue = OrderedDict(heaviest_first(self.workqueue, self._groups))
            self._ordered = True
        super()._assign_work_unit(node)


def heaviest_first(
    units: Mapping[str, Tests], groups: Mapping[str, str]
) -> list[tuple[str, Tests]]:
    """The units by their expected time, longest first, so that a run ends on short units and
    its workers finish together: a group's measured seconds (shards.WEIGHTS) shared among its
    units by their cells; a group not measured gets the measured groups' mean seconds a
    cell (or 1, if none is)."""
    cells: Counter[str] = Counter()
    for scope, tests in units.items():
        cells[groups[scope]] += len(tests)
    measured = [group for group in cells if group in shards.WEIGHTS]
    measured_cells = sum(cells[group] for group in measured)
    mean = sum(shards.WEIGHTS[group] for group in measured) / measured_cells if measured else 1.0

    def seconds(scope: str, tests: Sized) -> float:
        group = groups[scope]
        if group in shards.WEIGHTS:
            return shards.WEIGHTS[group] * len(tests) / cells[group]
        return mean * len(tests)

    return sorted(units.items(), key=lambda item: -seconds(*item))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> ByServer | None:
    return ByServer(config, log) if _by_server(config) else None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: WorkerController) -> None:
    node.workerinput[_LAZY] = _by_server(node.config)


def lazy_servers(config: pytest.Config) -> bool:
    """Whether this process starts each server at its first cell, rather than every server
    the selected cells need at the first cell of all: on a worker of ``ByServer``, which
    gets some servers' cells only."""
    workerinput = getattr(config, "workerinput", {})
    return bool(workerinput.get(_LAZY, False))
