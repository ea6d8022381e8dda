"""``--shard i/n``: one of n parts of a run, for running the parts on n machines side by side
(docs/ci.md) and merging their results files (``python -m harness merge``).

The split keeps every server's cells together, so a server starts in one shard only, and
is the same on every machine and in every run: a cell goes to the shard that the SHA-256 of
its group's name picks (its server's name, or its client's for a cell without a server
process, which talks to a scripted server). It depends on nothing but the name, so shards
agree even where the matrices differ (an implementation installed on one machine only).
The price is balance: a shard may get more servers than another, or none.
"""

from __future__ import annotations

import argparse
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


def shard_index(name: str, count: int) -> int:
    """The shard (from 1) of the group ``name`` among ``count``."""
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
