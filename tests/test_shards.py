"""--shard i/n and merging the shards: the same cells, outcomes and counts as one run; the
split deals the weighed implementations evenly and the others by their name's hash."""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.model import Pairing
from harness.report.document import key, selection_label
from harness.report.merge import merge, read_for_merge
from harness.results import Document
from harness.shards import WEIGHTS, Shard, parse, shard_index
from tests.pytest_run import ROOT, run_pytest

# Three quick servers that 2 shards split 2 + 1 and 3 shards one each (dealt by
# shards.WEIGHTS; test_the_selection_spreads_over_every_shard says so when that changes).
SERVERS = ("stdlib-http11", "stdlib-threading", "uvicorn")
SELECTION = (
    "suites/test_methods.py",
    *("-k", "test_get or test_post"),  # a deselection, so that its count is merged too
    *(arg for server in SERVERS for arg in ("--server", server)),
    *("--client", "requests", "--transport", "http"),
    *("--expectations", str(ROOT / "suites" / "expectations")),
)


def _run(results: Path, *shard: str) -> Document:
    done = run_pytest(*SELECTION, *shard, f"--results={results}")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(results.read_text(encoding="utf-8"))


def _shard_files(folder: Path, count: int) -> list[Path]:
    return [folder / f"shard-{i}-of-{count}.json" for i in range(1, count + 1)]


def _outcomes(document: Document) -> dict[tuple[str, ...], str]:
    return {key(cell): cell["outcome"] for cell in document["cells"]}


def test_shards_merge_into_the_results_of_one_run(tmp_path: Path) -> None:
    runs = [(tmp_path / "whole.json", ())] + [
        (path, ("--shard", f"{i}/{count}"))
        for count in (2, 3)
        for i, path in enumerate(_shard_files(tmp_path, count), 1)
    ]
    with ThreadPoolExecutor(len(runs)) as pool:  # six runs side by side, as on six machines
        futures = {path: pool.submit(_run, path, *args) for path, args in runs}
    results = {path: future.result() for path, future in futures.items()}
    whole = results[tmp_path / "whole.json"]
    assert whole["cells"] and whole["run"]["selection"]["deselected"]
    for count in (2, 3):
        files = _shard_files(tmp_path, count)
        servers = [{cell["server"] for cell in results[path]["cells"]} for path in files]
        # Every server's cells in one shard only.
        assert sum(len(s) for s in servers) == len(SERVERS), servers
        for i, path in enumerate(files, 1):
            assert results[path]["run"]["selection"]["shard"] == f"{i}/{count}"
        merged = merge(read_for_merge(files))
        assert _outcomes(merged) == _outcomes(whole)
        counts = ("selected", "deselected", "full", "shard")
        assert {name: merged["run"]["selection"][name] for name in counts} == {
            name: whole["run"]["selection"][name] for name in counts
        }
    # Shards of two counts are not one run: merged, they say which they hold.
    mixed = [_shard_files(tmp_path, 3)[0], _shard_files(tmp_path, 2)[1]]
    assert merge(read_for_merge(mixed))["run"]["selection"]["shard"] == "1/3 | 2/2"


def test_a_partial_set_of_shards_says_which_it_holds() -> None:
    selection = {"paths": [], "keyword": "", "markers": "", "selected": 4, "deselected": 0}
    selection |= {name: [] for name in ("server", "client", "transport", "case", "level", "rfc")}
    document = {
        "schema_version": 4,
        "run": {
            "started": "2026-12-06T00:00:00+00:00",
            "python": "3.11",
            "platform": "linux",
            "git_commit": None,
            "duration_s": 1.0,
            "workers": 1,
            "implementations": [],
            "interrupted": None,
            "exit_status": 0,
        },
        "cells": [],
    }
    shards = [
        ("a", document | {"run": document["run"] | {"selection": selection | s}})
        for s in ({"full": True, "shard": "1/3"}, {"full": True, "shard": "3/3"})
    ]
    merged = merge(shards)["run"]["selection"]
    assert (merged["shard"], merged["selected"], merged["full"]) == ("1,3/3", 8, True)
    assert selection_label(merged) == "shard 1,3/3 of the full matrix"


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2"])
def test_a_malformed_shard_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="expected i/n with 1 <= i <= n"):
        parse(text)


def test_a_server_and_its_cells_are_in_one_shard_of_each_count() -> None:
    pairings = [
        Pairing("flask", client, transport)
        for client in ("requests", "httpx", None)
        for transport in ("http", "https")
    ]
    for count in range(1, 6):
        keeping = [i for i in range(1, count + 1) if Shard(i, count).keeps(pairings[0])]
        assert len(keeping) == 1
        assert all(Shard(keeping[0], count).keeps(p) for p in pairings)
    # A test that is no cell runs in the first shard only.
    assert [Shard(i, 3).keeps(None) for i in (1, 2, 3)] == [True, False, False]


def test_the_selection_spreads_over_every_shard() -> None:
    for count, sizes in ((2, [1, 2]), (3, [1, 1, 1])):
        shards = Counter(shard_index(f"server {server}", count) for server in SERVERS)
        assert sorted(shards.values()) == sizes, f"pick other SERVERS: {count} shards {shards}"


@pytest.mark.parametrize("count", [2, 3, 4, 5])
def test_the_packages_implementations_are_dealt_into_shards_of_about_equal_time(
    count: int,
) -> None:
    loads = Counter[int]()
    for name, weight in WEIGHTS.items():
        loads[shard_index(name, count)] += weight
    assert len(loads) == count
    # Heaviest first to the lightest shard: no shard exceeds another by more than the
    # heaviest group.
    assert max(loads.values()) - min(loads.values()) <= max(WEIGHTS.values()), loads


def test_a_group_not_weighed_goes_by_its_names_hash() -> None:
    # An implementation of an extension or an implementations file: the same shard on
    # every machine, whatever else is installed.
    name = "server someone-elses"
    assert name not in WEIGHTS
    digest = hashlib.sha256(name.encode()).digest()
    for count in (2, 3, 7):
        assert shard_index(name, count) == int.from_bytes(digest[:8], "big") % count + 1
