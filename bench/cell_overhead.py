"""What a cell costs against the same request made bare: the same client, server and request,
once as a pytest cell and once in a plain loop, measured in one go.

    python bench/cell_overhead.py [--repeat N] [--json OUT.json]
    python bench/cell_overhead.py --profile [--repeat N] [--top N]

The request is methods.get's (suites/test_methods.py: GET /echo?q=1&space=%20x with one
field), over http to stdlib-http11 and uvicorn, from http.client, requests, httpx and curl.
Each pair is timed three ways, N times each, the median kept:

- ``library``: the client's own API in a loop (curl: the curl program), no harness at all;
- ``adapter``: the harness's adapter, ``send()`` of the same RequestSpec, no pytest;
- ``cell``: the cell ``methods.get`` in one pytest run with ``--repeat N`` (bench/cell_times.py
  records every run; each item's first run, which starts the server, is left out): ``cell``
  is setup, call and teardown (what results.json records), ``wall`` the time from one run's
  setup to the next one's, pytest's hooks and reports included.

Every bare request, like every cell, makes a fresh client (a new connection) and closes it.
The servers of the bare loops are started by the harness's launcher, as the cells' are.
Target (issue 16): a cell at most 1.3x a bare request (``cell / library``); ``cell /
adapter`` shows how much of it pytest's is. Exits 1 when a target is missed.

``--profile`` runs the cells of one pair (stdlib-http11, requests) under cProfile instead
(the run loop only, bench/cell_times.py's ``--cell-profile``: pytest's start-up is not a
cell's) and prints the functions that cost the most time of their own, then by cumulative
time.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import extensions, locations  # noqa: E402
from harness.cells import cell_id  # noqa: E402
from harness.fixtures.servers import make_client  # noqa: E402
from harness.launcher import start_server  # noqa: E402
from harness.model import Pairing, RequestSpec, Target  # noqa: E402
from harness.registry import REGISTRY  # noqa: E402
from harness.suites.test_methods import TEST_FIELDS  # noqa: E402

SERVERS = ("stdlib-http11", "uvicorn")
CLIENTS = ("http.client", "requests", "httpx", "curl")
CELLS = "suites/test_methods.py::test_get"  # the simplest GET case, in every pair
CASE = "methods.get"
PROFILED = ("stdlib-http11", "requests")
TARGET_RATIO = 1.3  # a cell at most this many bare requests (issue 16)
RUN_DEADLINE = 900  # seconds for the pytest run of every cell
# methods.get's request (suites/test_methods.py: _expect_arrived).
PATH = "/echo?q=1&space=%20x"
FIELDS = TEST_FIELDS[:1]
SPEC = RequestSpec("GET", PATH, headers=FIELDS)
CONNECT, READ = SPEC.timeouts.connect, SPEC.timeouts.read

Request = Callable[[Target], bytes]


def _http_client(target: Target) -> bytes:
    connection = http.client.HTTPConnection(target.host, target.port, timeout=READ)
    try:
        connection.request("GET", PATH, headers=dict(FIELDS))
        return connection.getresponse().read()
    finally:
        connection.close()


def _requests(target: Target) -> bytes:
    with requests.Session() as session:
        url = target.base_url + PATH
        return session.get(url, headers=dict(FIELDS), timeout=(CONNECT, READ)).content


def _httpx(target: Target) -> bytes:
    with httpx.Client(timeout=httpx.Timeout(READ, connect=CONNECT)) as client:
        return client.get(target.base_url + PATH, headers=dict(FIELDS)).content


def _curl(target: Target) -> bytes:
    fields = [arg for name, value in FIELDS for arg in ("-H", f"{name}: {value}")]
    command = ["curl", "-sS", "--connect-timeout", str(CONNECT), "--max-time", str(READ)]
    done = subprocess.run(
        [*command, *fields, target.base_url + PATH],
        capture_output=True,
        check=True,
        timeout=CONNECT + READ,
    )
    return done.stdout


# Each client's own API, as an application calls it, for the same request.
LIBRARY: dict[str, Request] = {
    "http.client": _http_client,
    "requests": _requests,
    "httpx": _httpx,
    "curl": _curl,
}


def _adapter(name: str) -> Request:
    def send(target: Target) -> bytes:
        client = make_client(name)
        try:
            return client.send(SPEC, target).body
        finally:
            client.close()

    return send


def median_times(kinds: dict[str, Request], target: Target, repeat: int) -> dict[str, float]:
    """The median seconds of ``repeat`` requests of each kind, after one to warm up (imports,
    caches); the kinds take turns, so that a change in the machine's load falls on each."""
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for number in range(repeat + 1):
        for kind, request in kinds.items():
            started = time.perf_counter()
            request(target)
            if number:
                times[kind].append(time.perf_counter() - started)
    return {kind: statistics.median(seconds) for kind, seconds in times.items()}


def bare_times(repeat: int) -> dict[tuple[str, str], dict[str, float]]:
    """(server, client) -> the library's and the adapter's median request, in seconds."""
    times: dict[tuple[str, str], dict[str, float]] = {}
    for server_name in SERVERS:
        server = start_server(server_name)
        try:
            for client in CLIENTS:
                kinds = {"library": LIBRARY[client], "adapter": _adapter(client)}
                times[server_name, client] = median_times(kinds, server.target, repeat)
        finally:
            server.stop()
    return times


def _pytest_command(repeat: int, *servers: str, clients: tuple[str, ...]) -> list[str]:
    command = [sys.executable, "-m", "pytest", CELLS, "-q", "-p", "no:cacheprovider"]
    command += ["--transport", "http", "--repeat", str(repeat)]
    command += [arg for name in servers for arg in ("--server", name)]
    return command + [arg for name in clients for arg in ("--client", name)]


def run_cells(command: list[str]) -> None:
    """Run a pytest command with bench/cell_times.py importable; exit if it fails."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "bench")}
    done = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, timeout=RUN_DEADLINE
    )
    if done.returncode != 0:
        sys.exit(f"the cells' run failed (exit {done.returncode}):\n{done.stdout.decode()}")


def cell_nodeid(server: str, client: str) -> str:
    """The node id of the cell of methods.get for a pair, over http."""
    return f"{CELLS}[{cell_id(CASE, Pairing(server, client, 'http'))}]"


def cell_times(repeat: int) -> dict[tuple[str, str], dict[str, float]]:
    """(server, client) -> the median cell (setup, call, teardown) and wall per cell."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "cell-times.json"
        command = _pytest_command(repeat + 1, *SERVERS, clients=CLIENTS)
        command += ["-p", "cell_times", "--cell-times", str(out)]
        command += ["--results", str(Path(scratch) / "results.json")]
        run_cells(command)
        recorded: dict[str, list[dict[str, Any]]] = json.loads(out.read_text())
    times = {}
    for server in SERVERS:
        for client in CLIENTS:
            nodeid = cell_nodeid(server, client)
            kept = recorded[nodeid][1:]  # the first run starts the server, imports the client
            if not all(run["passed"] for run in kept):
                sys.exit(f"{nodeid} did not pass every run: its times are not a cell's")
            times[server, client] = {
                "cell": statistics.median(run["duration"] for run in kept),
                "wall": statistics.median(
                    later["started"] - run["started"] for run, later in itertools.pairwise(kept)
                ),
            }
    return times


def profile(repeat: int, top: int) -> None:
    """The cells of one pair, ``repeat`` of them, under cProfile (the run loop only: not
    pytest's start-up): the costliest functions."""
    server, client = PROFILED
    with tempfile.TemporaryDirectory() as scratch:
        stats = Path(scratch) / "cells.prof"
        command = _pytest_command(repeat, server, clients=(client,))
        command += ["-p", "cell_times", "--cell-profile", str(stats)]
        command += ["--results", str(Path(scratch) / "results.json")]
        run_cells(command)
        for order in ("tottime", "cumulative"):
            pstats.Stats(str(stats)).strip_dirs().sort_stats(order).print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="requests and cells a pair")
    parser.add_argument("--json", type=Path, help="also write the table here as JSON")
    parser.add_argument("--profile", action="store_true", help="profile the cells instead")
    parser.add_argument("--top", type=int, default=40, help="functions --profile lists")
    options = parser.parse_args()
    if options.repeat < 3:
        parser.error(f"--repeat {options.repeat}: needs at least 3 (a median of spans)")
    if options.profile:
        profile(options.repeat, options.top)
        return 0
    # curl is the examples' client (harness/examples/implementations.toml), as in a run.
    extensions.register_all(REGISTRY, [locations.implementations_file()], {})
    bare = bare_times(options.repeat)
    cells = cell_times(options.repeat)
    rows = []
    for (server, client), times in bare.items():
        row = {"server": server, "client": client, **times, **cells[server, client]}
        row["cell/library"] = row["cell"] / row["library"]
        row["cell/adapter"] = row["cell"] / row["adapter"]
        row["wall/library"] = row["wall"] / row["library"]
        row["ok"] = row["cell/library"] <= TARGET_RATIO
        rows.append(row)
    print(
        f"{'server':14} {'client':12} {'library':>8} {'adapter':>8} {'cell':>8} {'wall':>8}"
        f"  {'cell/lib':>8} {'cell/adp':>8} {'wall/lib':>8}   (ms, medians of {options.repeat})"
    )
    for row in rows:
        ms = [f"{row[key] * 1000:8.2f}" for key in ("library", "adapter", "cell", "wall")]
        ratios = [f"{row[key]:8.2f}" for key in ("cell/library", "cell/adapter", "wall/library")]
        print(
            f"{row['server']:14} {row['client']:12} {' '.join(ms)}  {' '.join(ratios)}"
            f"{'' if row['ok'] else '   MISSED'}"
        )
    print(f"target: cell / library <= {TARGET_RATIO}")
    if options.json:
        options.json.write_text(json.dumps({"target": TARGET_RATIO, "rows": rows}, indent=2))
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
