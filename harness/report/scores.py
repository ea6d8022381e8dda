"""Counting cells: per implementation, per suite, per pair, as every report shows them.

A score is cells passed / cells applicable: a skipped cell (the implementation cannot
express the case) is not applicable; a known deviation, a failure, an error, a fixed
deviation (the baseline still lists it) and a pass in insecure mode are applicable and not
passed. A cell counts for each implementation in it, server and client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from harness.report.document import status
from harness.results import Document

# Display order of the statuses (document.status), best first.
STATUSES = ("pass", "insecure", "known", "fixed", "fail", "error", "skip")


def tally(cells: Iterable[Document]) -> Counter[str]:
    return Counter(status(cell) for cell in cells)


def score(counts: Counter[str]) -> tuple[int, int]:
    """(passed, applicable)."""
    return counts["pass"], sum(counts.values()) - counts["skip"]


def percent(counts: Counter[str]) -> int | None:
    passed, applicable = score(counts)
    return round(100 * passed / applicable) if applicable else None


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


def by_implementation(cells: list[Document], names: list[str]) -> dict[str, Counter[str]]:
    return {name: tally(c for c in cells if involves(c, name)) for name in names}


def by_implementation_and_suite(
    cells: list[Document], names: list[str]
) -> dict[str, dict[str, Counter[str]]]:
    return {
        name: {
            suite: tally(c for c in cells if involves(c, name) and c["suite"] == suite)
            for suite in suites(cells)
        }
        for name in names
    }


def fraction(counts: Counter[str]) -> str:
    passed, applicable = score(counts)
    return f"{passed}/{applicable}" if applicable else "n/a"


def breakdown(counts: Counter[str]) -> str:
    """ "3 pass, 1 known, 2 skip": every status that occurred, in display order."""
    return ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s]) or "no cells"


def terminal_table(document: Document) -> list[str]:
    """One line per implementation: pass / fail / known / skip counts (and any other status
    that occurred), then the totals; fits one screen."""
    cells, names = document["cells"], implementation_names(document)
    totals = tally(cells)
    always = ("pass", "fail", "known", "skip")
    columns = [*always, *(s for s in STATUSES if s not in always and totals[s])]
    width = max([len("implementation"), *map(len, names)])
    header = f"{'implementation':<{width}}  " + " ".join(f"{c:>8}" for c in columns) + "     score"
    lines = [header]
    for name, counts in by_implementation(cells, names).items():
        row = " ".join(f"{counts[c]:>8}" for c in columns)
        lines.append(f"{name:<{width}}  {row}  {fraction(counts):>8}")
    row = " ".join(f"{totals[c]:>8}" for c in columns)
    lines.append(f"{'all cells':<{width}}  {row}  {fraction(totals):>8}")
    flaky = sum(1 for cell in cells if cell.get("flaky"))
    if flaky:
        lines.append(f"{flaky} flaky cell(s): their outcome varied between runs (--repeat)")
    return lines
