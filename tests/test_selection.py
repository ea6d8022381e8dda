"""Selecting cells by what their case is: the case id in every node id (so ``-k`` matches
what the reports show), --case, --level and --rfc; and the quiet terminal of a run.

Selection is checked on collection only (``--collect-only``, a few seconds each); the
terminal on two small real runs, serially and under xdist.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cases import CATALOGUE, Case, Level, Section, sections_of
from suites import (  # noqa: F401  (their cases, into the catalogue)
    test_auth,
    test_chunked,
    test_cookies,
    test_defaults,
    test_differential,
    test_errors,
    test_expect,
    test_keepalive,
    test_methods,
    test_probes,
    test_proxy,
    test_redirects,
    test_responses,
    test_static,
    test_timeouts,
    test_tls,
    test_websocket,
    test_wire,
)
from tests.pytest_run import run_pytest
from tests.real_results import NARROW, UNLISTED

# Two servers, two clients: every cell kind, both transports, a few hundred cells.
SMALL = ["suites", "--server", "flask", "--server", "uvicorn"]
SMALL += ["--client", "requests", "--client", "httpx"]
# The slow cells too, which a run leaves out unless -m names them.
EVERY_MARK = ["-m", "slow or not slow"]
NODE_ID = re.compile(r"suites/test_\w+\.py::(?P<test>\w+)\[(?P<case>[a-z0-9_.]+)-(?P<cell>.+)\]")


@functools.cache
def suite_cases() -> list[Case]:
    """The suites' cases, as ``python -m harness list`` finds them: this process's catalogue
    may also hold cases that other self-tests made up (broken catalogue entries)."""
    done = subprocess.run(
        [sys.executable, "-m", "harness", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    cases = [CATALOGUE.get(case["id"]) for case in json.loads(done.stdout)["cases"]]
    assert all(cases), "every listed case is defined in the suites imported here"
    return [case for case in cases if case is not None]


def collect(tmp_path: Path, *args: str) -> list[str]:
    done = run_pytest(*args, "--collect-only", "-q", "--results", str(tmp_path / "r.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


def case_ids(nodeids: list[str]) -> list[str]:
    cases = []
    for nodeid in nodeids:
        match = NODE_ID.fullmatch(nodeid)
        assert match, f"{nodeid} is not <test>[<case>-<cell>]"
        cases.append(match["case"])
    return cases


def test_every_node_id_begins_with_its_case_id(tmp_path: Path) -> None:
    nodeids = collect(tmp_path, "suites", *EVERY_MARK)
    cases = case_ids(nodeids)
    assert len(set(nodeids)) == len(nodeids)
    assert set(cases) == {case.id for case in suite_cases()}, "every case, and only cases"
    assert "suites/test_tls.py::test_ca_given[tls.ca_given.expired-requests-https]" in nodeids
    assert (
        "suites/test_errors.py::test_overlong_target_gets_414"
        "[errors.request.target_too_long-uvicorn-https]"
    ) in nodeids


def test_k_selects_by_case_id(tmp_path: Path) -> None:
    nodeids = collect(tmp_path, *SMALL, "-k", "errors.request.target_too_long")
    assert set(case_ids(nodeids)) == {"errors.request.target_too_long"}
    assert len(nodeids) == 4  # two servers, two transports


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        (["chunked.request.*"], lambda case: case.startswith("chunked.request.")),
        (["methods.get", "tls.*.expired"], lambda case: fnmatch.fnmatch(case, "tls.*.expired")),
    ],
)
def test_case_selects_by_pattern(tmp_path: Path, patterns: list[str], expected: object) -> None:
    options = [arg for pattern in patterns for arg in ("--case", pattern)]
    cases = set(case_ids(collect(tmp_path, *SMALL, *options)))
    wanted = {c.id for c in suite_cases() if any(fnmatch.fnmatch(c.id, p) for p in patterns)}
    assert cases == wanted and cases


def test_level_selects_by_requirement_level(tmp_path: Path) -> None:
    cases = set(
        case_ids(collect(tmp_path, *SMALL, *EVERY_MARK, "--level", "may", "--level", "SHOULD"))
    )
    assert cases == {c.id for c in suite_cases() if c.level != Level.MUST}


@pytest.mark.parametrize("section", ["9112 §7", "RFC 9112 §7", "9112 7"])
def test_rfc_selects_a_section_and_its_subsections(tmp_path: Path, section: str) -> None:
    cases = set(case_ids(collect(tmp_path, *SMALL, "--rfc", section)))
    seventh = Section(9112, ("7",))
    assert cases == {c.id for c in suite_cases() if any(s.within(seventh) for s in c.sections)}
    assert "chunked.request.size_uppercase" in cases  # RFC 9112 §7.1, §7.1.1


def test_options_deselect_and_combine(tmp_path: Path) -> None:
    done = run_pytest(
        *SMALL,
        "--collect-only",
        "-q",
        "--level",
        "MUST",
        "--rfc",
        "9112 §7",
        "--case",
        "*.response.*",
    )
    assert re.search(r"\d+/\d+ tests collected \(\d+ deselected\)", done.stdout), done.stdout
    cases = case_ids([line for line in done.stdout.splitlines() if "::" in line])
    assert cases
    for case_id in cases:
        case = CATALOGUE.get(case_id)
        assert case and case.level == Level.MUST and ".response." in case.id
        assert any(s.within(Section(9112, ("7",))) for s in case.sections)


def test_a_section_is_a_prefix_of_whole_parts() -> None:
    sixth = Section.parse("RFC 9112 §6")
    assert Section(9112, ("6", "1")).within(sixth) and Section(9112, ("6",)).within(sixth)
    assert not Section(9112, ("60",)).within(sixth)
    assert not Section(9110, ("6",)).within(sixth)
    assert Section(9112, ("6",)).within(Section.parse("9112"))
    assert sections_of("RFC 8996 §2-3, RFC 9110 §4.3.4") == (
        Section(8996, ("2",)),
        Section(8996, ("3",)),
        Section(9110, ("4", "3", "4")),
    )
    assert sections_of("RFC 9112 §9.3, Appendix C.2.2")[1] == Section(9112, ("C", "2", "2"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--level", "MUSTY"], "expected one of MUST, SHOULD, MAY, got 'MUSTY'"),
        (["--rfc", "§7"], "expected an RFC section like '9112 §6'"),
        (["--case", "Errors request"], "expected a case id or a pattern of one"),
        (["--case", "errros.*"], "--case 'errros.*' matches none of the"),
        (["--case", "errros.*", "-n", "2"], "--case 'errros.*' matches none of the"),
    ],
)
def test_a_bad_value_is_a_usage_error(tmp_path: Path, options: list[str], message: str) -> None:
    done = run_pytest(*SMALL, "-k", "methods", "--results", str(tmp_path / "r.json"), *options)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    output = done.stdout + done.stderr
    lines = [line for line in output.splitlines() if message in line]
    assert len(lines) == 1, output
    assert "Traceback" not in output and "INTERNALERROR" not in output


def _terminal_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # -rfE: the addopts pyproject.toml asks for (the reasons of xfails and skips stay in the
    # reports). The requests cells of methods.case_sensitive are a known deviation.
    case = ["--case", "methods.get", "--case", UNLISTED[1]]
    return run_pytest(*NARROW, "-rfE", *case, "--results", str(tmp_path / "r.json"), *args)


def _no_letters(stdout: str) -> None:
    assert not re.search(r"^(suites/\S+ )?[.sxXFE]+ *(\[ *\d+%\])?$", stdout, re.M), stdout
    assert "XFAIL" not in stdout and "SKIPPED" not in stdout, stdout


def test_terminal_has_a_line_per_suite_and_implementation(tmp_path: Path) -> None:
    done = _terminal_run(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    _no_letters(done.stdout)
    assert "methods · stdlib-threading: 8 cells: 6 passed, 2 xfailed  [8/8]" in done.stdout


def test_terminal_under_xdist_ends_with_the_table(tmp_path: Path) -> None:
    (tmp_path / "none").mkdir()  # no expectation files: the known deviation fails
    done = _terminal_run(tmp_path, "-n", "2", "--expectations", str(tmp_path / "none"))
    assert done.returncode == 1, done.stdout + done.stderr
    _no_letters(done.stdout)
    assert "methods · stdlib-threading: 8 cells: 2 failed, 6 passed  [8/8]" in done.stdout
    out = done.stdout
    assert out.index("short test summary info") < out.index(" http-interop ") < out.index("wrote ")


def test_a_transport_without_tls_cells_deselects_the_tls_tests(tmp_path: Path) -> None:
    # The README's example: under --transport http the TLS suite has no cell (its kinds run
    # over https only), so its tests are deselected, never collected with an unset parameter
    # (a [NOTSET] id, skipped as "got empty parameter set") nor an internal error.
    options = ["--server", "stdlib-http11", "--client", "requests", "--transport", "http"]
    options += ["--expectations", "suites/expectations", "--results", str(tmp_path / "r.json")]
    done = run_pytest("suites", *options, "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    nodeids = [line for line in done.stdout.splitlines() if "::" in line]
    cases = case_ids(nodeids)
    assert cases and not any(case.startswith("tls.") for case in cases), nodeids
    assert all(nodeid.endswith("-http]") for nodeid in nodeids), nodeids
    assert "NOTSET" not in done.stdout and "INTERNALERROR" not in done.stdout + done.stderr
    assert re.search(r"\d+/\d+ tests collected \(\d+ deselected\)", done.stdout), done.stdout
    ran = run_pytest("suites/test_tls.py", *options, "-rs")
    assert ran.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, ran.stdout + ran.stderr
    assert "empty parameter set" not in ran.stdout and "deselected" in ran.stdout, ran.stdout


@pytest.mark.parametrize(
    ("markers", "expected"),
    [
        ([], []),
        (["-m", "slow"], ["http", "https"]),
    ],
)
def test_slow_cells_run_only_when_m_names_them(
    tmp_path: Path, markers: list[str], expected: list[str]
) -> None:
    # Marker slow (keepalive.server.idle_timer_long): out of the default run, in with -m slow.
    options = ["--server", "twisted", "--expectations", "suites/expectations", *markers]
    nodeids = collect(tmp_path, "suites/test_keepalive.py", *options)
    slow = [nodeid.rpartition("-")[2].rstrip("]") for nodeid in nodeids if "_long[" in nodeid]
    assert slow == expected, nodeids
    assert nodeids, "the selection collects cells: an empty one would prove nothing"
