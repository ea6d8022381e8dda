"""The command-line options, the matrix of cells they select, and parametrizing the tests
by the cell kind they take (harness/cells.py)."""

from __future__ import annotations

import argparse
import functools
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from harness import extensions, locations
from harness.cases import Case, Level, Section, case_of
from harness.cells import CELL_KINDS, CellKind, cell_id
from harness.implementation import Kind, UnknownImplementation
from harness.model import TRANSPORTS, Pairing
from harness.registry import REGISTRY


@dataclass(frozen=True)
class Matrix:
    """The implementations a run selected, and every cell kind's pairings among them."""

    servers: list[str]
    clients: list[str]
    pairings: dict[str, list[Pairing]]  # by cell kind's fixture

    def node(self, nodeid: str) -> tuple[str, Pairing] | None:
        """The case id and pairing of a cell's node id (``...[<case>-<pairing>]``,
        harness.cells.cell_id), or None for a test that is no cell of this matrix: all the
        xdist controller knows of a cell before its reports arrive."""
        case_id, _, pairing_id = nodeid.partition("[")[2].removesuffix("]").partition("-")
        pairing = self._by_id.get(pairing_id)
        return (case_id, pairing) if "." in case_id and pairing else None

    @functools.cached_property
    def _by_id(self) -> dict[str, Pairing]:
        return {p.id: p for ps in self.pairings.values() for p in ps}


@dataclass(frozen=True)
class CellItem:
    """What makes a test item a cell: its case, its kind and its pairing."""

    case: Case
    kind: CellKind
    pairing: Pairing


@dataclass(frozen=True)
class Selection:
    """What --case, --level and --rfc select: a case that meets every option given (and,
    within an option, any of its values)."""

    patterns: list[str]
    levels: list[Level]
    sections: list[Section]

    def selects(self, case: Case) -> bool:
        return (
            (not self.patterns or any(fnmatchcase(case.id, p) for p in self.patterns))
            and (not self.levels or case.level in self.levels)
            and (
                not self.sections
                or any(s.within(prefix) for s in case.sections for prefix in self.sections)
            )
        )


MATRIX_KEY = pytest.StashKey[Matrix]()
USAGE_ERROR = "http_interop_usage_error"  # the workeroutput key of a worker's usage error
_CASE_PATTERN = re.compile(r"[a-z0-9_.*]+")


def _repeat_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of runs, 1 or more, got {text!r}"
        )
    return count


def _level(text: str) -> Level:
    try:
        return Level(text.upper())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected one of {', '.join(Level)}, got {text!r}"
        ) from None


def _section(text: str) -> Section:
    try:
        return Section.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _case_pattern(text: str) -> str:
    if not _CASE_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"expected a case id or a pattern of one with * wildcards (lowercase letters, "
            f"digits, _ and ., e.g. 'chunked.request.*'), got {text!r}"
        )
    return text


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("http-interop", "HTTP interop conformance")
    group.addoption(
        "--server",
        action="append",
        metavar="NAME",
        help="server implementation to run (repeatable; default: every built-in server)",
    )
    group.addoption(
        "--client",
        action="append",
        metavar="NAME",
        help="client implementation to run (repeatable; default: every built-in client)",
    )
    group.addoption(
        "--transport",
        action="append",
        choices=TRANSPORTS,
        help="http or https (repeatable; default: both)",
    )
    group.addoption(
        "--case",
        action="append",
        type=_case_pattern,
        metavar="PATTERN",
        help="run only the cases whose id matches PATTERN, * matching any run of characters "
        "(repeatable: any pattern; e.g. 'chunked.request.*')",
    )
    group.addoption(
        "--level",
        action="append",
        type=_level,
        metavar="LEVEL",
        help="run only the cases of requirement level MUST, SHOULD or MAY (repeatable)",
    )
    group.addoption(
        "--rfc",
        action="append",
        type=_section,
        metavar="SECTION",
        help="run only the cases that cite an RFC section or one of its subsections: "
        "'9112 §6' (or 'RFC 9112 §6', '9112 6') selects §6, §6.1, §6.3, not §60; '9112' the "
        "whole RFC (repeatable: any section)",
    )
    group.addoption(
        "--expectations",
        metavar="DIR",
        help="folder of <implementation>.toml expectation files (default: suites/expectations)",
    )
    group.addoption(
        "--update-baseline",
        action="store_true",
        help="rewrite the expectation files from this run's results",
    )
    group.addoption(
        "--impls",
        action="append",
        metavar="FILE",
        help="a TOML file of implementations run as commands (repeatable; "
        "the examples' implementations file is always read; "
        "docs/adding-an-implementation.md)",
    )
    group.addoption(
        "--server-cmd",
        action="append",
        metavar="NAME=COMMAND",
        help="add a server run as COMMAND, a template with {host} and {port} that prints "
        "LISTENING <host> <port> when ready (repeatable; plain HTTP only)",
    )
    group.addoption(
        "--client-cmd",
        action="append",
        metavar="NAME=COMMAND",
        help="add a client run as COMMAND: it reads a request as JSON on stdin and prints "
        "the exchange as JSON (repeatable; docs/contract.md)",
    )
    group.addoption(
        "--results",
        metavar="FILE",
        help="where to write the results JSON (default: reports/results.json); the HTML "
        "report and summary are written beside it (conformance.html and summary.md, or named "
        "after FILE: results-x.json gets conformance-x.html and summary-x.md)",
    )
    group.addoption(
        "--repeat",
        metavar="N",
        type=_repeat_count,
        default=1,
        help="run every selected cell N times; cells whose outcome varied are marked flaky",
    )


def root(config: pytest.Config) -> Path:
    return Path(config.rootpath)


def expectations_dir(config: pytest.Config) -> Path:
    option = config.getoption("expectations")
    return Path(option) if option else locations.expectations()


def _selected(config: pytest.Config, option: str, kind: Kind) -> list[str]:
    names = config.getoption(option) or REGISTRY.names(kind)
    for name in names:
        try:
            REGISTRY.get(kind, name)
        except UnknownImplementation as exc:
            raise pytest.UsageError(f"--{option}: {exc}") from None
    return list(dict.fromkeys(names))


def _register_extensions(config: pytest.Config) -> None:
    """Entry points, implementation files and --server-cmd/--client-cmd, into the registry
    (on the controller and on every xdist worker alike: they get the same options)."""
    files = [locations.implementations_file()]
    files += [Path(path) for path in config.getoption("impls") or []]
    options = {
        Kind.SERVER: config.getoption("server_cmd") or [],
        Kind.CLIENT: config.getoption("client_cmd") or [],
    }
    try:
        extensions.register_all(REGISTRY, files, options)
    except extensions.ExtensionError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_configure(config: pytest.Config) -> None:
    _register_extensions(config)
    servers = _selected(config, "server", Kind.SERVER)
    clients = _selected(config, "client", Kind.CLIENT)
    transports = list(dict.fromkeys(config.getoption("transport") or TRANSPORTS))
    # A WebSocket-only client has cells of the WebSocket kinds only (CellKind.websocket).
    http_clients = [c for c in clients if not REGISTRY.get(Kind.CLIENT, c).websocket_only]
    config.stash[MATRIX_KEY] = Matrix(
        servers,
        clients,
        {
            kind.fixture: kind.pairings(
                servers, clients if kind.websocket else http_clients, transports
            )
            for kind in CELL_KINDS
        },
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests the matrix has no cell of (a TLS test under ``--transport http``)
    and the cells whose case --case, --level and --rfc do not select or whose case does not
    run over their transport (Case.transports) (deselected, not
    skipped: they are not part of this run, and pytest counts them as such)."""
    selection = Selection(
        config.getoption("case") or [],
        config.getoption("level") or [],
        config.getoption("rfc") or [],
    )
    error = None
    if selection.patterns or selection.levels or selection.sections:
        error = _unmatched(selection.patterns, items)
        if error is not None:
            _refuse(config, error)  # raises, except on an xdist worker: there nothing runs
    kept: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        cell = cell_of(item)
        chosen = error is None and (
            selection.selects(cell.case) and on_its_transports(cell)
            if cell is not None
            else not _without_cells(item)
        )
        (kept if chosen else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def on_its_transports(cell: CellItem) -> bool:
    """Whether the cell's transport is one its case runs over (Case.transports)."""
    return not cell.case.transports or cell.pairing.transport in cell.case.transports


def _unmatched(patterns: list[str], items: list[pytest.Item]) -> str | None:
    """The usage error for a --case pattern that matches no case collected, if one does."""
    cases = {cell.case.id: cell.case for item in items if (cell := cell_of(item))}
    for pattern in patterns:
        if not any(fnmatchcase(case_id, pattern) for case_id in cases):
            suites = ", ".join(sorted({case.suite for case in cases.values()}))
            return (
                f"--case {pattern!r} matches none of the {len(cases)} cases collected "
                f"(suites: {suites}; python -m harness list shows every case id)"
            )
    return None


def _refuse(config: pytest.Config, error: str) -> None:
    """A usage error found at collection: raised where pytest collects; an xdist worker
    (where raising is an internal error) hands it to the controller, which exits with it."""
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is None:
        raise pytest.UsageError(error)
    workeroutput[USAGE_ERROR] = error


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the xdist controller: a worker's usage error ends the run with it."""
    usage_error = getattr(node, "workeroutput", {}).get(USAGE_ERROR)
    if usage_error:
        pytest.exit(usage_error, returncode=pytest.ExitCode.USAGE_ERROR)


# trylast: after the suite's own parametrize marks, so that a case among a test's parameters
# (the TLS scenarios, whose ids are their case ids) comes first in the id, as a decorated
# test's case does: every cell's id is harness.cells.cell_id's.
@pytest.hookimpl(trylast=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    case = case_of(metafunc.function)
    for fixture, pairings in metafunc.config.stash[MATRIX_KEY].pairings.items():
        if fixture in metafunc.fixturenames:
            ids = [p.id if case is None else cell_id(case.id, p) for p in pairings]
            metafunc.parametrize(fixture, pairings, indirect=True, ids=ids)


def _without_cells(item: pytest.Item) -> bool:
    """A test that takes a cell fixture the matrix has no pairing for (the TLS suite's under
    ``--transport http``): parametrized with none, pytest still collects it once, its
    parameter left unset, which is no cell of this run."""
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    return any(
        kind.fixture in params and not isinstance(params[kind.fixture], Pairing)
        for kind in CELL_KINDS
    )


def cell_of(item: pytest.Item) -> CellItem | None:
    """The case, kind and pairing of a cell (``None`` for a test that is no cell). The case
    is the test function's (its decorator) or, for a test parametrized over several cases,
    the Case among its parameters."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    function = getattr(item, "function", None)
    case = (case_of(function) if function is not None else None) or next(
        (value for value in callspec.params.values() if isinstance(value, Case)), None
    )
    if case is None:
        return None
    for kind in CELL_KINDS:
        pairing = callspec.params.get(kind.fixture)
        if isinstance(pairing, Pairing):
            return CellItem(case, kind, pairing)
    return None
