"""The results record of a run and how it is written (``reports/results.json``).

The plugin turns pytest's reports into :class:`CellResult` records; nothing here imports
pytest, so the later report, diff and merge commands can read the same records.
"""

from __future__ import annotations

import datetime
import enum
import json
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.registry import Implementation

SCHEMA_VERSION = 2  # docs/results-schema.md; 2 added transcript, outcomes and flaky
MESSAGE_LIMIT = 4000  # characters of a failure message kept per cell


class Outcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    KNOWN = "known"  # a listed deviation that still deviates (xfail)
    FIXED = "fixed"  # a listed deviation that now passes: update the baseline
    SKIP = "skip"  # not applicable: the skip's message says why
    ERROR = "error"  # the harness or a server's start broke, not the check


# When outcomes disagree (the phases of a cell, its repeated runs, the shards of a merge),
# the worst one names the cell.
SEVERITY = {
    Outcome.PASS: 0,
    Outcome.SKIP: 1,
    Outcome.KNOWN: 2,
    Outcome.FIXED: 3,
    Outcome.FAIL: 4,
    Outcome.ERROR: 5,
}


@dataclass
class CellResult:
    nodeid: str
    case: str
    suite: str
    rfc: str
    level: str
    requirement: str
    server: str | None  # None in a client case (a scripted server plays the server)
    client: str | None  # None in a server probe (the raw probe plays the client)
    transport: str
    outcome: str = Outcome.PASS
    duration_s: float = 0.0
    message: str = ""
    transcript: str = ""  # what went over the wire, for a cell whose check failed
    outcomes: list[str] = field(default_factory=list)  # one per run of the cell (--repeat)
    flaky: bool = False  # the runs of the cell did not all end alike
    deviation: dict[str, str] | None = None  # reason, rfc, evidence, source of a known one
    observed: list[str] = field(default_factory=list)  # data beside the verdict (record_property)
    # Run with certificate verification disabled: a pass says the connection worked, never
    # that verification did.
    insecure: bool = False


@dataclass
class RunInfo:
    started: str
    command: list[str]
    python: str = field(default_factory=platform.python_version)
    platform: str = field(default_factory=platform.platform)
    git_commit: str | None = None
    duration_s: float = 0.0
    workers: int = 0
    implementations: list[dict[str, str]] = field(default_factory=list)


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def git_commit(directory: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def describe(implementations: list[Implementation]) -> list[dict[str, str]]:
    return [
        {
            "name": impl.name,
            "kind": str(impl.kind),
            "description": impl.description,
            "package": impl.package,
            "version": impl.version(),
        }
        for impl in implementations
    ]


def truncate(text: str, limit: int = MESSAGE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 20] + "\n... [truncated]"


def document(run: RunInfo, cells: list[CellResult]) -> dict[str, Any]:
    """The results document (docs/results-schema.md), cells in node id order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "run": asdict(run),
        "cells": [asdict(cell) for cell in sorted(cells, key=lambda c: c.nodeid)],
    }


def write(path: Path, document: dict[str, Any]) -> None:
    """Write a results document atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)


def command_line() -> list[str]:
    """The command as typed, interpreter options included (python -m pytest ...)."""
    return [Path(sys.orig_argv[0]).name, *sys.orig_argv[1:]]
