"""Real results files for the report, CLI and browser tests: narrowed conformance runs of the
methods suite (one server, so each takes about two seconds), and the JSON Schema check that
every written results file must pass."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema

from harness import expectations
from harness.registry import REGISTRY
from harness.results import SCHEMA_FILE
from tests.pytest_run import ROOT, run_pytest

# The reference implementations only, so that the files do not move when the registry grows.
NARROW = [
    "suites/test_methods.py",
    "--server",
    "stdlib-threading",
    "--client",
    "http.client",
    "--client",
    "requests",
]
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
# A real failure: requests upper-cases methods; without its listed deviation that fails.
UNLISTED = ("requests", "methods.case_sensitive")
# A real fix: http.client sends GET, so a deviation listed for it passes ("fixed").
FAKE_DEVIATION = """
[[deviation]]
case = "methods.get"
reason = "pretends http.client cannot send GET"
rfc = "RFC 9110 §9.3.1"
evidence = "none: a self-test's fake entry"
"""


def real_run(
    directory: Path, *args: str, env: dict[str, str] | None = None, name: str = "results.json"
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the narrowed suite writing the results file ``name`` into ``directory``; the run
    and its results file."""
    results = directory / name
    done = run_pytest(*NARROW, "-q", "--results", str(results), *args, env=env)
    assert results.exists(), done.stdout + done.stderr
    return done, results


def altered_expectations(directory: Path) -> Path:
    """A copy of the expectation files that makes one real failure and one real fix."""
    known = [impl.name for impl in REGISTRY.all()]
    directory.mkdir(parents=True)
    for path in (ROOT / "suites" / "expectations").glob("*.toml"):
        deviations = expectations.load_file(path, known_implementations=known)
        if path.stem == UNLISTED[0]:
            deviations = [d for d in deviations if d.case != UNLISTED[1]]
        text = expectations.render(deviations) if deviations else ""
        if path.stem == "http.client":
            text += FAKE_DEVIATION
        (directory / path.name).write_text(text, encoding="utf-8")
    return directory


def schema_errors(document: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def load_valid(path: Path) -> dict:
    """Read a written results file, failing the test unless it matches the JSON Schema."""
    document = json.loads(path.read_text(encoding="utf-8"))
    errors = schema_errors(document)
    assert not errors, f"{path} does not match {SCHEMA_FILE.name}: {errors[:5]}"
    return document
