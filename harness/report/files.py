"""The report files a run writes beside its results file, and the CI job summary.

``results.json`` gets ``conformance.html``, ``summary.md``, ``coverage.html`` (the
requirements of RFC 9110 and RFC 9112 the cases check) and (from the run itself)
``junit.xml``; a results file of another name gets reports named after it
(``results-tls-py312.json``: ``conformance-tls-py312.html``, ``summary-tls-py312.md``,
``coverage-tls-py312.html`` and ``junit-tls-py312.xml``), so runs that share a folder keep
their own reports.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from harness.report import coverage, html, summary
from harness.results import Document, write_text


def _suffix(results: Path) -> str:
    stem = results.stem
    return stem.removeprefix("results") if stem.startswith("results") else f"-{stem}"


class Reports(NamedTuple):
    """The paths of the reports of one results file."""

    html: Path
    summary: Path
    junit: Path  # written by the run (pytest's JUnit XML), not from results.json
    coverage: Path


def names(results: Path, directory: Path | None = None) -> Reports:
    """The reports' paths for ``results``, in ``directory`` (default: the results file's
    folder)."""
    folder = results.parent if directory is None else directory
    suffix = _suffix(results)
    return Reports(
        folder / f"conformance{suffix}.html",
        folder / f"summary{suffix}.md",
        folder / f"junit{suffix}.xml",
        folder / f"coverage{suffix}.html",
    )


def write(document: Document, results: Path, directory: Path | None = None) -> list[Path]:
    """Write the HTML report, the summary and the coverage page of ``results`` (see
    ``names``); their paths."""
    html_path, summary_path, _, coverage_path = names(results, directory)
    # Atomically, as results.json: a reader never sees half a report. The pages link to
    # each other by name.
    write_text(html_path, html.render(document, coverage=coverage_path.name))
    write_text(summary_path, summary.render(document))
    write_text(coverage_path, coverage.render(document, conformance=html_path.name))
    return [html_path, summary_path, coverage_path]


def publish_summary(summary_path: Path) -> None:
    """Append the summary to $GITHUB_STEP_SUMMARY when that variable is set (GitHub Actions
    shows the file on the run's page)."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as step_summary:
            step_summary.write(summary_path.read_text(encoding="utf-8"))
