"""What a run writes beside results.json: the file itself against its JSON Schema,
conformance.html, summary.md, the job summary, the terminal table, transcripts, --repeat.

The runs are real (the methods suite on one server); one of them uses altered expectation
files so that it has a real failure and a real fixed deviation.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import pytest

from harness import results, transcript
from harness.probe import Ending, ProbeResult
from harness.report import files, html, scores, summary
from tests.pytest_run import ROOT, run_pytest
from tests.real_results import (
    UNLISTED,
    altered_expectations,
    load_valid,
    real_run,
    schema_errors,
)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict:
    directory = tmp_path_factory.mktemp("plain")
    step_summary = directory / "step_summary.md"
    step_summary.write_text("earlier step\n", encoding="utf-8")
    env = dict(os.environ, GITHUB_STEP_SUMMARY=str(step_summary))
    done, results = real_run(directory, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return {"done": done, "results": results, "step_summary": step_summary}


@pytest.fixture(scope="module")
def altered(tmp_path_factory: pytest.TempPathFactory) -> dict:
    directory = tmp_path_factory.mktemp("altered")
    expectations_dir = altered_expectations(directory / "expectations")
    done, results = real_run(
        directory, "--transport", "http", "--expectations", str(expectations_dir)
    )
    assert done.returncode == 1, "a failure and a fixed deviation fail the run"
    return {"done": done, "results": results}


def test_written_results_files_match_the_schema(plain: dict, altered: dict) -> None:
    for run in (plain, altered):
        document = load_valid(run["results"])
        assert document["cells"]
        assert all(cell["outcomes"] == [cell["outcome"]] for cell in document["cells"])


def test_the_schema_rejects_what_it_must() -> None:
    document = {"schema_version": results.SCHEMA_VERSION, "run": {}, "cells": [{}]}
    errors = " ".join(schema_errors(document))
    assert "'started' is a required property" in errors
    assert "'case' is a required property" in errors


def test_run_writes_html_and_summary_beside_results(plain: dict) -> None:
    directory = plain["results"].parent
    assert (directory / "conformance.html").stat().st_size > 0
    assert (directory / "summary.md").read_text(encoding="utf-8").startswith("# HTTP interop")
    for name in ("results.json", "conformance.html", "summary.md"):
        assert f"wrote {directory / name}" in plain["done"].stdout


def test_terminal_table_per_implementation(plain: dict) -> None:
    out = plain["done"].stdout
    assert re.search(r"implementation\s+pass\s+fail\s+known\s+skip\s+score", out), out
    document = load_valid(plain["results"])
    for name in ("stdlib-threading", "http.client", "requests"):
        counts = scores.by_implementation(document["cells"], [name])[name]
        row = rf"{re.escape(name)}\s+{counts['pass']}\s+{counts['fail']}\s+{counts['known']}\s+"
        assert re.search(row + rf"{counts['skip']}\s", out), out


def test_summary_goes_to_the_job_summary_too(plain: dict) -> None:
    written = (plain["results"].parent / "summary.md").read_text(encoding="utf-8")
    assert plain["step_summary"].read_text(encoding="utf-8") == "earlier step\n" + written


def test_summary_shows_new_failures_and_fixes(altered: dict) -> None:
    text = (altered["results"].parent / "summary.md").read_text(encoding="utf-8")
    assert "**1 new failure(s)**" in text and "**1 fix(es)**" in text
    fixed_section = text.split("### Fixed")[1].split("## Failed cells")[0]
    assert "`methods.get`" in fixed_section
    failed_section = text.split("## Failed cells, by case")[1]
    assert f"**`{UNLISTED[1]}`** (RFC 9110 §9.1, MUST)" in failed_section
    assert "fail: stdlib-threading x requests, http: expected the method" in failed_section
    assert "| stdlib-threading |" in text and "| requests |" in text


def test_transcript_kept_for_failed_cells_only(altered: dict) -> None:
    cells = load_valid(altered["results"])["cells"]
    failed = next(c for c in cells if c["outcome"] == "fail")
    assert "> get /echo HTTP/1.1" in failed["transcript"], "the request as the client sent it"
    assert "< HTTP/1.1 200 OK" in failed["transcript"]
    assert all(c["transcript"] for c in cells if c["outcome"] == "known")
    assert not any(c["transcript"] for c in cells if c["outcome"] in ("pass", "skip", "fixed"))


def _page_cells(page: str) -> list[dict]:
    found = re.search(r'<script id="cells" type="application/json">(.*?)</script>', page, re.S)
    assert found
    return json.loads(found[1])


def test_html_is_self_contained_and_shows_every_cell(altered: dict) -> None:
    page = (altered["results"].parent / "conformance.html").read_text(encoding="utf-8")
    document = load_valid(altered["results"])
    assert not re.search(r"<link|<img|src=|@import|url\(|https?://(?!json-schema)", page)
    assert page.count('class="c s-') == len(document["cells"])
    assert len(_page_cells(page)) == len(document["cells"])
    for status in ("pass", "fail", "known", "fixed", "skip"):
        assert f"c s-{status}" in page
    shown = {cell["case"]: cell for cell in _page_cells(page) if cell["status"] == "fail"}
    failed = shown[UNLISTED[1]]
    assert failed["expected"] == "the method to arrive as sent 'get' (RFC 9110 §9.1)"
    assert failed["got"] == "'GET'"
    assert "> get /echo" in failed["transcript"]
    known = next(cell for cell in _page_cells(page) if cell["status"] == "known")
    assert known["deviation"]["evidence"] and known["deviation"]["reason"]


def test_html_escapes_what_cells_carry(plain: dict) -> None:
    document = load_valid(plain["results"])
    hostile = copy.deepcopy(document)
    hostile["cells"][0]["message"] = "expected </script><script>alert(1)</script>, got <b>"
    hostile["cells"][0]["transcript"] = "< \\x00</script>"
    page = html.render(hostile)
    assert "<script>alert(1)" not in page and "<b>" not in page
    target = hostile["cells"][0]["nodeid"]
    shown = next(cell for cell in _page_cells(page) if cell["nodeid"] == target)
    assert shown["transcript"] == "< \\x00</script>"


def test_insecure_pass_is_shown_as_insecure_mode(plain: dict) -> None:
    document = load_valid(plain["results"])
    insecure = copy.deepcopy(document)
    cell = next(c for c in insecure["cells"] if c["outcome"] == "pass")
    cell["insecure"] = True
    assert not schema_errors(insecure)
    page = html.render(insecure)
    assert page.count("c s-insecure") == 1
    text = summary.render(insecure)
    assert "## Passed in insecure mode" in text and f"`{cell['case']}`" in text
    name = cell["server"]
    before = scores.by_implementation(document["cells"], [name])[name]
    after = scores.by_implementation(insecure["cells"], [name])[name]
    # Counted apart from the score: it neither passes nor fails a MUST there.
    assert scores.score(after) == (scores.score(before)[0] - 1, scores.score(before)[1] - 1)
    assert after.apart["insecure"] == before.apart["insecure"] + 1


def test_may_and_verification_off_cells_are_counted_apart(plain: dict) -> None:
    # A client's TLS score: 48 MUST cells pass, 23 verification-off cells (MAY) pass in
    # insecure mode. The score is 48/48, not 48/71.
    document = load_valid(plain["results"])
    template = next(c for c in document["cells"] if c["outcome"] == "pass")
    must = [dict(template, nodeid=f"m{i}", level="MUST") for i in range(48)]
    off = [dict(template, nodeid=f"o{i}", level="MAY", insecure=True) for i in range(23)]
    may_fail = [dict(template, nodeid="f", level="MAY", outcome="fail", outcomes=["fail"])]
    counts = scores.tally([*must, *off, *may_fail])
    assert scores.fraction(counts) == "48/48"
    assert scores.apart(counts) == "24 (23 insecure, 1 fail)"
    assert scores.outcome(counts) == "fail", "a failed MAY is still a failure to see"
    text = summary.render(dict(document, cells=[*must, *off]))
    assert "**48/48** applicable MUST and SHOULD cells pass" in text
    assert "| 23 (23 insecure) |" in text


def _overview_classes(page: str) -> list[str]:
    return re.findall(r'<td class="score o-(\w+)"', page)


def test_colours_follow_outcomes_not_scores(plain: dict, altered: dict) -> None:
    document = load_valid(plain["results"])
    # A low score with nothing failed: known deviations only. No red anywhere.
    deviating = copy.deepcopy(document)
    for cell in deviating["cells"]:
        if cell["outcome"] == "pass":
            cell.update(outcome="known", outcomes=["known"])
    classes = _overview_classes(html.render(deviating))
    assert classes and set(classes) == {"known"}
    assert "hsl(" not in html.render(deviating)
    failing = _overview_classes((altered["results"].parent / "conformance.html").read_text())
    assert "fail" in failing


def test_no_absolute_path_of_the_machine_in_any_report(altered: dict) -> None:
    directory = altered["results"].parent
    document = load_valid(altered["results"])
    sources = [c["deviation"]["source"] for c in document["cells"] if c["deviation"]]
    assert sources and all(re.fullmatch(r"[\w.-]+\.toml:\d+", s) for s in sources), sources
    fixed = next(c for c in document["cells"] if c["outcome"] == "fixed")
    assert str(directory) not in fixed["message"] and "http.client.toml:" in fixed["message"]
    for name in ("conformance.html", "summary.md"):
        # The command line is shown as typed (its --expectations and --results included).
        text = (directory / name).read_text(encoding="utf-8").split("command: <code>")[0]
        assert str(ROOT) not in text
        assert str(directory / "expectations") not in text


SCRATCH_SUITE = """
from pathlib import Path

from harness.cases import Case, Level

STABLE = Case("methods.zz_selftest_stable", "RFC 9110 §9", Level.MUST, "always passes")
FLAKY = Case("methods.zz_selftest_flaky", "RFC 9110 §9", Level.MUST, "passes every other run")
INSECURE = Case("methods.zz_selftest_insecure", "RFC 9110 §4.3.4", Level.MUST, "verification off")
WARNED = Case("methods.zz_selftest_warned", "RFC 9112 §2.2", Level.SHOULD, "400 and close")
RUNS = Path(__file__).with_name("runs.txt")


@STABLE
def test_stable(scripted_client):
    pass


@FLAKY
def test_flaky(scripted_client):
    runs = int(RUNS.read_text()) if RUNS.exists() else 0
    RUNS.write_text(str(runs + 1))
    if runs % 2:
        raise FLAKY.failure("an even-numbered run", f"run {runs}")


@INSECURE
def test_insecure(scripted_client, record_property):
    record_property("insecure", True)


@WARNED
def test_warned(scripted_client, record_property):
    record_property("warn", "expected 400, then closed (RFC 9112 §2.2), got 400; left open")
"""


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A run of a scratch suite outside suites/ (one client, three runs of every cell, under
    pytest-xdist: each worker repeats the items it was given)."""
    directory = tmp_path_factory.mktemp("scratch")
    (directory / "test_scratch_selftest.py").write_text(SCRATCH_SUITE, encoding="utf-8")
    (directory / "expectations").mkdir()
    results = directory / "results.json"
    done = run_pytest(
        *("-c", str(ROOT / "pyproject.toml"), "--rootdir", str(directory)),
        str(directory / "test_scratch_selftest.py"),
        *("--client", "http.client", "--transport", "http", "--repeat", "3", "-n", "2"),
        *("--expectations", str(directory / "expectations"), "--results", str(results)),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    cells = {cell["case"]: cell for cell in load_valid(results)["cells"]}
    return {"done": done, "directory": directory, "cells": cells}


def test_repeat_marks_cells_whose_outcome_varied(scratch: dict) -> None:
    flaky = scratch["cells"]["methods.zz_selftest_flaky"]
    assert flaky["outcomes"] == ["pass", "fail", "pass"]
    assert flaky["flaky"] and flaky["outcome"] == "fail"
    assert "run 1" in flaky["message"]
    stable = scratch["cells"]["methods.zz_selftest_stable"]
    assert stable["outcomes"] == ["pass"] * 3 and not stable["flaky"]
    assert "1 flaky cell(s)" in scratch["done"].stdout
    text = (scratch["directory"] / "summary.md").read_text(encoding="utf-8")
    assert (
        "`methods.zz_selftest_flaky` http.client (against a scripted server), http: pass fail pass"
        in text
    )
    page = (scratch["directory"] / "conformance.html").read_text(encoding="utf-8")
    assert "c s-fail flaky" in page


def test_insecure_property_reaches_the_reports(scratch: dict) -> None:
    insecure = scratch["cells"]["methods.zz_selftest_insecure"]
    assert insecure["insecure"] and insecure["outcome"] == "pass"
    assert not scratch["cells"]["methods.zz_selftest_stable"]["insecure"]
    assert re.search(
        r"implementation\s+pass\s+fail\s+known\s+skip\s+warn\s+insecure", scratch["done"].stdout
    )
    text = (scratch["directory"] / "summary.md").read_text(encoding="utf-8")
    assert "## Passed in insecure mode" in text
    assert "- `methods.zz_selftest_insecure`: http.client (against a scripted server), http" in text
    page = (scratch["directory"] / "conformance.html").read_text(encoding="utf-8")
    assert page.count("c s-insecure") == 1


def test_a_warned_cell_is_its_own_grade_in_every_report(scratch: dict) -> None:
    warned = scratch["cells"]["methods.zz_selftest_warned"]
    said = "expected 400, then closed (RFC 9112 §2.2), got 400; left open"
    assert warned["outcome"] == "warn" and warned["outcomes"] == ["warn"] * 3
    assert warned["message"] == said and not warned["transcript"]
    out = scratch["done"].stdout
    assert re.search(r"\b3 warned\b", out), out  # pytest's count line: its own category
    assert re.search(r"methods · http\.client: \d+ cells: .*\d warned", out), out
    text = (scratch["directory"] / "summary.md").read_text(encoding="utf-8")
    assert "## Warned: allowed, but the RFC advises against it" in text
    assert f"  - warn: http.client (against a scripted server), http: {said}" in text
    page = (scratch["directory"] / "conformance.html").read_text(encoding="utf-8")
    assert page.count("c s-warn") == 1 and "(passed; the RFC advises against it)" in page
    junit = (scratch["directory"] / "junit.xml").read_text(encoding="utf-8")
    assert f'<property name="warn" value="{said}" />' in junit


def test_a_warned_cell_counts_as_passed_apart_from_the_passes() -> None:
    cells = [
        {"level": "SHOULD", "outcome": outcome, "server": "s", "client": None}
        for outcome in ("pass", "warn", "fail")
    ]
    counts = scores.tally(cells)
    assert scores.score(counts) == (2, 3)
    assert scores.breakdown(counts).startswith("1 pass, 1 warn, 1 fail;")
    assert scores.outcome(scores.tally(cells[1:2])) == "pass"


def test_repeat_must_be_a_positive_count() -> None:
    done = run_pytest("suites/test_methods.py", "--repeat", "0", "--collect-only", "-q")
    assert done.returncode == 4
    assert "expected a whole number of runs, 1 or more, got '0'" in done.stderr


def test_transcript_is_binary_safe_and_bounded() -> None:
    shown = transcript.show_bytes(b"GET / HTTP/1.1\r\nX: \x00\xff\\\n\nend")
    assert shown == "GET / HTTP/1.1\\r\\n\nX: \\x00\\xff\\\\\\n\n\\n\nend"
    assert shown.isprintable() or set(shown) - set(map(chr, range(32, 127))) == {"\n"}
    long = transcript.bound("x" * (results.TRANSCRIPT_LIMIT * 3) + "the end")
    assert len(long) <= results.TRANSCRIPT_LIMIT and long.endswith("the end")
    assert "characters of transcript not kept] ...\n" in long


def test_a_long_request_leaves_room_for_its_response() -> None:
    # An overlong target (RFC 9112 §3: the server answers 414): the request's head and end
    # show, its middle is elided, and the response is there in full.
    target = b"/" + b"a" * 65536
    sent = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    received = b"HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\n\r\n"
    result = ProbeResult(sent, received, [], Ending.CLOSED, None, 0.01)
    text = transcript.joined([transcript.probe_connection(1, result)] * 3)
    assert len(text) <= results.TRANSCRIPT_LIMIT
    assert text.count("< HTTP/1.1 414 URI Too Long\\r\\n") == 3, text
    assert text.count("> GET /aaaa") == 3 and text.count("Host: x") == 3
    assert (
        f"[... {len(sent) - transcript.DIRECTION_HEAD - transcript.DIRECTION_TAIL} bytes " in text
    )


@pytest.mark.parametrize(
    ("results", "html_name", "summary_name", "junit_name", "coverage_name"),
    [
        ("results.json", "conformance.html", "summary.md", "junit.xml", "coverage.html"),
        (
            "results-tls-py312.json",
            "conformance-tls-py312.html",
            "summary-tls-py312.md",
            "junit-tls-py312.xml",
            "coverage-tls-py312.html",
        ),
        (
            "shard.json",
            "conformance-shard.html",
            "summary-shard.md",
            "junit-shard.xml",
            "coverage-shard.html",
        ),
    ],
)
def test_reports_are_named_after_their_results_file(
    results: str, html_name: str, summary_name: str, junit_name: str, coverage_name: str
) -> None:
    # Runs that share reports/ (the conformance run, the TLS runs on other Pythons) keep
    # their own reports.
    assert files.names(Path("reports") / results) == (
        Path("reports", html_name),
        Path("reports", summary_name),
        Path("reports", junit_name),
        Path("reports", coverage_name),
    )
    assert files.names(Path(results), Path("out")).html == Path("out", html_name)


def test_every_run_writes_its_junit_beside_its_results(plain: dict, tmp_path: Path) -> None:
    junit = plain["results"].parent / "junit.xml"
    assert "<testcase" in junit.read_text(encoding="utf-8")
    assert not list(plain["results"].parent.glob("*.partial"))
    # A results file of another name: its junit is named after it.
    done, _ = real_run(tmp_path, "--transport", "http", "-k", "head", name="r-x.json")
    assert done.returncode == 0 and (tmp_path / "junit-r-x.xml").is_file()
    # The user's own --junitxml is left alone.
    mine = tmp_path / "mine.xml"
    done, _ = real_run(tmp_path / "own", "-k", "head", f"--junitxml={mine}")
    assert mine.is_file() and not (tmp_path / "own" / "junit.xml").exists()


def _notes(page: str) -> str:
    found = re.search(r'<div class="notes".*?</div>', page, re.S)
    return found[0] if found else ""


def test_a_partial_run_says_so_in_every_report(plain: dict) -> None:
    document = load_valid(plain["results"])
    selection = document["run"]["selection"]
    assert selection["paths"] == ["suites/test_methods.py"]
    assert selection["server"] == ["stdlib-threading"]
    assert selection["client"] == ["http.client", "requests"]
    assert selection["selected"] == len(document["cells"]) and selection["deselected"] == 0
    assert not selection["full"] and document["run"]["interrupted"] is None
    assert document["run"]["exit_status"] == 0
    line = "Partial run (suites/test_methods.py --server stdlib-threading --client http.client"
    directory = plain["results"].parent
    assert line in (directory / "summary.md").read_text(encoding="utf-8")
    assert line in _notes((directory / "conformance.html").read_text(encoding="utf-8"))
    assert line in plain["done"].stdout
    assert "Interrupted" not in plain["done"].stdout


def test_an_interrupted_run_says_so(tmp_path: Path) -> None:
    expectations_dir = altered_expectations(tmp_path / "expectations")
    done, written = real_run(
        tmp_path,
        "--transport",
        "http",
        "--expectations",
        str(expectations_dir),
        "-x",
        "-k",
        "not head",
    )
    document = load_valid(written)
    run = document["run"]
    assert run["interrupted"] == "stopping after 1 failures" and run["exit_status"] == 1
    assert run["selection"]["keyword"] == "not head" and run["selection"]["deselected"] > 0
    ran, selected = len(document["cells"]), run["selection"]["selected"]
    assert ran < selected
    line = f"Interrupted (stopping after 1 failures; exit status 1): {ran} of {selected}"
    assert line in (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert line in _notes((tmp_path / "conformance.html").read_text(encoding="utf-8"))
    assert line in done.stdout


def test_a_run_of_whole_folders_is_the_full_matrix(scratch: dict) -> None:
    # The scratch suite run by its file is partial; run by its folder, with no option that
    # selects, it is the full matrix: no note in any report.
    assert not load_valid(scratch["directory"] / "results.json")["run"]["selection"]["full"]
    directory = scratch["directory"]
    results_path = directory / "full" / "results.json"
    done = run_pytest(
        *("-c", str(ROOT / "pyproject.toml"), "--rootdir", str(directory)),
        str(directory),
        "-k",
        "stable or not stable",
        *("--expectations", str(directory / "expectations"), "--results", str(results_path)),
    )
    document = load_valid(results_path)
    assert document["run"]["selection"]["keyword"] == "stable or not stable"
    assert not document["run"]["selection"]["full"], "-k selects, even when it keeps all"
    done = run_pytest(
        *("-c", str(ROOT / "pyproject.toml"), "--rootdir", str(directory)),
        str(directory),
        *("--expectations", str(directory / "expectations"), "--results", str(results_path)),
    )
    document = load_valid(results_path)
    assert document["run"]["selection"]["full"], done.stdout
    assert "Partial run" not in done.stdout
    assert "Partial run" not in (results_path.parent / "summary.md").read_text(encoding="utf-8")
