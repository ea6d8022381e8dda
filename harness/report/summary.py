"""reports/summary.md: a run in Markdown, for a CI job summary or a pull-request comment.

Totals, the per-implementation score table, what changed against the baseline (the
expectation files: a failure is a cell no file lists, a fixed cell is one a file lists that
now passes), the warned cells (passed in a way the RFC advises against), flaky cells, and the
failed cells grouped by case. Long lists are cut with a
count of what was left out, so the summary stays within a job summary's size limit.
"""

from __future__ import annotations

from collections import defaultdict

from harness.report import coverage, scores
from harness.report.defaults_table import shipped_defaults
from harness.report.differential_table import DifferentialTable, read_differently
from harness.report.document import pairing_label, run_notes, status
from harness.report.keepalive_table import TimerRow, keepalive_timers
from harness.report.shutdown_table import ShutdownRow, shutdown_rows
from harness.results import Document

CASES_LISTED = 40  # cases per list before "... and N more"
CELLS_LISTED = 12  # cells per case


def inline(text: str, limit: int = 200) -> str:
    """One line of text that cannot break a Markdown table or list."""
    line = " ".join(text.split())
    line = line if len(line) <= limit else line[: limit - 3] + "..."
    return line.replace("|", "\\|").replace("`", "'")


def _label(cell: Document) -> str:
    return pairing_label(cell["server"], cell["client"], cell["transport"])


def _grouped(cells: list[Document], with_message: bool, compact: bool = False) -> list[str]:
    """A list item per case (at most CASES_LISTED), its cells under it; ``compact`` puts
    the cells on the case's line instead (for long lists that need no message)."""
    by_case: dict[str, list[Document]] = defaultdict(list)
    for cell in cells:
        by_case[cell["case"]].append(cell)
    lines = []
    for case_id in sorted(by_case)[:CASES_LISTED]:
        group = by_case[case_id]
        first = group[0]
        if compact:
            lines.append(f"- `{case_id}`: {'; '.join(_label(cell) for cell in group)}")
            continue
        lines.append(
            f"- **`{case_id}`** ({first['rfc']}, {first['level']}): {inline(first['requirement'])}"
        )
        for cell in group[:CELLS_LISTED]:
            message = f": {inline(cell['message'])}" if with_message and cell["message"] else ""
            lines.append(f"  - {status(cell)}: {_label(cell)}{message}")
        if len(group) > CELLS_LISTED:
            lines.append(f"  - ... and {len(group) - CELLS_LISTED} more cells")
    if len(by_case) > CASES_LISTED:
        lines.append(f"- ... and {len(by_case) - CASES_LISTED} more cases (see conformance.html)")
    return lines


def _differential_lines(table: DifferentialTable | None) -> list[str]:
    """The "Read differently" section, or nothing without a request read in two ways."""
    if table is None:
        return []
    lines = ["", "## Read differently", ""]
    lines.append(
        "The differential suite's regressions and generated requests that this run's servers "
        "read in more than one way (observed only): a column per server, its group's letter; "
        "smuggling-relevant when found first."
    )
    lines += ["", "| request | " + " | ".join(table.columns) + " | readings |"]
    lines.append("|---" * (len(table.columns) + 2) + "|")
    for row in table.rows[:CASES_LISTED]:
        flag = f" **smuggling-relevant when found: {inline(row.found)}**" if row.found else ""
        readings = "; ".join(f"{letter}: {reading}" for letter, reading in row.groups)
        request = row.request.replace("|", "\\|").replace("`", "'")  # spaces kept: they count
        lines.append(
            f"| `{request}`{flag} | " + " | ".join(row.cells) + f" | {inline(readings, 400)} |"
        )
    if len(table.rows) > CASES_LISTED:
        lines.append(f"\n... and {len(table.rows) - CASES_LISTED} more (see conformance.html)")
    return lines


def _timer_lines(timers: list[TimerRow]) -> list[str]:
    """The "Keep-alive timers" section, or nothing without such cells."""
    if not timers:
        return []
    lines = ["", "## Keep-alive timers", ""]
    lines.append(
        "How long each server leaves an idle kept-alive connection open "
        "(keepalive.server.idle_timer), beside what its documentation states (the statement "
        "and where it is written: conformance.html); 'skip' where it states nothing known here. "
        "With -m slow, keepalive.server.idle_timer_long's row follows, timing the longer timers."
    )
    lines += ["", "| server | transport | documented | observed | status |", "|---" * 5 + "|"]
    for timer in timers:
        entries = (timer.server, timer.transport, timer.documented, timer.observed)
        lines.append("| " + " | ".join(entries) + f" | {timer.status} |")
    return lines


def _shutdown_lines(rows: list[ShutdownRow]) -> list[str]:
    """The "Graceful shutdown" section, or nothing without such cells."""
    if not rows:
        return []
    lines = ["", "## Graceful shutdown", ""]
    lines.append(
        "What each server did on SIGTERM during a slow request (lifecycle.shutdown.graceful), "
        "beside what its documentation states (the statement: conformance.html); 'skip' "
        "where it states nothing known here."
    )
    head = "| server | in-flight request | new connection | exit | documented | status |"
    lines += ["", head, "|---" * 6 + "|"]
    for row in rows:
        entries = (row.server, row.in_flight, row.new_connection, row.exit, row.documented)
        lines.append("| " + " | ".join(entries) + f" | {row.status} |")
    return lines


def render(document: Document) -> str:
    run, cells = document["run"], document["cells"]
    names = scores.implementation_names(document)
    totals = scores.tally(cells)
    passed, applicable = scores.score(totals)
    counts = scores.breakdown(totals)
    lines = [
        "# HTTP interop conformance",
        "",
        f"{run.get('started', '?')} · Python {run.get('python', '?')} · "
        f"commit `{(run.get('git_commit') or 'none')[:12]}` · {run.get('duration_s', 0):.0f} s",
        "",
        *(f"> **{note}**\n" for note in run_notes(document)),
        f"**{len(cells)} cells**: {counts}. **{passed}/{applicable}** applicable MUST and SHOULD "
        "cells pass.",
        "",
        "## Scores (MUST and SHOULD cells passed / applicable)",
        "",
        "MAY cells and cells run with certificate verification off are counted apart; so are "
        "an implementation's cells blamed on its peer (peer's: the peer's listed deviation, or "
        "the side the evidence points to).",
        "",
    ]
    suites = scores.suites(cells)
    table = scores.by_implementation_and_suite(cells, names)
    overall = scores.by_implementation(cells, names)
    lines.append(
        "| implementation | " + " | ".join(suites) + " | all | warn | known | fail | apart (MAY, "
        "verification off) | peer's |"
    )
    lines.append("|---" * (len(suites) + 7) + "|")
    for name in names:
        row = " | ".join(scores.fraction(table[name][suite]) for suite in suites)
        counts_of = overall[name]
        all_cells = scores.fraction(counts_of)
        lines.append(
            f"| {name} | {row} | **{all_cells}** | {counts_of['warn']} | {counts_of['known']} | "
            f"{counts_of['fail']} | "
            f"{scores.apart(counts_of)} | {counts_of.peers.total()} |"
        )
    failed = [c for c in cells if c["outcome"] in ("fail", "error")]
    new_failures = [c for c in cells if c["outcome"] == "fail"]
    fixed = [c for c in cells if c["outcome"] == "fixed"]
    warned = [c for c in cells if c["outcome"] == "warn"]
    insecure = [c for c in cells if status(c) == "insecure"]
    flaky = [c for c in cells if c.get("flaky")]
    lines += ["", "## Against the baseline", ""]
    lines.append(
        f"- **{len(new_failures)} new failure(s)**: cells that fail and no expectation file lists"
    )
    lines.append(
        f"- **{len(fixed)} fix(es)**: listed deviations that now pass (update the baseline)"
    )
    if fixed:
        lines += ["", "### Fixed: remove these entries from suites/expectations/", ""]
        lines += _grouped(fixed, with_message=False)
    if warned:
        lines += ["", "## Warned: allowed, but the RFC advises against it", ""]
        lines.append(
            f"{len(warned)} cells passed in a way the RFC allows but advises against (a SHOULD "
            "or SHOULD NOT not followed); they count as passed."
        )
        lines += ["", *_grouped(warned, with_message=True)]
    if insecure:
        lines += ["", "## Passed in insecure mode (certificate verification off)", ""]
        lines.append(
            f"{len(insecure)} cells passed with certificate verification turned off: they show "
            "that the connection worked, not that verification did, and are counted apart "
            "from the score."
        )
        lines += ["", *_grouped(insecure, with_message=False, compact=True)]
    if flaky:
        lines += ["", "## Flaky cells (the outcome varied between runs)", ""]
        for cell in flaky[: CASES_LISTED * 2]:
            lines.append(f"- `{cell['case']}` {_label(cell)}: {' '.join(cell['outcomes'])}")
    defaults = shipped_defaults(cells, names)
    if defaults is not None:
        lines += ["", "## Defaults as shipped", ""]
        lines.append(
            "What each client does with its library's defaults (the defaults suite); a "
            "status where the library documents the default, 'skip' where it is data only."
        )
        lines += ["", "| client | " + " | ".join(f"`{c}`" for c in defaults.cases) + " |"]
        lines.append("|---" * (len(defaults.cases) + 1) + "|")
        for client, entries in defaults.rows:
            shown = " | ".join(f"{inline(text, 80)} ({state})" for text, state in entries)
            lines.append(f"| {client} | {shown} |")
    lines += _timer_lines(keepalive_timers(cells, names))
    lines += _shutdown_lines(shutdown_rows(cells, names))
    lines += _differential_lines(read_differently(cells, names))
    lines += ["", "## Failed cells, by case", ""]
    lines += _grouped(failed, with_message=True) if failed else ["None."]
    # One line per RFC: its requirements with a case, per level (report/coverage.py).
    lines += ["", "## Coverage of RFC 9110 and RFC 9112", ""]
    lines += [f"- {line}" for line in coverage.headlines(document)]
    lines += [
        "",
        "The coverage page, beside conformance.html, lists each requirement and its cases.",
    ]
    return "\n".join(lines) + "\n"
