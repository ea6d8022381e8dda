"""Replayable entries under suites/regressions/: a minimal disagreeing request found by the
hunt (generate.py), one JSON file each, named by the request's digest. The request is kept
exactly (latin-1 text: JSON escapes CR, LF and other controls, and every octet comes back as
written), with the changes that make it, and the groups seen when it was found: data to
compare with what a replay sees, never a verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import generate
from .record import Probe

SUFFIX = ".json"


@dataclass(frozen=True)
class Regression:
    name: str  # the request's digest: the file's stem
    request: bytes  # HOST standing for the server's authority
    changes: tuple[generate.Change, ...]
    groups: tuple[tuple[tuple[str, ...], str], ...]  # (servers, interpretation) when found
    smuggling_pairs: tuple[tuple[str, str], ...]

    @property
    def rfc(self) -> str:
        return generate.rfc(self.changes)

    def probe(self) -> Probe:
        return Probe(f"differential.regression.{self.name}", self.request)


def of(found: generate.Found) -> Regression:
    d = found.disagreement
    return Regression(
        d.probe.id.removeprefix("generated."),
        d.probe.request,
        found.changes,
        tuple((g.servers, g.interpretation.describe()) for g in d.groups),
        d.smuggling_pairs,
    )


def save(regression: Regression, folder: Path) -> Path:
    """Write ``regression`` as ``<folder>/<name>.json`` (the same request: the same file)."""
    document = {
        "request": regression.request.decode("latin-1"),
        "changes": [[name, spelling.decode("latin-1")] for name, spelling in regression.changes],
        "groups": [
            {"servers": list(servers), "interpretation": reading}
            for servers, reading in regression.groups
        ],
        "smuggling_pairs": [list(pair) for pair in regression.smuggling_pairs],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{regression.name}{SUFFIX}"
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> Regression:
    document = json.loads(path.read_text(encoding="utf-8"))
    return Regression(
        path.stem,
        document["request"].encode("latin-1"),
        tuple((name, spelling.encode("latin-1")) for name, spelling in document["changes"]),
        tuple((tuple(g["servers"]), g["interpretation"]) for g in document["groups"]),
        tuple((a, b) for a, b in document["smuggling_pairs"]),
    )


def load_all(folder: Path) -> list[Regression]:
    """Every entry of ``folder``, by name (none where it does not exist)."""
    return [load(path) for path in sorted(folder.glob(f"*{SUFFIX}"))]
