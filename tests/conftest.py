"""Fixtures for the harness's own tests: deliberately broken servers, started on demand."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.launcher import ServerProcess, launch

TESTS = Path(__file__).parent


@pytest.fixture(scope="session")
def broken_server() -> Iterator[Callable[..., ServerProcess]]:
    """``broken_server(defect, program="broken_server.py")``: a running deliberately broken
    server, one of the programs in tests/ (each started once per session)."""
    running: dict[tuple[str, str], ServerProcess] = {}

    def get(defect: str, program: str = "broken_server.py") -> ServerProcess:
        key = (program, defect)
        if key not in running:
            command = [sys.executable, str(TESTS / program), defect]
            running[key] = launch(f"{program}:{defect}", command)
        return running[key]

    yield get
    for server in running.values():
        server.stop()
