"""Combining results files from shards into one (a CI matrix, or runs split by suite).

Every file must have a schema version this harness reads (a version 3 file is a version 4
one without warn cells); any other is refused with each file's version named. A cell found
in several files (the same case and pairing, say on two Python versions) becomes one cell:
every run's outcome is listed, the worst decides, and it is flaky only if a run of it was.
The merged run keeps where it came from in ``merged_from``; its selection is every input's
together (full when one input was), and it was interrupted when an input was. The shards of
one run (``--shard i/n``: one n, distinct i, the same arguments otherwise) merge into the
selection of that run, counts included; all n of them into the whole run's.
"""

from __future__ import annotations

from pathlib import Path

from harness.report.document import CellKey, key
from harness.results import (
    READABLE,
    READABLE_VERSIONS,
    SCHEMA_VERSION,
    SELECTING_OPTIONS,
    SEVERITY,
    Document,
    ResultsFileError,
    check,
    command_line,
    read_json,
)


def read_for_merge(paths: list[Path]) -> list[tuple[str, Document]]:
    """Load every file; refuse a version this harness cannot read before anything else is
    checked."""
    loaded = [(str(path), read_json(path)) for path in paths]
    versions = {
        name: document.get("schema_version") if isinstance(document, dict) else None
        for name, document in loaded
    }
    if any(version not in READABLE_VERSIONS for version in versions.values()):
        listed = ", ".join(f"{name}: {version!r}" for name, version in versions.items())
        raise ResultsFileError(
            f"cannot merge: incompatible schema versions ({listed}); this harness reads "
            f"{READABLE} only (docs/results-schema.md)"
        )
    return [(name, check(document, name)) for name, document in loaded]


def _joined(values: list[str | None]) -> str | None:
    distinct = list(dict.fromkeys(v for v in values if v))
    return ", ".join(distinct) if distinct else None


def _merge_cell(cells: list[Document]) -> Document:
    worst = max(cells, key=lambda cell: SEVERITY[cell["outcome"]])
    merged = dict(worst)
    merged["outcomes"] = [outcome for cell in cells for outcome in cell["outcomes"]]
    merged["flaky"] = any(cell["flaky"] for cell in cells)
    merged["observed"] = list(dict.fromkeys(o for cell in cells for o in cell["observed"]))
    merged["duration_s"] = round(sum(cell["duration_s"] for cell in cells), 4)
    return merged


def _sum(values: list[int | None]) -> int | None:
    return None if None in values else sum(v for v in values if v is not None)


def _shards(text: str) -> tuple[int, list[int]]:
    """A recorded shard, ``2/3`` or a merged file's ``1,3/3``: its count and indexes."""
    indexes, _, count = text.partition("/")
    return int(count), [int(index) for index in indexes.split(",")]


def _arguments(selection: Document) -> Document:
    """A selection without its counts and its shard: what its run was asked for."""
    leave_out = ("selected", "deselected", "full", "shard")
    return {name: value for name, value in selection.items() if name not in leave_out}


def _shards_of_one_run(selections: list[Document]) -> Document | None:
    """The selection of the run whose distinct shards these are, or None if they are not."""
    shards = [_shards(s["shard"]) if s.get("shard") else None for s in selections]
    counts = {shard[0] for shard in shards if shard is not None}
    indexes = [index for shard in shards if shard is not None for index in shard[1]]
    arguments = [_arguments(s) for s in selections]
    if None in shards or len(counts) != 1 or len(set(indexes)) != len(indexes):
        return None
    if any(other != arguments[0] for other in arguments[1:]):
        return None
    (count,) = counts
    held = sorted(indexes)
    return arguments[0] | {
        # A shard counts its own cells as selected and no other shard's as deselected.
        "selected": _sum([s["selected"] for s in selections]),
        "deselected": selections[0]["deselected"],
        "full": all(s["full"] for s in selections),
        "shard": "" if held == list(range(1, count + 1)) else f"{','.join(map(str, held))}/{count}",
    }


def _selection(selections: list[Document]) -> Document:
    """The inputs' selections together: every argument given to any of them."""
    one_run = _shards_of_one_run(selections)
    if one_run is not None:
        return one_run
    merged: Document = {
        name: list(dict.fromkeys(value for s in selections for value in s[name]))
        for name in ("paths", *SELECTING_OPTIONS)
    }
    for name in ("keyword", "markers"):
        merged[name] = " | ".join(dict.fromkeys(s[name] for s in selections if s[name]))
    merged["selected"] = _sum([s["selected"] for s in selections])
    merged["deselected"] = _sum([s["deselected"] for s in selections])
    merged["full"] = any(s["full"] for s in selections)
    merged["shard"] = " | ".join(dict.fromkeys(s["shard"] for s in selections if s.get("shard")))
    return merged


def merge(loaded: list[tuple[str, Document]]) -> Document:
    runs = [document["run"] for _, document in loaded]
    implementations: dict[tuple[str, str], Document] = {}
    for run in runs:
        for impl in run["implementations"]:
            known = implementations.setdefault((impl["kind"], impl["name"]), dict(impl))
            known["version"] = _joined([known["version"], impl["version"]]) or ""
    by_key: dict[CellKey, list[Document]] = {}
    for _, document in loaded:
        for cell in document["cells"]:
            by_key.setdefault(key(cell), []).append(cell)
    cells = sorted((_merge_cell(group) for group in by_key.values()), key=lambda c: c["nodeid"])
    return {
        "schema_version": SCHEMA_VERSION,
        "run": {
            "started": min(run["started"] for run in runs),
            "command": command_line(),
            "python": _joined([run["python"] for run in runs]) or "",
            "platform": _joined([run["platform"] for run in runs]) or "",
            "git_commit": _joined([run["git_commit"] for run in runs]),
            # Shards run side by side: the merged run took as long as the longest.
            "duration_s": max(run["duration_s"] for run in runs),
            "workers": max(run["workers"] for run in runs),
            "implementations": list(implementations.values()),
            "selection": _selection([run["selection"] for run in runs]),
            "interrupted": "; ".join(
                f"{name}: {document['run']['interrupted']}"
                for name, document in loaded
                if document["run"]["interrupted"]
            )
            or None,
            "exit_status": max(run["exit_status"] for run in runs),
            "merged_from": [
                {
                    "file": name,
                    "started": document["run"]["started"],
                    "python": document["run"]["python"],
                    "platform": document["run"]["platform"],
                    "git_commit": document["run"]["git_commit"],
                    "cells": len(document["cells"]),
                }
                for name, document in loaded
            ],
        },
        "cells": cells,
    }
