"""The report files a run writes beside results.json, and the CI job summary."""

from __future__ import annotations

import os
from pathlib import Path

from harness.report import html, summary
from harness.report.document import Document

HTML_NAME = "conformance.html"
SUMMARY_NAME = "summary.md"


def _write_text(path: Path, text: str) -> None:
    # Atomically, as results.json: a reader never sees half a report.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def write(document: Document, directory: Path) -> list[Path]:
    """Write conformance.html and summary.md into ``directory``; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        (HTML_NAME, html.render(document)),
        (SUMMARY_NAME, summary.render(document)),
    ):
        _write_text(directory / name, text)
        written.append(directory / name)
    return written


def publish_summary(directory: Path) -> None:
    """Append summary.md to $GITHUB_STEP_SUMMARY when that variable is set (GitHub Actions
    shows the file on the run's page)."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as step_summary:
            step_summary.write((directory / SUMMARY_NAME).read_text(encoding="utf-8"))
