"""Comparing two runs: regressions, fixes, new and removed cells, other changed outcomes.

Cells are matched by (case, server, client, transport), not by pytest node id, so renaming
a test function does not read as one case removed and another added. Statuses are compared
as the reports show them (a pass in insecure mode is no pass):

- regression: passed before (pass, warn, or fixed), now does not (fail, error, known,
  insecure); a cell that became a known deviation regressed even though the baseline now
  lists it.
- fix: did not pass before (and was applicable), passes now (a warn included).
- changed: any other change of status, such as pass -> warn, fail -> known or pass -> skip.

A cell OLD ran and NEW did not is removed, never a pass. When the two runs selected
different cells (another -k, --server, ...), only the cells both ran are compared, and the
first line says so and how many were left out; an interrupted run is named there too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.report.document import CellKey, describe_key, key, selection_label, status
from harness.report.summary import inline
from harness.results import Document

PASSING = ("pass", "warn", "fixed")
NOT_PASSING = ("fail", "error", "known", "insecure")
# The statuses whose message is shown: what went wrong, or what the RFC advises against.
EXPLAINED = (*NOT_PASSING, "warn")


@dataclass(frozen=True)
class Change:
    key: CellKey
    old: str | None  # the status before; None for a new cell
    new: str | None  # the status now; None for a removed cell
    message: str = ""  # the new cell's message (the old one's for a removed cell)


@dataclass
class Diff:
    regressions: list[Change] = field(default_factory=list)
    fixes: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    new: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    new_cases: list[str] = field(default_factory=list)  # case ids only the new run has
    removed_cases: list[str] = field(default_factory=list)  # case ids only the old run has
    # Different selections: the cells only one run selected, counted, not listed.
    only_old: int = 0
    only_new: int = 0
    warnings: list[str] = field(default_factory=list)  # why the runs are not like for like

    @property
    def removed_count(self) -> int:
        """Cells OLD ran that NEW did not (listed, or left out with another selection)."""
        return len(self.removed) + self.only_old

    def sections(self) -> list[tuple[str, list[Change]]]:
        return [
            ("Regressions", self.regressions),
            ("Fixes", self.fixes),
            ("Other changed outcomes", self.changed),
            ("New cells", self.new),
            ("Removed cells", self.removed),
        ]


def _narrowing(selection: Document) -> tuple[object, ...]:
    """What a selection asked for, without its counts."""
    if selection["full"] and not selection.get("shard"):
        return ("full",)
    return tuple(
        (name, value)
        for name, value in selection.items()
        if name not in ("selected", "deselected", "full")
    )


def _warnings(old: Document, new: Document, diff: Diff) -> list[str]:
    warnings = []
    old_selection, new_selection = old["run"]["selection"], new["run"]["selection"]
    if diff.only_old or diff.only_new or _narrowing(old_selection) != _narrowing(new_selection):
        common = len(old["cells"]) - diff.only_old
        warnings.append(
            f"Different selections (OLD {selection_label(old_selection)}; NEW "
            f"{selection_label(new_selection)}): compared the {common} cells both ran; left "
            f"out {diff.only_old} cells only in OLD and {diff.only_new} only in NEW."
        )
    for name, document in (("OLD", old), ("NEW", new)):
        if document["run"]["interrupted"]:
            warnings.append(f"{name} was interrupted ({document['run']['interrupted']}).")
    return warnings


def compare(old: Document, new: Document) -> Diff:
    before = {key(cell): cell for cell in old["cells"]}
    after = {key(cell): cell for cell in new["cells"]}
    diff = Diff()
    if _narrowing(old["run"]["selection"]) != _narrowing(new["run"]["selection"]):
        # Not like for like: compare the common cells, count the others.
        diff.only_old, diff.only_new = len(before.keys() - after), len(after.keys() - before)
        before = {k: cell for k, cell in before.items() if k in after}
        after = {k: cell for k, cell in after.items() if k in before}
    old_cases = {cell_key[0] for cell_key in before}
    new_cases = {cell_key[0] for cell_key in after}
    diff.new_cases = sorted(new_cases - old_cases)
    diff.removed_cases = sorted(old_cases - new_cases)
    for cell_key in sorted(before.keys() | after.keys()):
        if cell_key not in after:
            removed = before[cell_key]
            diff.removed.append(Change(cell_key, status(removed), None, removed["message"]))
            continue
        now = after[cell_key]
        if cell_key not in before:
            diff.new.append(Change(cell_key, None, status(now), now["message"]))
            continue
        was = before[cell_key]
        old_status, new_status = status(was), status(now)
        change = Change(cell_key, old_status, new_status, now["message"])
        if old_status == new_status:
            diff.unchanged += 1
        elif old_status in PASSING and new_status in NOT_PASSING:
            diff.regressions.append(change)
        elif old_status in NOT_PASSING and new_status in PASSING:
            diff.fixes.append(change)
        else:
            diff.changed.append(change)
    diff.warnings = _warnings(old, new, diff)
    return diff


def _headline(diff: Diff) -> str:
    counts = ", ".join(f"{len(changes)} {title.lower()}" for title, changes in diff.sections())
    return f"{counts}; {diff.unchanged} cells unchanged"


def _transition(change: Change) -> str:
    return f"{change.old or '(none)'} -> {change.new or '(none)'}"


def _cases(diff: Diff) -> list[str]:
    return [
        f"{title}: {', '.join(cases)}"
        for title, cases in (("New cases", diff.new_cases), ("Removed cases", diff.removed_cases))
        if cases
    ]


def render_text(diff: Diff, old_name: str, new_name: str) -> str:
    lines = [" ".join(diff.warnings)] if diff.warnings else []
    lines += [f"{old_name} -> {new_name}: {_headline(diff)}", *_cases(diff)]
    for title, changes in diff.sections():
        if not changes:
            continue
        lines += ["", f"{title} ({len(changes)}):"]
        for change in changes:
            lines.append(f"  {_transition(change):<18} {describe_key(change.key)}")
            if change.message and change.new in EXPLAINED:
                lines.append(f"  {'':<18}   {inline(change.message)}")
    return "\n".join(lines) + "\n"


def render_markdown(diff: Diff, old_name: str, new_name: str) -> str:
    verdict = f"**{len(diff.regressions)} regression(s)**" if diff.regressions else "No regressions"
    lines = [
        "## Conformance diff",
        "",
        *(f"> **{warning}**\n" for warning in diff.warnings),
        f"`{old_name}` -> `{new_name}`: {verdict}. {_headline(diff)}.",
        *(f"\n{line}" for line in _cases(diff)),
    ]
    for title, changes in diff.sections():
        if not changes:
            continue
        lines += ["", f"### {title} ({len(changes)})", "", "| cell | was | now | message |"]
        lines.append("|---|---|---|---|")
        for change in changes:
            message = inline(change.message) if change.new in EXPLAINED else ""
            lines.append(
                f"| `{inline(describe_key(change.key))}` | {change.old or '-'} | "
                f"{change.new or '-'} | {message} |"
            )
    return "\n".join(lines) + "\n"
