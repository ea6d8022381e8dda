"""The report files a run writes beside its results file, and the CI job summary.

``results.json`` gets ``conformance.html`` and ``summary.md``; a results file of another
name gets reports named after it (``results-tls-py312.json``: ``conformance-tls-py312.html``
and ``summary-tls-py312.md``), so runs that share a folder keep their own reports.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.report import html, summary
from harness.results import Document, write_text


def _suffix(results: Path) -> str:
    stem = results.stem
    return stem.removeprefix("results") if stem.startswith("results") else f"-{stem}"


def names(results: Path, directory: Path | None = None) -> tuple[Path, Path]:
    """The HTML report's and the summary's paths for ``results``, in ``directory`` (default:
    the results file's folder)."""
    folder = results.parent if directory is None else directory
    suffix = _suffix(results)
    return folder / f"conformance{suffix}.html", folder / f"summary{suffix}.md"


def write(document: Document, results: Path, directory: Path | None = None) -> list[Path]:
    """Write the HTML report and the summary of ``results`` (see ``names``); their paths."""
    html_path, summary_path = names(results, directory)
    # Atomically, as results.json: a reader never sees half a report.
    write_text(html_path, html.render(document))
    write_text(summary_path, summary.render(document))
    return [html_path, summary_path]


def publish_summary(summary_path: Path) -> None:
    """Append the summary to $GITHUB_STEP_SUMMARY when that variable is set (GitHub Actions
    shows the file on the run's page)."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as step_summary:
            step_summary.write(summary_path.read_text(encoding="utf-8"))
