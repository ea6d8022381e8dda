"""Counting cells: per implementation, per suite, per pair, as every report shows them.

A score is cells passed / cells applicable, over the cells that check a MUST or SHOULD with
certificate verification on: a skipped cell (the implementation cannot express the case) is
not applicable; a warned cell (it did what the RFC allows but advises against) passed, and
is counted as warn beside the passes; a known deviation, a failure, an error and a fixed
deviation (the baseline still lists it) are applicable and not passed. MAY cells and cells
run with verification off are counted apart: a MAY is optional, and a pass with verification
off shows that the connection worked, never that verification did, so neither can raise or
lower a score. A cell counts for each implementation in it, server and client, unless its
verdict is blamed on the other one (``blame``: whose expectation file lists it, or the side an
interop failure's evidence points to): then it is that peer's, counted apart as "peer's" and
never in the score, so a server's score does not drop for a client's deviation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from harness.report.document import run_notes, status
from harness.results import Document

# Display order of the statuses (document.status), best first.
STATUSES = ("pass", "warn", "insecure", "known", "fixed", "fail", "error", "skip")
FAILING = ("fail", "error")


def scored(cell: Document) -> bool:
    """Whether a cell counts in the score (a MUST or SHOULD, verification on)."""
    return cell["level"] != "MAY" and not cell.get("insecure")


@dataclass
class Tally:
    """The statuses of some cells: those in the score, and those counted apart."""

    scored: Counter[str] = field(default_factory=Counter)
    apart: Counter[str] = field(default_factory=Counter)  # MAY and verification off
    peers: Counter[str] = field(default_factory=Counter)  # blamed on the other side

    def __getitem__(self, status: str) -> int:
        return self.scored[status] + self.apart[status]

    @property
    def cells(self) -> int:
        return self.scored.total() + self.apart.total()


def blamed_on_peer(cell: Document, name: str) -> bool:
    """Whether the cell's verdict is blamed on the side ``name`` is not on."""
    blame = cell.get("blame", "")
    side = "server" if cell["server"] == name else "client"
    return blame in ("server", "client") and blame != side


def tally(cells: Iterable[Document], name: str | None = None) -> Tally:
    """The statuses of ``cells``; for an implementation ``name``, the cells blamed on its
    peer are counted apart as the peer's."""
    counts = Tally()
    for cell in cells:
        if name is not None and blamed_on_peer(cell, name):
            counts.peers[status(cell)] += 1
        else:
            (counts.scored if scored(cell) else counts.apart)[status(cell)] += 1
    return counts


def score(counts: Tally) -> tuple[int, int]:
    """(passed, applicable) of the scored cells; a warned cell passed."""
    passed = counts.scored["pass"] + counts.scored["warn"]
    return passed, counts.scored.total() - counts.scored["skip"]


def outcome(counts: Tally) -> str:
    """What a tally's colour says, from its outcomes (never from its score): "fail" when a
    cell failed or erred, "known" when one deviates as listed (or its listing is stale),
    "pass" when some passed (warned ones too), "none" when nothing applied."""
    if any(counts[s] for s in FAILING):
        return "fail"
    if counts["known"] or counts["fixed"]:
        return "known"
    return "pass" if counts["pass"] or counts["warn"] or counts["insecure"] else "none"


def involves(cell: Document, name: str) -> bool:
    return name in (cell["server"], cell["client"])


def implementation_names(document: Document) -> list[str]:
    """The implementations that have cells: servers first, then clients, in the run's order
    (a name only the cells know, last)."""
    described = sorted(
        document["run"].get("implementations", []), key=lambda impl: impl.get("kind") != "server"
    )
    in_cells = {name for cell in document["cells"] for name in (cell["server"], cell["client"])}
    names = [impl["name"] for impl in described if impl["name"] in in_cells]
    for cell in document["cells"]:
        for name in (cell["server"], cell["client"]):
            if name and name not in names:
                names.append(name)
    return names


def suites(cells: Iterable[Document]) -> list[str]:
    return sorted({cell["suite"] for cell in cells})


def by_implementation(cells: list[Document], names: list[str]) -> dict[str, Tally]:
    return {name: tally((c for c in cells if involves(c, name)), name) for name in names}


def by_implementation_and_suite(
    cells: list[Document], names: list[str]
) -> dict[str, dict[str, Tally]]:
    return {
        name: {
            suite: tally((c for c in cells if involves(c, name) and c["suite"] == suite), name)
            for suite in suites(cells)
        }
        for name in names
    }


def fraction(counts: Tally) -> str:
    passed, applicable = score(counts)
    return f"{passed}/{applicable}" if applicable else "n/a"


def _listed(counts: Counter[str]) -> str:
    return ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])


def breakdown(counts: Tally) -> str:
    """ "3 pass, 1 known, 2 skip; apart: 2 insecure": every status that occurred, in
    display order, the cells counted apart from the score after them."""
    scored_part = _listed(counts.scored) or "no scored cells"
    text = f"{scored_part}; apart (MAY, verification off): {apart(counts)}"
    return f"{text}; {peers(counts)}" if counts.peers else text


def peers(counts: Tally) -> str:
    """The cells blamed on the other side: "peer's: 2 (2 known)", or "peer's: 0"."""
    total = counts.peers.total()
    return f"peer's: {total} ({_listed(counts.peers)})" if total else "peer's: 0"


def apart(counts: Tally) -> str:
    """The cells counted apart: "3 (2 pass, 1 insecure)", or "0"."""
    total = counts.apart.total()
    return f"{total} ({_listed(counts.apart)})" if total else "0"


def terminal_table(document: Document) -> list[str]:
    """One line per implementation: pass / fail / known / skip counts (and any other status
    that occurred) over all its cells, the score, and the cells counted apart from it; then
    the totals; fits one screen."""
    cells, names = document["cells"], implementation_names(document)
    totals = tally(cells)
    always = ("pass", "fail", "known", "skip")
    columns = [*always, *(s for s in STATUSES if s not in always and totals[s])]
    width = max([len("implementation"), *map(len, names)])
    header = f"{'implementation':<{width}}  " + " ".join(f"{c:>8}" for c in columns)
    lines = [f"{header}     score  MAY/verification-off  peer's"]

    def line(name: str, counts: Tally) -> str:
        row = " ".join(f"{counts[c]:>8}" for c in columns)
        return (
            f"{name:<{width}}  {row}  {fraction(counts):>8}  {counts.apart.total():>20}"
            f"  {counts.peers.total():>6}"
        )

    lines += [line(name, counts) for name, counts in by_implementation(cells, names).items()]
    lines.append(line("all cells", totals))
    lines += run_notes(document)
    flaky = sum(1 for cell in cells if cell.get("flaky"))
    if flaky:
        lines.append(f"{flaky} flaky cell(s): their outcome varied between runs (--repeat)")
    return lines
