"""The command-line options, the matrix of cells they select, and parametrizing the tests
by the cell kind they take (harness/cells.py)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import extensions, locations
from harness.cases import Case, case_of
from harness.cells import CELL_KINDS, CellKind
from harness.model import TRANSPORTS, Pairing
from harness.registry import REGISTRY, Kind, UnknownImplementation


@dataclass(frozen=True)
class Matrix:
    """The implementations a run selected, and every cell kind's pairings among them."""

    servers: list[str]
    clients: list[str]
    pairings: dict[str, list[Pairing]]  # by cell kind's fixture


@dataclass(frozen=True)
class CellItem:
    """What makes a test item a cell: its case, its kind and its pairing."""

    case: Case
    kind: CellKind
    pairing: Pairing


MATRIX_KEY = pytest.StashKey[Matrix]()


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
    config.stash[MATRIX_KEY] = Matrix(
        servers,
        clients,
        {kind.fixture: kind.pairings(servers, clients, transports) for kind in CELL_KINDS},
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for fixture, pairings in metafunc.config.stash[MATRIX_KEY].pairings.items():
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, pairings, indirect=True, ids=[p.id for p in pairings])


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
