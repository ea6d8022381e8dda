"""Under pytest-xdist, each server's cells go to one worker, which alone starts that server
(harness/plugin/schedule.py); a cell's pairing is read back from its id."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.cells import CELL_KINDS, cell_id
from harness.implementation import Kind
from harness.model import TRANSPORTS, Pairing
from harness.plugin.options import Matrix
from harness.plugin.schedule import heaviest_first, unit
from harness.registry import REGISTRY
from harness.shards import WEIGHTS
from tests.pytest_run import run_pytest

SERVERS = REGISTRY.names(Kind.SERVER)
CLIENTS = REGISTRY.names(Kind.CLIENT)
MATRIX = Matrix(
    SERVERS,
    CLIENTS,
    {kind.fixture: kind.pairings(SERVERS, CLIENTS, list(TRANSPORTS)) for kind in CELL_KINDS},
)


def _node(module: str, case: str, pairing: Pairing) -> str:
    return f"suites/{module}::test_x[{cell_id(case, pairing)}]"


def test_every_cell_reads_back_from_its_node_id() -> None:
    pairings = {pairing for kind_pairings in MATRIX.pairings.values() for pairing in kind_pairings}
    assert any("-" in (p.server or "") and p.client for p in pairings)  # the hard case
    for pairing in pairings:
        assert MATRIX.node(_node("test_x.py", "suite.case", pairing)) == ("suite.case", pairing)


@pytest.mark.parametrize(
    "nodeid",
    [
        "tests/test_x.py::test_y",
        "suites/test_x.py::test_y[suite.case-nobody-http]",
        "suites/test_x.py::test_y[suite.case-stdlib-http11-tcp]",
        "suites/test_x.py::test_y[nocase-stdlib-http11-http]",
    ],
)
def test_a_test_of_no_cell_reads_as_none(nodeid: str) -> None:
    assert MATRIX.node(nodeid) is None


def test_a_unit_is_a_server_and_transport_whatever_the_suite() -> None:
    units = {
        unit(_node(module, case, Pairing("stdlib-http11", client, "http")), MATRIX)[0]
        for module, case in (("test_methods.py", "methods.get"), ("test_probes.py", "probes.x"))
        for client in ("requests", None)
    }
    assert units == {"server stdlib-http11 http"}
    https = _node("test_methods.py", "methods.get", Pairing("stdlib-http11", "requests", "https"))
    assert unit(https, MATRIX) == ("server stdlib-http11 https", "server stdlib-http11")
    scripted = _node("test_responses.py", "responses.x", Pairing(None, "requests", "http"))
    assert unit(scripted, MATRIX) == ("client requests http", "client requests")
    assert unit("tests/test_x.py::test_y", MATRIX) == ("tests/test_x.py", "tests/test_x.py")


def test_units_go_out_heaviest_first() -> None:
    # A group's measured seconds shared among its units by their cells; an unmeasured
    # group at the measured groups' mean seconds a cell.
    units = {
        "client requests http": range(1),
        "server stdlib-http10 http": range(10),
        "client requests https": range(9),
        "server twisted http": range(5),
        "server twisted https": range(5),
        "server mine http": range(1000),
    }
    groups = {scope: scope.rsplit(" ", 1)[0] for scope in units}
    order = [scope for scope, _ in heaviest_first(units, groups)]
    assert order == [
        "server mine http",
        "server twisted http",
        "server twisted https",
        "server stdlib-http10 http",
        "client requests https",
        "client requests http",
    ]
    assert WEIGHTS["server twisted"] / 2 > WEIGHTS["server stdlib-http10"]
    assert WEIGHTS["server stdlib-http10"] > WEIGHTS["client requests"] * 0.9


def test_each_server_starts_on_one_worker_which_runs_all_its_cells(tmp_path: Path) -> None:
    servers = ("stdlib-http11", "stdlib-threading", "uvicorn")
    done = run_pytest(
        "suites/test_methods.py",
        *("-k", "test_get or test_post or test_head"),
        *(arg for server in servers for arg in ("--server", server)),
        *("--client", "requests", "--client", "http.client", "-n", "2"),
        *("-p", "tests.worker_servers", f"--results={tmp_path / 'results.json'}"),
        env={**os.environ, "WORKER_SERVERS_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = [json.loads(path.read_text()) for path in sorted(tmp_path.glob("gw*.json"))]
    assert len(workers) == 2 and all(worker["ran"] for worker in workers)
    started = [sorted(map(tuple, worker["started"])) for worker in workers]
    assert sorted(started[0] + started[1]) == sorted(
        (server, transport) for server in servers for transport in ("http", "https")
    )  # each server once, on one worker or the other
    for worker, begun in zip(workers, started, strict=True):
        ran = {unit(nodeid, MATRIX)[0] for nodeid in worker["ran"]}
        assert ran == {f"server {name} {transport}" for name, transport in begun}


def test_another_dist_mode_is_used_as_given(tmp_path: Path) -> None:
    done = run_pytest(
        "suites/test_methods.py",
        *("-k", "test_get", "--server", "stdlib-http11", "--server", "uvicorn"),
        *("--client", "requests", "--transport", "http", "-n", "2", "--dist", "loadfile"),
        *("-p", "tests.worker_servers", f"--results={tmp_path / 'results.json'}"),
        env={**os.environ, "WORKER_SERVERS_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = [json.loads(path.read_text()) for path in sorted(tmp_path.glob("gw*.json"))]
    # loadfile sends the one module to one worker, which starts both servers at once.
    assert sorted(len(worker["started"]) for worker in workers) in ([0, 2], [2])
