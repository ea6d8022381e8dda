"""``--shard i/n``: one of n parts of a run, for running the parts on n machines side by side
(docs/ci.md) and merging their results files (``python -m harness merge``).

The split keeps every server's cells together, so a server starts in one shard only: a
cell's group is its server's name (or its client's, for a cell without a server process,
which talks to a scripted server). The groups of WEIGHTS, this package's implementations
weighed by their measured cell time, are dealt out heaviest first, each to the lightest
shard so far; any other group (an implementation added by an extension or an
implementations file) goes to the shard that the SHA-256 of its name picks. Either way the
shard depends on the name and this package's version alone, so shards agree on every
machine and in every run, even where the matrices differ (an implementation installed on
one machine only).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import re
from dataclasses import dataclass

from harness.model import Pairing

_SHARD = re.compile(r"([0-9]+)/([0-9]+)")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (from 1) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def keeps(self, pairing: Pairing | None) -> bool:
        """Whether this shard runs the cell of ``pairing`` (``None``: a test that is no
        cell, which the first shard runs)."""
        if pairing is None:
            return self.index == 1
        return shard_index(group(pairing), self.count) == self.index


def group(pairing: Pairing) -> str:
    """What a cell's shard is chosen by: its server process, else its client."""
    return f"server {pairing.server}" if pairing.server else f"client {pairing.client}"


# Seconds of cell time per group in the default conformance run (`python bench/run_times.py
# RESULTS.json` prints them as "by shard group"), so that shards take about as long as each
# other. Measured on 2026-12-06 (CI=true, -n 2, 21,873 cells); a stale figure costs
# balance, never a cell.
WEIGHTS: dict[str, float] = {
    "server twisted": 182,
    "server stdlib-http11": 161,
    "server stdlib-threading": 158,
    "server flask": 155,
    "server gunicorn": 143,
    "server uvicorn": 142,
    "server django-gunicorn": 139,
    "server aiohttp.web": 134,
    "server node": 124,
    "server waitress": 101,
    "client requests": 94,
    "client urllib3": 92,
    "client urllib.request": 91,
    "client aiohttp": 90,
    "server stdlib-http10": 90,
    "client http.client": 89,
    "client curl": 79,
    "server django-runserver": 69,
    "client httpx": 56,
    "server simplehttp": 5,
    "server http.server-cli-http11": 2,
    "client websockets": 0,
}


@functools.cache
def _dealt(count: int) -> dict[str, int]:
    """WEIGHTS' groups dealt to ``count`` shards: heaviest first, each to the lightest shard
    so far (the lowest index among equals), so the result depends on the table alone."""
    loads = [0.0] * count
    dealt = {}
    for name, weight in sorted(WEIGHTS.items(), key=lambda item: (-item[1], item[0])):
        lightest = loads.index(min(loads))
        loads[lightest] += weight
        dealt[name] = lightest + 1
    return dealt


def shard_index(name: str, count: int) -> int:
    """The shard (from 1) of the group ``name`` among ``count``."""
    if name in WEIGHTS:
        return _dealt(count)[name]
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse(text: str) -> Shard:
    """``i/n`` as given to --shard (an argparse type)."""
    match = _SHARD.fullmatch(text.strip())
    index, count = (int(match[1]), int(match[2])) if match else (0, 0)
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(
            f"expected i/n with 1 <= i <= n (shard i of n, e.g. 2/3), got {text!r}"
        )
    return Shard(index, count)
