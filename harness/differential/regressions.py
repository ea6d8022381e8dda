"""Replayable entries under suites/regressions/, one JSON file each: a minimal disagreeing
request found by the hunt (generate.py), named by the request's digest, or a probe catalogue
entry that servers read differently (``differential --save-catalogue``), named by the entry's
id. The request is kept exactly (latin-1 text: JSON escapes CR, LF and other controls, and
every octet comes back as written), with the changes that make it (a generated one) or the
entry's id, section and way of sending (a catalogue one), and the groups seen when it was
found: data to compare with what a replay sees, never a verdict."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.catalogue import Entry

from . import generate
from .groups import Disagreement
from .record import Probe

SUFFIX = ".json"
Groups = tuple[tuple[tuple[str, ...], str], ...]  # (servers, interpretation), largest first
Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Regression:
    name: str  # the file's stem: the request's digest or the catalogue entry's id
    request: bytes  # HOST standing for the server's authority
    changes: tuple[generate.Change, ...]
    groups: Groups  # when found
    smuggling_pairs: Pairs
    # A catalogue entry's id, section and way of sending ("" and Probe's defaults: generated)
    entry: str = ""
    entry_rfc: str = ""
    methods: tuple[str, ...] = ()
    requests: int = 1
    staged: tuple[bytes, ...] = ()
    follow_up: bool = True

    @property
    def rfc(self) -> str:
        return self.entry_rfc or generate.rfc(self.changes)

    def probe(self) -> Probe:
        return Probe(
            f"differential.regression.{self.name}",
            self.request,
            self.methods,
            self.requests,
            self.staged,
            self.follow_up,
        )


def _seen(d: Disagreement) -> tuple[Groups, Pairs]:
    return tuple((g.servers, g.interpretation.describe()) for g in d.groups), d.smuggling_pairs


def of(found: generate.Found) -> Regression:
    d = found.disagreement
    return Regression(
        d.probe.id.removeprefix("generated."), d.probe.request, found.changes, *_seen(d)
    )


def of_entry(d: Disagreement, entry: Entry) -> Regression:
    """A catalogue entry the servers read differently (``d``), named by its id."""
    p = d.probe
    name = entry.id.removeprefix("probes.")
    return Regression(
        name,
        p.request,
        (),
        *_seen(d),
        entry.id,
        entry.rfc,
        p.methods,
        p.requests,
        p.staged,
        p.follow_up,
    )


def new_entries(
    found: Sequence[Disagreement], entries: Sequence[Entry], kept: Sequence[Regression]
) -> list[Regression]:
    """The smuggling-relevant disagreements of ``found`` over catalogue ``entries``, one per
    sequence of bytes sent (the first entry's, in ``found``'s order), leaving out the bytes an
    entry of ``kept`` already sends. Only the smuggling-relevant ones: nearly every entry is
    read in more than one way (a 400 against a 501 is one), and each kept entry is replayed
    on every server in every run."""
    by_id = {entry.id: entry for entry in entries}
    sent = {r.probe().wire() for r in kept}
    new = []
    for d in found:
        if d.smuggling_relevant and d.probe.wire() not in sent:
            sent.add(d.probe.wire())
            new.append(of_entry(d, by_id[d.probe.id]))
    return new


def save(regression: Regression, folder: Path) -> Path:
    """Write ``regression`` as ``<folder>/<name>.json`` (the same request: the same file)."""
    document: dict[str, Any] = {
        "request": regression.request.decode("latin-1"),
        "changes": [[name, spelling.decode("latin-1")] for name, spelling in regression.changes],
        "groups": [
            {"servers": list(servers), "interpretation": reading}
            for servers, reading in regression.groups
        ],
        "smuggling_pairs": [list(pair) for pair in regression.smuggling_pairs],
    }
    if regression.entry:
        document["entry"] = {
            "id": regression.entry,
            "rfc": regression.entry_rfc,
            "methods": list(regression.methods),
            "requests": regression.requests,
            "staged": [part.decode("latin-1") for part in regression.staged],
            "follow_up": regression.follow_up,
        }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{regression.name}{SUFFIX}"
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> Regression:
    document = json.loads(path.read_text(encoding="utf-8"))
    entry = document.get("entry")
    sending = (
        ()
        if entry is None
        else (
            entry["id"],
            entry["rfc"],
            tuple(entry["methods"]),
            entry["requests"],
            tuple(part.encode("latin-1") for part in entry["staged"]),
            entry["follow_up"],
        )
    )
    return Regression(
        path.stem,
        document["request"].encode("latin-1"),
        tuple((name, spelling.encode("latin-1")) for name, spelling in document["changes"]),
        tuple((tuple(g["servers"]), g["interpretation"]) for g in document["groups"]),
        tuple((a, b) for a, b in document["smuggling_pairs"]),
        *sending,
    )


def load_all(folder: Path) -> list[Regression]:
    """Every entry of ``folder``, by name (none where it does not exist)."""
    return [load(path) for path in sorted(folder.glob(f"*{SUFFIX}"))]
