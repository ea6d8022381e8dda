"""Reading a results file back: which file, and what is wrong with it, in every error.

The full contract is ``results.schema.json`` beside this module (docs/results-schema.md);
the self-tests validate every written file against it. Reading checks only what the report,
diff and merge commands rely on, so that a damaged file fails with a sentence, not a
traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.results import SCHEMA_VERSION, Outcome

SCHEMA_FILE = Path(__file__).with_name("results.schema.json")
Document = dict[str, Any]
CellKey = tuple[str, str, str, str]  # (case, server, client, transport): stable across runs

# What the commands read of each record, with the JSON types it must have.
_RUN_FIELDS = {
    "started": str,
    "command": list,
    "python": str,
    "platform": str,
    "duration_s": (int, float),
    "workers": int,
    "implementations": list,
}
_IMPLEMENTATION_FIELDS = {"name": str, "kind": str, "version": str}
_CELL_FIELDS = {
    "nodeid": str,
    "case": str,
    "suite": str,
    "rfc": str,
    "level": str,
    "requirement": str,
    "transport": str,
    "duration_s": (int, float),
    "message": str,
    "transcript": str,
    "outcomes": list,
    "flaky": bool,
    "observed": list,
}
_TYPE_NAMES = {str: "a string", list: "an array", int: "an integer", bool: "true or false"}


class ResultsFileError(ValueError):
    """A results file that cannot be used; the message names the file."""


def load(path: Path) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsFileError(f"{path}: cannot be read: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsFileError(f"{path}: not JSON: {exc}") from None
    check(document, str(path))
    return document


def check(document: object, name: str) -> None:
    """Raise ResultsFileError unless ``document`` is a results document this harness reads."""

    def problem(message: str) -> ResultsFileError:
        return ResultsFileError(f"{name}: {message}")

    if not isinstance(document, dict) or "schema_version" not in document:
        raise problem("not a results file (no schema_version at the top level)")
    version = document["schema_version"]
    if version != SCHEMA_VERSION:
        raise problem(
            f"schema_version {version!r}; this harness reads version {SCHEMA_VERSION} only "
            "(docs/results-schema.md): run the conformance run again with this harness"
        )
    if not isinstance(document.get("run"), dict):
        raise problem("'run' must be an object (the run's metadata)")
    _fields(document["run"], _RUN_FIELDS, "run", problem)
    if not isinstance(document["run"].get("git_commit"), str | None):
        raise problem("run: 'git_commit' is missing or not a string or null")
    for index, impl in enumerate(document["run"]["implementations"]):
        _fields(impl, _IMPLEMENTATION_FIELDS, f"run.implementations[{index}]", problem)
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise problem("'cells' must be an array")
    outcomes = {str(outcome) for outcome in Outcome}
    for index, cell in enumerate(cells):
        where = f"cells[{index}]"
        _fields(cell, _CELL_FIELDS, where, problem)
        where = f"{where} ({cell['nodeid']})"
        for value in (cell.get("outcome"), *cell["outcomes"]):
            if value not in outcomes:
                raise problem(
                    f"{where}: outcome {value!r} is not one of {', '.join(sorted(outcomes))}"
                )
        for side in ("server", "client"):
            if not (cell.get(side) is None or isinstance(cell.get(side), str)):
                raise problem(f"{where}: '{side}' must be a string or null")


def _fields(
    record: object,
    fields: dict[str, type | tuple[type, ...]],
    where: str,
    problem: Callable[[str], ResultsFileError],
) -> None:
    if not isinstance(record, dict):
        raise problem(f"{where} must be an object")
    for name, kind in fields.items():
        value = record.get(name)
        # bool is an int in Python, not in JSON: true is no duration.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            expected = _TYPE_NAMES.get(kind, "a number") if isinstance(kind, type) else "a number"
            raise problem(f"{where}: '{name}' is missing or not {expected}")


def key(cell: Document) -> CellKey:
    return (cell["case"], cell["server"] or "", cell["client"] or "", cell["transport"])


def describe_key(cell_key: CellKey) -> str:
    """``case [server x client, transport]``, naming the probe or scripted server."""
    case, server, client, transport = cell_key
    return f"{case} [{pairing_label(server or None, client or None, transport)}]"


def pairing_label(server: str | None, client: str | None, transport: str) -> str:
    if server and client:
        return f"{server} x {client}, {transport}"
    if server:
        return f"{server} (probed by the harness), {transport}"
    return f"{client} (against a scripted server), {transport}"


def status(cell: Document) -> str:
    """What a report shows for a cell: its outcome, but "insecure" for a pass obtained with
    certificate verification turned off, which is no ordinary pass."""
    if cell["outcome"] == Outcome.PASS and cell.get("insecure"):
        return "insecure"
    return cell["outcome"]
