"""A pytest plugin for tests/test_schedule.py (``-p tests.worker_servers``): each xdist worker
writes the servers it started and the cells it ran to ``$WORKER_SERVERS_DIR/<worker>.json``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from harness.fixtures import servers

_RECORD: dict[str, list[Any]] = {"started": [], "ran": []}


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        return
    start = servers.start_server

    def recording(name: str, **options: Any) -> Any:
        _RECORD["started"].append([name, "https" if options else "http"])
        return start(name, **options)

    servers.start_server = recording  # type: ignore[assignment]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _RECORD["ran"].append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Not PYTEST_XDIST_WORKER: a run inside a worker of the self-tests' own run inherits it.
    workerinput = getattr(session.config, "workerinput", None)
    if workerinput is not None:
        folder = Path(os.environ["WORKER_SERVERS_DIR"])
        path = folder / f"{workerinput['workerid']}.json"
        path.write_text(json.dumps(_RECORD), encoding="utf-8")
