"""Coverage of RFC 9110 and RFC 9112 (harness/report/coverage.py): ``python -m harness
coverage``, coverage.html beside conformance.html, and summary.md's line per RFC.

The results file is a real run of three probe catalogue entries on one server (their cells
carry the ids their quotations derive); the counting tests change which ids its cells name
and compare the totals with counts taken from the index directly.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from harness.report import coverage, files
from harness.requirements import INDEX
from harness.results import Document
from tests.pytest_run import DEADLINE, ROOT, run_pytest
from tests.real_results import load_valid

CASES = ("probes.content_length.empty", "probes.transfer_encoding.unknown")
# A requirement of RFC 9112 on servers, one that binds intermediaries only, and one that
# names two roles (an origin server and a client).
SERVER_MUST = "9112-6.3-3"
INTERMEDIARY_ONLY = "9112-6.3-2"
TWO_ROLES = next(r.id for r in INDEX.values() if set(r.binds) == {"origin server", "client"})


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    directory = tmp_path_factory.mktemp("coverage")
    results = directory / "results.json"
    done = run_pytest(
        "suites/test_probes.py",
        "--server",
        "stdlib-threading",
        "--transport",
        "http",
        "-k",
        " or ".join(case.removeprefix("probes.") for case in CASES),
        "--expectations",
        str(ROOT / "suites" / "expectations"),
        "--results",
        str(results),
    )
    assert results.exists(), done.stdout + done.stderr
    document = load_valid(results)
    assert sorted({cell["case"] for cell in document["cells"]}) == list(CASES)
    return {"done": done, "results": results, "document": document}


def harness(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The command, as a user runs it in ``cwd``; this checkout's harness, wherever that is."""
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=False,
    )


def tied(document: Document, ids: dict[str, list[str]]) -> Document:
    """``document`` with each case's cells naming ``ids[case]`` (no ids for the others)."""
    changed = copy.deepcopy(document)
    for cell in changed["cells"]:
        cell["requirement_ids"] = ids.get(cell["case"], [])
    return changed


def named(document: Document) -> set[str]:
    return {i for cell in document["cells"] for i in cell["requirement_ids"]}


def expected_headline(rfc: int, ids: set[str]) -> str:
    """The headline's MUST part, counted from the index itself."""
    counted = [r for r in INDEX.values() if r.rfc == rfc and r.level == "MUST" and not r.scope]
    covered = sum(1 for r in counted if r.id in ids)
    return f"RFC {rfc}: {covered} of {len(counted)} MUST-level requirements have a case"


# -- Counting


def test_totals_count_the_ids_the_cells_name(run: dict) -> None:
    document = tied(run["document"], {CASES[0]: [SERVER_MUST, TWO_ROLES]})
    rfcs = {rfc.rfc: rfc for rfc in coverage.build(document).rfcs}
    before = {rfc.rfc: rfc for rfc in coverage.build(tied(document, {})).rfcs}
    two_roles = INDEX[TWO_ROLES]
    assert two_roles.rfc == 9110
    # Each requirement counts once in "all", and under every role it binds.
    assert rfcs[9112].count("MUST").covered == 1
    assert rfcs[9112].count("MUST", "servers").covered == 1
    assert rfcs[9112].count("MUST", "recipients").covered == 0
    assert rfcs[9110].count(two_roles.level).covered == 1
    for role, covered in (("servers", 1), ("clients", 1), ("senders", 0)):
        assert rfcs[9110].count(two_roles.level, role).covered == covered
    for rfc, totals in before.items():
        for level in coverage.LEVELS:
            assert totals.count(level).covered == 0
            assert rfcs[rfc].count(level).total == totals.count(level).total
    for rfc in (9110, 9112):
        assert rfcs[rfc].headline.startswith(expected_headline(rfc, named(document)))


def test_a_requirement_on_intermediaries_only_is_counted_apart(run: dict) -> None:
    assert INDEX[INTERMEDIARY_ONLY].scope == "intermediary"
    document = tied(run["document"], {CASES[1]: [INTERMEDIARY_ONLY]})
    rfc = next(r for r in coverage.build(document).rfcs if r.rfc == 9112)
    assert all(rfc.count(level).covered == 0 for level in coverage.LEVELS)
    outside = [r for r in INDEX.values() if r.rfc == 9112 and r.scope]
    assert (rfc.outside.covered, rfc.outside.total) == (1, len(outside))
    assert rfc.headline.endswith(
        f"(not counted: {len(outside)} on intermediaries or caches only, 1 of them with a case)"
    )
    untested = "\n".join(coverage.text(tied(document, {}), untested=True))
    assert INTERMEDIARY_ONLY not in untested and "11 intermediary only" in untested


def test_every_role_the_index_names_is_grouped() -> None:
    """A role the totals did not group would count as "no subject named"."""
    grouped = {word for _, words in coverage.ROLES for word in words}
    counted = {word for r in INDEX.values() if not r.scope for word in r.binds}
    assert counted <= grouped, counted - grouped


def test_each_case_shows_its_cells_outcomes(run: dict) -> None:
    document = run["document"]
    rows = {
        row.requirement.id: row for rfc in coverage.build(document).rfcs for row in rfc.requirements
    }
    for case in CASES:
        cells = [c for c in document["cells"] if c["case"] == case]
        for identifier in cells[0]["requirement_ids"]:
            shown = {c.case: c.outcomes for c in rows[identifier].cases}
            assert shown[case] == Counter(cell["outcome"] for cell in cells)


def test_ids_not_in_the_index_and_files_without_ids_are_said(run: dict) -> None:
    document = tied(run["document"], {CASES[0]: ["9112-99-1"]})
    text = "\n".join(coverage.text(document))
    assert f"Not in this harness's index: 9112-99-1 (named by {CASES[0]})" in text
    without = copy.deepcopy(run["document"])
    for cell in without["cells"]:
        del cell["requirement_ids"]
    assert "No cell names a requirement id" in "\n".join(coverage.text(without))


# -- python -m harness coverage


def test_the_command_lists_every_requirement_with_its_cases(run: dict) -> None:
    done = harness("coverage", str(run["results"]))
    assert done.returncode == 0, done.stderr
    document = run["document"]
    assert named(document), "the catalogue entries' cells carry their ids"
    for rfc in (9110, 9112):
        assert expected_headline(rfc, named(document)) in done.stdout
    listed = re.findall(r"^  (\d+-[0-9A-Z.]+-\d+)  ", done.stdout, re.M)
    assert listed == list(INDEX)
    for identifier in document["cells"][0]["requirement_ids"]:
        block = done.stdout.split(f"  {identifier}  ")[1].split("\n  9")[0]
        assert f"      {document['cells'][0]['case']}: " in block


def test_untested_lists_the_counted_requirements_without_a_case(run: dict) -> None:
    done = harness("coverage", str(run["results"]), "--untested")
    assert done.returncode == 0, done.stderr
    listed = set(re.findall(r"^  (\d+-[0-9A-Z.]+-\d+)  ", done.stdout, re.M))
    expected = {i for i, r in INDEX.items() if not r.scope and i not in named(run["document"])}
    assert listed == expected
    assert "Not listed: RFC 9110's requirements binding only intermediaries or caches" in (
        done.stdout
    )


def test_json_holds_the_same(run: dict) -> None:
    done = harness("coverage", str(run["results"]), "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    built = coverage.build(run["document"])
    for rfc, expected in zip(found["rfcs"], built.rfcs, strict=True):
        assert rfc["headline"] == expected.headline
        all_must = next(t for t in rfc["totals"] if t["role"] == "all" and t["level"] == "MUST")
        assert (all_must["covered"], all_must["counted"]) == (
            expected.count("MUST").covered,
            expected.count("MUST").total,
        )
    requirement = next(
        r for rfc in found["rfcs"] for r in rfc["requirements"] if r["id"] == SERVER_MUST
    )
    assert requirement["binds"] == ["server"] and requirement["level"] == "MUST"
    assert requirement["cases"] == [{"case": CASES[1], "outcomes": {"known": 1}}]
    untested = json.loads(harness("coverage", str(run["results"]), "--json", "--untested").stdout)
    ids = {r["id"] for rfc in untested["rfcs"] for r in rfc["requirements"]}
    assert ids == {i for i, r in INDEX.items() if not r.scope and i not in named(run["document"])}


def test_the_default_results_file_is_reports_results_json(run: dict, tmp_path: Path) -> None:
    missing = harness("coverage", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr == (
        "python -m harness coverage: error: reports/results.json: no such file\n"
    )
    (tmp_path / "reports").mkdir()
    shutil.copy(run["results"], tmp_path / "reports" / "results.json")
    done = harness("coverage", cwd=tmp_path)
    assert done.returncode == 0 and "RFC 9112: " in done.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["missing.json"], "python -m harness coverage: error: missing.json: no such file"),
        (["not-results.json"], "not a results file (no schema_version at the top level)"),
        (["--untested", "--bogus"], "python -m harness: error: unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    (tmp_path / "not-results.json").write_text("[]", encoding="utf-8")
    done = harness("coverage", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr.splitlines()[-1]
    assert "Traceback" not in done.stderr


# -- The reports


def test_a_run_writes_the_coverage_page_linked_with_the_matrix(run: dict) -> None:
    directory = run["results"].parent
    assert f"wrote {directory / 'coverage.html'}" in run["done"].stdout
    conformance = (directory / "conformance.html").read_text(encoding="utf-8")
    assert '<a id="coverage-link" href="coverage.html">' in conformance
    page = (directory / "coverage.html").read_text(encoding="utf-8")
    assert '<a id="conformance-link" href="conformance.html">' in page
    assert re.findall(r'<tr id="([^"]+)"', page) == list(INDEX)
    # Self-contained (the RFC's sentences name https URIs, its links none).
    assert not re.search(r"<link|<img|src=|@import|url\(|href=\"https?:", page)
    row = page.split(f'<tr id="{SERVER_MUST}" class="covered">')[1].split("</tr>")[0]
    assert f'href="conformance.html#case={CASES[1]}"' in row
    assert f"<code>{CASES[1]}</code>: 1 known" in row
    for rfc in coverage.build(run["document"]).rfcs:
        assert rfc.headline in page


def test_reports_of_another_results_file_link_by_their_names(run: dict, tmp_path: Path) -> None:
    written = files.write(run["document"], tmp_path / "results-tls.json")
    assert [path.name for path in written] == [
        "conformance-tls.html",
        "summary-tls.md",
        "coverage-tls.html",
    ]
    assert 'href="coverage-tls.html"' in written[0].read_text(encoding="utf-8")
    assert 'href="conformance-tls.html#case=' in written[2].read_text(encoding="utf-8")


def test_summary_has_a_line_per_rfc(run: dict) -> None:
    text = (run["results"].parent / "summary.md").read_text(encoding="utf-8")
    section = text.split("## Coverage of RFC 9110 and RFC 9112\n\n")[1]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert lines == [f"- {line}" for line in coverage.headlines(run["document"])]
    assert lines[1].startswith("- " + expected_headline(9112, named(run["document"])))


def test_help_names_the_options() -> None:
    done = harness("coverage", "--help")
    assert done.returncode == 0
    assert "usage: python -m harness coverage [-h] [--untested] [--json] [RESULTS]" in done.stdout
