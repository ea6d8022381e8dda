"""The results record of a run, defined once, and ``results.json`` read and written.

The plugin turns pytest's reports into :class:`CellResult` records; nothing here imports
pytest, so the report, diff and merge commands read the same records. The records' type
hints, with the JSON Schema keywords their ``Annotated`` metadata adds, are the one
description of the file: :func:`schema` derives the JSON Schema from them
(``report/results.schema.json`` is its committed copy, docs/results-schema.md says what the
fields mean), and :func:`check` reads files against it.
"""

from __future__ import annotations

import datetime
import enum
import functools
import json
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypedDict

from harness import deadlines, typed_schema
from harness.cases import Level
from harness.implementation import Implementation, Kind
from harness.model import TRANSPORTS

# docs/results-schema.md; 2 added transcript, outcomes and flaky; 3 the run's selection,
# interruption and exit status; 4 the warn outcome
SCHEMA_VERSION = 4
# Versions read as this one: a version 3 document is a version 4 one without warn cells.
READABLE_VERSIONS = (3, SCHEMA_VERSION)
READABLE = "versions " + " and ".join(map(str, READABLE_VERSIONS))  # for the refusals
SCHEMA_FILE = Path(__file__).with_name("report") / "results.schema.json"
MESSAGE_LIMIT = 4000  # characters of a failure message kept per cell
# characters of a transcript per cell: enough for a few exchanges, small enough for junit.xml
TRANSCRIPT_LIMIT = 8000
Document = dict[str, Any]  # a results document as JSON holds it


class Outcome(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"  # passed, in a way the RFC advises against (a SHOULD not followed)
    FAIL = "fail"
    KNOWN = "known"  # a listed deviation that still deviates (xfail)
    FIXED = "fixed"  # a listed deviation that now passes: update the baseline
    SKIP = "skip"  # not applicable: the skip's message says why
    ERROR = "error"  # the harness or a server's start broke, not the check


class Blame(enum.StrEnum):
    """The side a cell's verdict is blamed on: the one whose expectation file lists it, the
    one side a probe or scripted cell has, or the side an interop cell's evidence points to
    (harness/blame.py)."""

    SERVER = "server"
    CLIENT = "client"
    UNKNOWN = "unknown"  # the evidence cannot tell: the verdict stands for both sides


# What joins the evidence's verdict to a failure's message, as its last line.
BLAME_LINE = "\nblame: "


# When outcomes disagree (the phases of a cell, its repeated runs, the shards of a merge),
# the worst one names the cell.
SEVERITY = {
    Outcome.PASS: 0,
    Outcome.WARN: 1,
    Outcome.SKIP: 2,
    Outcome.KNOWN: 3,
    Outcome.FIXED: 4,
    Outcome.FAIL: 5,
    Outcome.ERROR: 6,
}

# Annotated metadata of a field: JSON Schema keywords its type does not say, and "optional"
# for a key a document may lack (it is then left out rather than written as null).
OPTIONAL = {"optional": True}
OUTCOME = {"type": "string", "enum": [str(outcome) for outcome in Outcome]}
DURATION = {"minimum": 0}


class ImplementationRecord(TypedDict):
    name: str
    kind: Annotated[str, {"enum": [str(kind) for kind in Kind]}]
    description: str
    package: Annotated[
        str,
        {
            "description": "the distribution whose version is reported; python for the "
            "standard library"
        },
    ]
    version: str


class DeviationRecord(TypedDict):
    """The expectation-file entry that lists a cell."""

    implementation: str
    reason: str
    rfc: str
    evidence: str
    source: str


class MergedFrom(TypedDict):
    """One input of a merged file."""

    file: str
    started: str
    python: str
    platform: str
    git_commit: str | None
    cells: Annotated[int, {"minimum": 0}]


@dataclass
class CellResult:
    nodeid: str
    case: Annotated[str, {"pattern": r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"}]
    suite: str
    rfc: str
    level: Annotated[str, {"enum": [str(level) for level in Level]}]
    requirement: str
    server: Annotated[
        str | None,
        {
            "description": "null in a client case (a scripted server plays the server, TLS "
            "zoo servers included)"
        },
    ]
    client: Annotated[
        str | None,
        {
            "description": "null in a server case (the harness probes the server: the raw "
            "probe, a TLS handshake)"
        },
    ]
    transport: Annotated[str, {"enum": list(TRANSPORTS)}]
    outcome: Annotated[str, OUTCOME] = Outcome.PASS
    duration_s: Annotated[float, DURATION] = 0.0
    message: Annotated[str, {"maxLength": MESSAGE_LIMIT}] = ""
    # What went over the wire, for a cell whose check failed.
    transcript: Annotated[
        str,
        {
            "maxLength": TRANSCRIPT_LIMIT,
            "description": "empty unless the cell's check failed (fail, error, known)",
        },
    ] = ""
    outcomes: Annotated[
        list[str],
        {"items": OUTCOME, "minItems": 1, "description": "one per run of the cell (--repeat N)"},
    ] = field(default_factory=list)
    flaky: bool = False  # the runs of the cell did not all end alike
    deviation: DeviationRecord | None = None  # the listed deviation of a known one
    # Data beside the verdict (record_property).
    observed: list[str] = field(default_factory=list)
    # Run with certificate verification disabled: a pass says the connection worked, never
    # that verification did. Optional: files written before it have no such key.
    insecure: Annotated[
        bool,
        OPTIONAL,
        {
            "description": "run with certificate verification off (TLS cells); a pass is then "
            "shown as insecure mode"
        },
    ] = False
    # The ids of the RFC 9110/9112 sentences the case checks (harness/requirements); the
    # requirement text is then those sentences. Optional: version 3 files have none.
    requirement_ids: Annotated[
        list[str],
        OPTIONAL,
        {
            "items": {"type": "string", "pattern": r"^\d+-[0-9A-Z]+(\.\d+)*-\d+$"},
            "description": "the requirements index's ids of the sentences the case checks; "
            "empty for a case outside RFC 9110/9112",
        },
    ] = field(default_factory=list)
    # Whose verdict it is; a score counts a cell only for its side. Optional: files written
    # before it have no such key.
    blame: Annotated[
        str,
        OPTIONAL,
        {
            "enum": ["", *(str(side) for side in Blame)],
            "description": "the side the verdict is blamed on (server, client, or unknown when "
            "the evidence cannot tell); empty for a pass or a skip",
        },
    ] = ""


# The plugin's options that narrow the matrix, by their dest (a Selection field each).
SELECTING_OPTIONS = ("server", "client", "transport", "case", "level", "rfc")
_AS_GIVEN = {"description": "as given (repeatable); empty when not given: every one"}
_UNKNOWN_COUNT = "null when unknown (a parallel run interrupted before its workers reported)"


@dataclass
class Selection:
    """What a run selected, as given, and how many cells that came to."""

    paths: Annotated[
        list[str],
        {"description": "the positional arguments (folders, files, node ids) as given"},
    ] = field(default_factory=list)
    keyword: Annotated[str, {"description": "-k, empty when not given"}] = ""
    markers: Annotated[str, {"description": "-m, empty when not given"}] = ""
    server: Annotated[list[str], _AS_GIVEN] = field(default_factory=list)
    client: Annotated[list[str], _AS_GIVEN] = field(default_factory=list)
    transport: Annotated[list[str], _AS_GIVEN] = field(default_factory=list)
    case: Annotated[list[str], _AS_GIVEN] = field(default_factory=list)
    level: Annotated[list[str], _AS_GIVEN] = field(default_factory=list)
    rfc: Annotated[list[str], _AS_GIVEN] = field(default_factory=list)
    selected: Annotated[
        int | None, {"minimum": 0, "description": f"cells selected to run; {_UNKNOWN_COUNT}"}
    ] = None
    deselected: Annotated[
        int | None,
        {"minimum": 0, "description": f"cells deselected (-k, -m, ...); {_UNKNOWN_COUNT}"},
    ] = None
    full: Annotated[
        bool,
        {
            "description": "the full default matrix: no path narrower than a folder, no "
            "option that selects, nothing deselected (of a shard: but for the shard)"
        },
    ] = False
    # Optional: files written before --shard have no such key.
    shard: Annotated[
        str,
        OPTIONAL,
        {
            "description": "--shard as given (i/n), or the shards a merged file holds when "
            "not all of them (1,3/3); empty for a whole run"
        },
    ] = ""


@dataclass
class RunInfo:
    started: Annotated[str, {"description": "ISO 8601 UTC time the session started"}]
    command: Annotated[list[str], {"description": "the command line as typed"}]
    python: Annotated[
        str, {"description": "Python version (several, comma-separated, in a merged file)"}
    ] = field(default_factory=platform.python_version)
    platform: str = field(default_factory=platform.platform)
    git_commit: Annotated[str | None, {"description": "HEAD of the checkout, null outside git"}] = (
        None
    )
    duration_s: Annotated[float, DURATION] = 0.0
    workers: Annotated[
        int, {"minimum": 0, "description": "pytest-xdist workers, 0 for a serial run"}
    ] = 0
    implementations: list[ImplementationRecord] = field(default_factory=list)
    selection: Selection = field(default_factory=Selection)
    interrupted: Annotated[
        str | None,
        {
            "description": "why the run stopped before its end (Ctrl-C, -x or --maxfail, an "
            "internal error); null when it ran to its end"
        },
    ] = None
    exit_status: Annotated[
        int, {"description": "pytest's exit status (in a merged file: the highest)"}
    ] = 0
    # Only merge writes it; None is left out of the file.
    merged_from: Annotated[
        list[MergedFrom] | None,
        OPTIONAL,
        {"description": "present in a merged file: the runs it was made from"},
    ] = None


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def git_commit(directory: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=deadlines.PROGRAM_QUERY,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def describe(implementations: list[Implementation]) -> list[ImplementationRecord]:
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


def command_line() -> list[str]:
    """The command as typed, interpreter options included (python -m pytest ...)."""
    return [Path(sys.orig_argv[0]).name, *sys.orig_argv[1:]]


# -- Writing


def document(run: RunInfo, cells: list[CellResult]) -> Document:
    """The results document (docs/results-schema.md), cells in node id order."""
    run_record = asdict(run)
    if run.merged_from is None:
        del run_record["merged_from"]
    return {
        "schema_version": SCHEMA_VERSION,
        "run": run_record,
        "cells": [asdict(cell) for cell in sorted(cells, key=lambda c: c.nodeid)],
    }


def write(path: Path, document: Document) -> None:
    """Write a results document atomically."""
    write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def write_text(path: Path, text: str) -> None:
    """Write ``path`` atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


# -- The JSON Schema, derived from the records

# The records of the file by their name in the schema's $defs.
RECORDS: dict[str, type] = {
    "run": RunInfo,
    "selection": Selection,
    "implementation": ImplementationRecord,
    "merged_from": MergedFrom,
    "cell": CellResult,
    "deviation": DeviationRecord,
}


@functools.cache
def schema() -> Document:
    """The JSON Schema (2020-12) of a results document."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://http-interop.invalid/results.schema.json",
        "title": f"http-interop results.json, schema version {SCHEMA_VERSION}",
        "description": (
            "One conformance run: its metadata and one record per cell. Documented in "
            "docs/results-schema.md."
        ),
        "type": "object",
        "required": ["schema_version", "run", "cells"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"type": "integer", "enum": list(READABLE_VERSIONS)},
            "run": typed_schema.of(RunInfo, RECORDS),
            "cells": typed_schema.of(list[CellResult], RECORDS),
        },
        "$defs": {name: typed_schema.record(cls, RECORDS) for name, cls in RECORDS.items()},
    }


def schema_text() -> str:
    """The schema as ``report/results.schema.json`` holds it."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


# -- Reading


class ResultsFileError(ValueError):
    """A results file that cannot be used; the message names the file."""


def read_json(path: Path) -> object:
    """The JSON in ``path``, unchecked."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsFileError(f"{path}: cannot be read: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsFileError(f"{path}: not JSON: {exc}") from None


def load(path: Path) -> Document:
    """A results document, checked (see ``check``)."""
    return check(read_json(path), str(path))


def check(document: object, name: str) -> Document:
    """``document``, or ResultsFileError unless it has the schema's version, keys, JSON types
    and enumerated values, so that a damaged file fails with a sentence, not a traceback.
    (Lengths, patterns and minimums are the writer's contract, which the self-tests check.)"""
    if not isinstance(document, dict) or "schema_version" not in document:
        raise ResultsFileError(f"{name}: not a results file (no schema_version at the top level)")
    version = document["schema_version"]
    if version not in READABLE_VERSIONS:
        raise ResultsFileError(
            f"{name}: schema_version {version!r}; this harness reads {READABLE} "
            "only (docs/results-schema.md): run the conformance run again with this harness"
        )
    mismatch = typed_schema.first_mismatch(document, schema())
    if mismatch:
        raise ResultsFileError(f"{name}: {mismatch}")
    return document
