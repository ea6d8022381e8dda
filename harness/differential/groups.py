"""Servers grouped by interpretation: a request whose servers fall into more than one group
is a disagreement, and a pair of groups that disagree about where a message ends is
smuggling-relevant (a front and an origin of those two groups would frame the same bytes
into different messages)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

from .record import UNKNOWN, Interpretation, Probe


@dataclass(frozen=True)
class Group:
    interpretation: Interpretation
    servers: tuple[str, ...]


@dataclass(frozen=True)
class Disagreement:
    probe: Probe
    groups: tuple[Group, ...]  # largest first
    smuggling_pairs: tuple[tuple[str, str], ...]  # a known server of each group, per pair

    @property
    def smuggling_relevant(self) -> bool:
        return bool(self.smuggling_pairs)


def group(records: Mapping[str, Interpretation]) -> tuple[Group, ...]:
    """The servers of ``records`` by equal interpretation, largest group first (then by the
    first server's name, so the order is stable). A reading with unknown answers (normalise
    rule 9) joins the largest group it agrees with, so unknown never splits a group; it
    makes one of its own only where what it shows differs from every group."""
    by_reading: dict[Interpretation, list[str]] = {}
    for server, reading in sorted(records.items(), key=lambda item: not item[1].known):
        if not reading.known:
            largest = sorted(by_reading, key=lambda r: (-len(by_reading[r]), by_reading[r]))
            reading = next((r for r in largest if r.agrees(reading)), reading)
        by_reading.setdefault(reading, []).append(server)
    groups = [Group(reading, tuple(sorted(names))) for reading, names in by_reading.items()]
    return tuple(sorted(groups, key=lambda g: (-len(g.servers), g.servers)))


def ends_differ(a: Interpretation, b: Interpretation) -> bool:
    """Whether two servers that both took the first request as a message disagree about
    where it ended: the content /echo served (length and digest) of a request differs (a
    target or a field read differently is a disagreement, but not about the end), or one
    served more and the other kept the connection open without answering them (it is still
    reading what the other took as the next request)."""
    if not (a.accepted and b.accepted):
        return False
    mine, theirs = a.served, b.served
    common = min(len(mine), len(theirs))
    if any(
        (x.content_length, x.content_digest) != (y.content_length, y.content_digest)
        for x, y in zip(mine[:common], theirs[:common], strict=True)
        if UNKNOWN not in (x, y)
    ):
        return True
    shorter = a if len(mine) < len(theirs) else b
    return len(mine) != len(theirs) and not shorter.closed


def disagreement(probe: Probe, records: Mapping[str, Interpretation]) -> Disagreement | None:
    """The disagreement over ``probe``, or None when every server read it alike."""
    groups = group(records)
    if len(groups) < 2:
        return None

    def named(g: Group) -> str:
        """The group's first server that showed what it read (not one of rule 9's)."""
        return next((s for s in g.servers if records[s].known), g.servers[0])

    pairs = tuple(
        (named(a), named(b))
        for a, b in combinations(groups, 2)
        if ends_differ(a.interpretation, b.interpretation)
    )
    return Disagreement(probe, groups, pairs)
