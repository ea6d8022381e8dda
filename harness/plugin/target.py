"""``--target URL``: the server-probe cells against a server the user started themselves
(harness/target.py), and no other cells: no clients are needed, nothing is launched."""

from __future__ import annotations

import pytest

from harness import target
from harness.cells import CELL_KINDS
from harness.plugin.options import MATRIX_KEY, Matrix, cell_of
from harness.registry import REGISTRY

TARGET_KEY = pytest.StashKey[target.TargetServer]()
_CELL_KIND = "server_probe"  # the only kind of cell a --target runs


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("http-interop")
    group.addoption(
        target.OPTION,
        metavar="URL",
        help="run the server probes against a server you started: http://HOST:PORT/PATH or "
        "https://..., PATH any resource that answers GET with 2xx (probes that need the "
        "behaviour contract's endpoints are skipped; no other cells run)",
    )
    group.addoption(
        "--target-ca",
        metavar="FILE",
        help="CA certificates (PEM) to verify an https --target with (default: not verified)",
    )


@pytest.hookimpl(trylast=True)  # after options.pytest_configure made the matrix
def pytest_configure(config: pytest.Config) -> None:
    url = config.getoption("target")
    if url is None:
        return
    for option in ("server", "client"):
        if config.getoption(option):
            raise pytest.UsageError(
                f"--{option} cannot be combined with {target.OPTION}: the target is the only "
                "server, and its cells use no client"
            )
    try:
        server = target.parse(url, config.getoption("target_ca"))
    except target.TargetError as exc:
        raise pytest.UsageError(str(exc)) from None
    REGISTRY.add(server.implementation())
    config.stash[TARGET_KEY] = server
    config.stash[MATRIX_KEY] = Matrix(
        [server.name],
        [],
        {
            kind.fixture: kind.pairings([server.name], [], [server.transport])
            if kind.fixture == _CELL_KIND
            else []
            for kind in CELL_KINDS
        },
    )


def pytest_report_header(config: pytest.Config) -> str | None:
    server = config.stash.get(TARGET_KEY, None)
    if server is None:
        return None
    note = server.note()
    return f"target: {server.url} (named {server.name!r}{f'; {note}' if note else ''})"


# trylast: after baseline's tryfirst hook gave the cells their markers and skips.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Only the target's server-probe cells run: the tests of other kinds of cells (left
    with no parameters) are deselected, not reported as empty."""
    if TARGET_KEY not in config.stash:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        cell = cell_of(item)
        (kept if cell is not None and cell.kind.fixture == _CELL_KIND else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def user_server(pytestconfig: pytest.Config) -> target.TargetServer | None:
    """The server the user started (--target), or None."""
    return pytestconfig.stash.get(TARGET_KEY, None)
