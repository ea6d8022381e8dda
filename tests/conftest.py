"""Fixtures for the harness's own tests: deliberately broken servers, started on demand."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.launcher import ServerProcess, launch

BROKEN_SERVER = Path(__file__).with_name("broken_server.py")


@pytest.fixture(scope="session")
def broken_server() -> Iterator[Callable[[str], ServerProcess]]:
    """``broken_server(defect)``: a running broken server (started once per session)."""
    running: dict[str, ServerProcess] = {}

    def get(defect: str) -> ServerProcess:
        if defect not in running:
            command = [sys.executable, str(BROKEN_SERVER), defect]
            running[defect] = launch(f"broken:{defect}", command)
        return running[defect]

    yield get
    for server in running.values():
        server.stop()
