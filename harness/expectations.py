"""Expectation files: the known deviations of real implementations, with their evidence.

One file per implementation, ``suites/expectations/<impl>.toml``::

    [[deviation]]
    case = "methods.case_sensitive"       # required: a case id
    peer = "flask"                        # optional: only with this peer implementation
    transport = "https"                   # optional: only over this transport
    python = "<3.13"                      # optional: only on these Python versions (PEP 440)
    intermittent = true                   # optional: seen in some runs only (timing)
    reason = "..."                        # required: what the implementation does instead
    rfc = "RFC 9110 §9.1"                 # required: the requirement it deviates from
    evidence = "https://... or a source location"   # required

A cell whose server or client file lists it runs as ``xfail(strict=True)``: if it passes,
the run fails with "fixed: update the baseline". An ``intermittent`` deviation (one whose
visibility depends on timing, such as content a server sends after a HEAD response, which
a client meets only if it reads before the next request) runs as a non-strict xfail: its
passes are reported, not failed.
"""

from __future__ import annotations

import json
import platform
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from harness.model import TRANSPORTS

PLACEHOLDER = "TODO"  # what --update-baseline writes for a person to fill in
_REQUIRED = ("case", "reason", "rfc", "evidence")
_OPTIONAL = ("peer", "transport", "python", "intermittent")


class ExpectationError(ValueError):
    """A malformed expectation file; the message names the file and line."""


@dataclass(frozen=True)
class Cell:
    """One cell of the matrix: a case run with a server and a client over a transport
    ("" for the side a server probe or a client case does not have)."""

    case: str
    server: str
    client: str
    transport: str


@dataclass(frozen=True)
class Deviation:
    implementation: str  # whose file lists it
    case: str
    reason: str
    rfc: str
    evidence: str
    peer: str | None = None
    transport: str | None = None
    # A PEP 440 specifier of the Python versions it happens on: an implementation in the
    # standard library (or one that follows its defaults) can behave differently by version.
    python: str | None = None
    intermittent: bool = False
    source: str = ""  # "file:line", for messages

    def matches(self, cell: Cell, python_version: str | None = None) -> bool:
        if cell.case != self.case or self.implementation not in (cell.server, cell.client):
            return False
        version = python_version or platform.python_version()
        if self.python is not None and version not in SpecifierSet(self.python):
            return False
        peer = cell.client if self.implementation == cell.server else cell.server
        if self.peer is not None and self.peer != peer:
            return False
        return self.transport is None or self.transport == cell.transport


_ENTRY_HEADER = re.compile(r"\s*\[\[\s*deviation\s*\]\]\s*(#.*)?")


def _entry_lines(text: str) -> list[int]:
    """Line numbers of the ``[[deviation]]`` headers, in order (tomllib gives no positions).

    Split on newlines only, as TOML does (str.splitlines also splits on U+2028 and others).
    """
    lines = enumerate(text.split("\n"), 1)
    return [number for number, line in lines if _ENTRY_HEADER.fullmatch(line.rstrip("\r"))]


def load_file(
    path: Path,
    *,
    known_implementations: Iterable[str],
    known_case: Callable[[str], bool] | None = None,
) -> list[Deviation]:
    """Load and validate one file; ``known_case(id)`` returns False for ids that do not exist."""
    implementation = path.stem
    known = set(known_implementations)
    if implementation not in known:
        raise ExpectationError(
            f"{path}: no implementation is named {implementation!r}; "
            f"expectation files are named after one of: {', '.join(sorted(known))}"
        )
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationError(f"{path}: not valid TOML: {exc}") from None
    unknown_tables = set(data) - {"deviation"}
    if unknown_tables:
        raise ExpectationError(
            f"{path}: unknown top-level key(s) {sorted(unknown_tables)}; only [[deviation]] entries"
        )
    entries = data.get("deviation", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ExpectationError(
            f"{path}: 'deviation' must be an array of tables, each written [[deviation]]"
        )
    lines = _entry_lines(text)
    deviations = []
    for index, entry in enumerate(entries):
        where = f"{path}:{lines[index]}" if index < len(lines) else str(path)
        deviations.append(_parse_entry(entry, implementation, where, known, known_case))
    return deviations


def _parse_entry(
    entry: dict,
    implementation: str,
    where: str,
    known: set[str],
    known_case: Callable[[str], bool] | None,
) -> Deviation:
    def problem(message: str) -> ExpectationError:
        return ExpectationError(f"{where}: {message}")

    unexpected = set(entry) - set(_REQUIRED) - set(_OPTIONAL)
    if unexpected:
        raise problem(
            f"unknown key(s) {sorted(unexpected)}; allowed: {', '.join(_REQUIRED + _OPTIONAL)}"
        )
    for key in _REQUIRED:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise problem(
                f"'{key}' is missing or empty; every deviation needs {', '.join(_REQUIRED)}"
            )
        if value.strip() == PLACEHOLDER:
            raise problem(
                f"'{key}' is still {PLACEHOLDER!r}: fill it in (new entry from --update-baseline)"
            )
    for key in _OPTIONAL:
        wanted = bool if key == "intermittent" else str
        if key in entry and not isinstance(entry[key], wanted):
            raise problem(f"'{key}' must be a {'boolean' if wanted is bool else 'string'}")
    if entry.get("peer") is not None and entry["peer"] not in known:
        raise problem(f"peer {entry['peer']!r} is not a known implementation")
    if entry.get("transport") is not None and entry["transport"] not in TRANSPORTS:
        raise problem(
            f"transport must be one of {', '.join(TRANSPORTS)}, not {entry['transport']!r}"
        )
    if entry.get("python") is not None:
        try:
            SpecifierSet(entry["python"])
        except InvalidSpecifier:
            raise problem(
                f"python must be a version specifier such as '<3.13', not {entry['python']!r}"
            ) from None
    if known_case is not None and not known_case(entry["case"]):
        raise problem(f"case {entry['case']!r} does not exist")
    return Deviation(
        implementation=implementation,
        case=entry["case"],
        reason=entry["reason"].strip(),
        rfc=entry["rfc"].strip(),
        evidence=entry["evidence"].strip(),
        peer=entry.get("peer"),
        transport=entry.get("transport"),
        python=entry.get("python"),
        intermittent=entry.get("intermittent", False),
        source=where,
    )


class Baseline:
    """Every known deviation of a run, and which one (if any) covers a cell."""

    def __init__(self, deviations: list[Deviation]) -> None:
        self.deviations = deviations

    @classmethod
    def load(
        cls,
        directory: Path,
        *,
        known_implementations: Iterable[str],
        known_case: Callable[[str], bool] | None = None,
    ) -> Baseline:
        if not directory.is_dir():
            raise ExpectationError(f"{directory}: no such folder of expectation files")
        known = list(known_implementations)
        deviations: list[Deviation] = []
        for path in sorted(directory.glob("*.toml")):
            deviations += load_file(path, known_implementations=known, known_case=known_case)
        return cls(deviations)

    def match(self, cell: Cell) -> Deviation | None:
        for deviation in self.deviations:
            if deviation.matches(cell):
                return deviation
        return None

    def lists(self, implementation: str, case: str) -> bool:
        """Whether ``implementation``'s own file lists ``case`` (for any peer or transport)."""
        return any(d.implementation == implementation and d.case == case for d in self.deviations)


def _toml_string(value: str) -> str:
    # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def render(deviations: list[Deviation]) -> str:
    """The TOML text of one implementation's file."""
    header = (
        "# Known deviations; see harness/expectations.py for the format.\n"
        "# Every entry needs the RFC section and evidence (upstream issue or source location).\n"
    )
    blocks = []
    for deviation in sorted(deviations, key=lambda d: (d.case, d.peer or "", d.transport or "")):
        lines = ["[[deviation]]", f"case = {_toml_string(deviation.case)}"]
        if deviation.peer:
            lines.append(f"peer = {_toml_string(deviation.peer)}")
        if deviation.transport:
            lines.append(f"transport = {_toml_string(deviation.transport)}")
        if deviation.python:
            lines.append(f"python = {_toml_string(deviation.python)}")
        if deviation.intermittent:
            lines.append("intermittent = true")
        lines += [
            f"reason = {_toml_string(deviation.reason)}",
            f"rfc = {_toml_string(deviation.rfc)}",
            f"evidence = {_toml_string(deviation.evidence)}",
        ]
        blocks.append("\n".join(lines))
    return header + "\n" + "\n\n".join(blocks) + "\n"


def updated(
    baseline: Baseline, outcomes: dict[Cell, str], rfc_of: Callable[[str], str]
) -> dict[str, list[Deviation]]:
    """The files' new contents after a run, by implementation.

    Keeps every entry that still matches a failing cell or matched no cell of this run
    (a partial run says nothing about it); drops entries all of whose cells now pass;
    adds a placeholder entry for each new failure, filed under the server with the client
    as peer, for a person to move, explain and give evidence for.
    """
    files: dict[str, list[Deviation]] = {}
    for deviation in baseline.deviations:
        matched = [outcome for cell, outcome in outcomes.items() if deviation.matches(cell)]
        if matched and all(outcome == "fixed" for outcome in matched):
            continue
        files.setdefault(deviation.implementation, []).append(deviation)
    for cell, outcome in sorted(outcomes.items(), key=lambda item: list(vars(item[0]).values())):
        if outcome != "fail":
            continue
        # Filed under the server (the client as peer), or under the one side a probe or a
        # client case has.
        owner, peer = (cell.server, cell.client or None) if cell.server else (cell.client, None)
        files.setdefault(owner, []).append(
            Deviation(
                implementation=owner,
                case=cell.case,
                peer=peer,
                transport=cell.transport,
                reason=PLACEHOLDER,
                rfc=rfc_of(cell.case),
                evidence=PLACEHOLDER,
            )
        )
    return files


def rewrite(
    directory: Path, baseline: Baseline, outcomes: dict[Cell, str], rfc_of: Callable[[str], str]
) -> None:
    """Write the files ``updated`` makes of a run into ``directory``; an implementation
    left without entries loses its file."""
    directory.mkdir(parents=True, exist_ok=True)
    files = updated(baseline, outcomes, rfc_of)
    for name in {d.implementation for d in baseline.deviations} | set(files):
        path = directory / f"{name}.toml"
        if files.get(name):
            path.write_text(render(files[name]), encoding="utf-8")
        elif path.exists():
            path.unlink()
