"""python -m harness report|diff|merge|list, run as a user runs them, on real results files
(two shards of the methods suite on one server: http and https)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness import cli, listing
from harness.registry import REGISTRY
from harness.results import READABLE_VERSIONS, SCHEMA_VERSION
from tests.pytest_run import DEADLINE, ROOT
from tests.real_results import UNLISTED, altered_expectations, load_valid, real_run


def harness(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("shards")
    files = {}
    for transport in ("http", "https"):
        done, files[transport] = real_run(directory / transport, "--transport", transport)
        assert done.returncode == 0, done.stdout + done.stderr
    # The http shard again, with expectation files that turn one known deviation into a
    # failure and list a passing cell (a fix): a real run with changed outcomes.
    expectations_dir = altered_expectations(directory / "expectations")
    _, files["altered"] = real_run(
        directory / "altered", "--transport", "http", "--expectations", str(expectations_dir)
    )
    return files


def no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr


@pytest.mark.parametrize(
    "command", [[], ["run"], ["probe"], ["report"], ["diff"], ["merge"], ["list"]]
)
def test_help(command: list[str]) -> None:
    done = harness(*command, "--help")
    assert done.returncode == 0 and "usage: python -m harness" in done.stdout


def test_report_renders_a_results_file_elsewhere(shards: dict[str, Path], tmp_path: Path) -> None:
    done = harness("report", str(shards["http"]), "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "conformance.html").read_text(encoding="utf-8")
    assert "methods.head.no_body" in page
    beside = (shards["http"].parent / "summary.md").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "summary.md").read_text(encoding="utf-8") == beside


def test_diff_of_a_run_with_itself_is_empty(shards: dict[str, Path]) -> None:
    done = harness("diff", str(shards["http"]), str(shards["http"]))
    assert done.returncode == 0
    assert "0 regressions, 0 fixes, 0 other changed outcomes, 0 new cells, 0 removed cells" in (
        done.stdout
    )


def test_diff_reports_changed_new_and_removed_cells(shards: dict[str, Path]) -> None:
    done = harness("diff", str(shards["http"]), str(shards["altered"]))
    assert done.returncode == 0, "known -> fail and pass -> fixed are no regressions"
    assert "known -> fail" in done.stdout and UNLISTED[1] in done.stdout
    assert "pass -> fixed" in done.stdout and "methods.get [stdlib-threading x http.client" in (
        done.stdout
    )


def test_diff_of_different_selections_compares_the_common_cells(
    shards: dict[str, Path], tmp_path: Path
) -> None:
    cells = len(load_valid(shards["http"])["cells"])
    other = harness("diff", str(shards["http"]), str(shards["https"]))
    first = other.stdout.splitlines()[0]
    assert first.startswith("Different selections (OLD partial: suites/test_methods.py ")
    assert f"compared the 0 cells both ran; left out {cells} cells only in OLD and {cells}" in first
    assert "0 new cells, 0 removed cells" in other.stdout, "left out, not listed"
    assert other.returncode == 1, "cells of OLD are not in NEW"
    assert f"{cells} cells of OLD are not in NEW" in other.stderr
    assert "--allow-removed" in other.stderr and len(other.stderr.splitlines()) == 1
    allowed = harness("diff", "--allow-removed", str(shards["http"]), str(shards["https"]))
    assert allowed.returncode == 0
    # A full run against a partial one (-k head): the common cells are compared.
    full, partial = load_valid(shards["http"]), load_valid(shards["http"])
    full["run"]["selection"].update(full=True, server=[], client=[], transport=[], paths=[])
    partial["run"]["selection"].update(keyword="head")
    partial["cells"] = [c for c in partial["cells"] if "head" in c["nodeid"]]
    partial["run"].update(interrupted="stopping after 1 failures", exit_status=1)
    paths = {}
    for name, document in (("full", full), ("partial", partial)):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(document), encoding="utf-8")
    done = harness("diff", str(paths["full"]), str(paths["partial"]))
    first = done.stdout.splitlines()[0]
    kept = len(partial["cells"])
    assert first.startswith("Different selections (OLD the full matrix; NEW partial: ")
    assert f"compared the {kept} cells both ran; left out {cells - kept} cells only in OLD" in first
    assert first.endswith("NEW was interrupted (stopping after 1 failures).")
    assert f"{kept} cells unchanged" in done.stdout and "Removed cells" not in done.stdout
    assert done.returncode == 1
    markdown = harness("diff", "--markdown", str(paths["full"]), str(paths["partial"]))
    assert "> **Different selections (OLD the full matrix;" in markdown.stdout


def test_diff_names_new_and_removed_cases(shards: dict[str, Path], tmp_path: Path) -> None:
    document = load_valid(shards["http"])
    document["cells"] = [c for c in document["cells"] if c["case"] != "methods.get"]
    fewer = tmp_path / "fewer.json"
    fewer.write_text(json.dumps(document), encoding="utf-8")
    removed = harness("diff", str(shards["http"]), str(fewer))
    assert "Removed cases: methods.get\n" in removed.stdout
    assert "Removed cells (2):" in removed.stdout and "pass -> (none)" in removed.stdout
    total = len(load_valid(shards["http"])["cells"])
    assert f"; {total - 2} cells unchanged" in removed.stdout, "removed cells are not unchanged"
    assert removed.returncode == 1, "a removed cell is no pass"
    assert "2 cells of OLD are not in NEW" in removed.stderr
    allowed = harness("diff", "--allow-removed", str(shards["http"]), str(fewer))
    assert allowed.returncode == 0
    added = harness("diff", "--markdown", str(fewer), str(shards["http"]))
    assert "New cases: methods.get" in added.stdout and added.returncode == 0


def test_diff_exits_1_on_a_regression(shards: dict[str, Path], tmp_path: Path) -> None:
    # A regression needs an implementation that changed between two runs; a real run with
    # one passing cell turned into a failure stands in for it.
    document = load_valid(shards["http"])
    cell = next(c for c in document["cells"] if c["outcome"] == "pass")
    cell.update(outcome="fail", outcomes=["fail"], message="expected 200 (RFC 9110 §9), got 500")
    regressed = tmp_path / "regressed.json"
    regressed.write_text(json.dumps(document), encoding="utf-8")
    done = harness("diff", str(shards["http"]), str(regressed))
    assert done.returncode == 1
    assert "Regressions (1):" in done.stdout and "pass -> fail" in done.stdout
    assert "expected 200 (RFC 9110 §9), got 500" in done.stdout
    markdown = harness("diff", "--markdown", str(shards["http"]), str(regressed))
    assert markdown.returncode == 1
    assert "**1 regression(s)**" in markdown.stdout
    assert f"| `{cell['case']} [" in markdown.stdout and "| pass | fail |" in markdown.stdout


def test_diff_reports_a_pass_that_became_a_warn(shards: dict[str, Path], tmp_path: Path) -> None:
    # Not a regression (a warned cell passed), but a change with what the server did.
    document = load_valid(shards["http"])
    cell = next(c for c in document["cells"] if c["outcome"] == "pass")
    said = "expected 400, then closed (RFC 9112 §2.2, recommended), got 400; connection open"
    cell.update(outcome="warn", outcomes=["warn"], message=said)
    warned = tmp_path / "warned.json"
    warned.write_text(json.dumps(document), encoding="utf-8")
    done = harness("diff", str(shards["http"]), str(warned))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Other changed outcomes (1):" in done.stdout and "pass -> warn" in done.stdout
    assert said in done.stdout
    markdown = harness("diff", "--markdown", str(shards["http"]), str(warned))
    assert "No regressions" in markdown.stdout and "| pass | warn |" in markdown.stdout


def test_merge_combines_shards(shards: dict[str, Path], tmp_path: Path) -> None:
    merged_path = tmp_path / "merged.json"
    done = harness("merge", str(shards["http"]), str(shards["https"]), "-o", str(merged_path))
    assert done.returncode == 0, done.stderr
    merged = load_valid(merged_path)
    parts = [load_valid(shards[t]) for t in ("http", "https")]
    assert len(merged["cells"]) == sum(len(p["cells"]) for p in parts)
    assert [m["file"] for m in merged["run"]["merged_from"]] == [
        str(shards["http"]),
        str(shards["https"]),
    ]
    assert {c["transport"] for c in merged["cells"]} == {"http", "https"}
    # The merged file is a results file like any other.
    assert harness("report", str(merged_path)).returncode == 0
    assert harness("diff", str(shards["http"]), str(merged_path)).returncode == 0
    assert merged["run"]["selection"]["transport"] == ["http", "https"]
    assert merged["run"]["interrupted"] is None and merged["run"]["exit_status"] == 0


def test_merge_of_the_same_cells_lists_every_outcome(
    shards: dict[str, Path], tmp_path: Path
) -> None:
    merged_path = tmp_path / "merged.json"
    files = (str(shards["http"]), str(shards["altered"]))
    assert harness("merge", *files, "-o", str(merged_path)).returncode == 0
    cells = {c["case"]: c for c in load_valid(merged_path)["cells"] if c["client"] == "requests"}
    unlisted = cells[UNLISTED[1]]
    assert unlisted["outcomes"] == ["known", "fail"] and unlisted["outcome"] == "fail"


def test_merge_refuses_other_schema_versions(shards: dict[str, Path], tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    document = load_valid(shards["http"])
    unreadable = min(READABLE_VERSIONS) - 1
    document["schema_version"] = unreadable
    old.write_text(json.dumps(document), encoding="utf-8")
    done = harness("merge", str(shards["http"]), str(old), "-o", str(tmp_path / "out.json"))
    assert done.returncode == 2
    assert "incompatible schema versions" in done.stderr
    assert f"{old}: {unreadable}" in done.stderr
    assert f"{shards['http']}: {SCHEMA_VERSION}" in done.stderr
    assert not (tmp_path / "out.json").exists()
    no_traceback(done)


def test_a_version_3_file_is_read_as_version_4(shards: dict[str, Path], tmp_path: Path) -> None:
    # Version 4 added the warn outcome only: a version 3 file is a version 4 one without it.
    document = load_valid(shards["https"])
    document["schema_version"] = 3
    older = tmp_path / "v3.json"
    older.write_text(json.dumps(document), encoding="utf-8")
    merged = tmp_path / "merged.json"
    done = harness("merge", str(shards["http"]), str(older), "-o", str(merged))
    assert done.returncode == 0, done.stderr
    assert load_valid(merged)["schema_version"] == SCHEMA_VERSION == 4
    assert harness("diff", str(older), str(shards["http"])).returncode in (0, 1)
    assert harness("report", str(older), "-o", str(tmp_path / "out")).returncode == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        ("[]", "not a results file"),
        (
            f'{{"schema_version": {SCHEMA_VERSION}, "run": {{}}, "cells": []}}',
            "run: 'started' is missing",
        ),
    ],
)
@pytest.mark.parametrize("command", ["report", "diff"])
def test_unusable_files_are_named_without_a_traceback(
    tmp_path: Path, shards: dict[str, Path], command: str, content: str | None, expected: str
) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    args = [str(path)] if command == "report" else [str(shards["http"]), str(path)]
    done = harness(command, *args)
    assert done.returncode == 2
    assert done.stderr.startswith(f"python -m harness {command}: error: {path}: {expected}")
    no_traceback(done)


def test_a_malformed_cell_is_located(tmp_path: Path, shards: dict[str, Path]) -> None:
    document = load_valid(shards["http"])
    document["cells"][3]["outcome"] = "sort of"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    done = harness("report", str(path))
    assert done.returncode == 2
    assert f"{path}: cells[3] ({document['cells'][3]['nodeid']}): outcome 'sort of'" in done.stderr
    no_traceback(done)


def test_list_as_text_and_json() -> None:
    text = harness("list")
    assert text.returncode == 0
    assert "stdlib-threading" in text.stdout and "methods.head.no_body" in text.stdout
    listed = json.loads(harness("list", "--json").stdout)
    # Every implementation this test run's plugin registered: this package's table, entry
    # points and the examples' implementations file (node, curl).
    names = {impl["name"] for impl in listed["implementations"]}
    assert names == {impl.name for impl in REGISTRY.all()} and {"node", "curl"} <= names
    first = listed["implementations"][0]
    assert {"name", "kind", "description", "package", "origin", "lacks"} <= set(first)
    head = next(case for case in listed["cases"] if case["id"] == "methods.head.no_body")
    assert head["suite"] == "methods" and head["rfc"].startswith("RFC 9110") and head["level"]
    assert {case["suite"] for case in listed["cases"]} >= {"methods", "keepalive", "errors"}
    assert {type(case["see_also"]) for case in listed["cases"]} == {list}
    assert head["see_also"] == [], "a case that is no catalogue entry names no other id"


def test_a_reader_that_left_gets_no_error() -> None:
    # `http-interop list | head -1` once head has exited: the pipe's read end is closed
    # before the command writes, so its first write fails (EPIPE) whatever the buffer size.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "harness", "list"],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=DEADLINE,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (1, "")


def test_list_shows_an_entrys_see_also() -> None:
    server = {"name": "s", "kind": "server", "origin": "builtin", "description": "d"}
    case = {"id": "probes.smuggling.cl_te", "rfc": "RFC 9112 §6.3", "level": "MUST"}
    lines = listing.render(
        [{**server, "unavailable": None}],
        [{**case, "see_also": ["SMUG-CL-TE", "SMUG-CL-TE-PIPELINE"]}, {**case, "see_also": []}],
    )
    assert lines[-2].endswith("RFC 9112 §6.3  (see also SMUG-CL-TE, SMUG-CL-TE-PIPELINE)")
    assert lines[-1].endswith("RFC 9112 §6.3")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_list_shows_impls_files_and_entry_points(tmp_path: Path) -> None:
    first = write(
        tmp_path / "a dir" / "first.toml",
        """
        [[server]]
        name = "mine"
        command = ["myserver", "--port", "{port}"]
        """,
    )
    second = write(
        tmp_path / "second.toml",
        """
        [[client]]
        name = "theirs"
        command = ["theirclient"]
        """,
    )
    # A package installed on sys.path, as pip would leave it: a module and its dist-info.
    write(
        tmp_path / "site" / "fake_adapter.py",
        """
        from harness.implementation import Implementation, Kind

        CLIENT = Implementation(
            name="fake", kind=Kind.CLIENT, description="a fake", package="fake-adapter",
            factory="fake_adapter:FakeClient",
        )
        """,
    )
    info = tmp_path / "site" / "fake_adapter-1.0.dist-info"
    write(info / "METADATA", "Metadata-Version: 2.1\nName: fake-adapter\nVersion: 1.0\n")
    write(info / "entry_points.txt", "[http_interop.clients]\nfake = fake_adapter:CLIENT\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    done = harness("list", "--json", "--impls", str(first), "--impls", str(second), env=env)
    assert done.returncode == 0, done.stderr
    origins = {impl["name"]: impl["origin"] for impl in json.loads(done.stdout)["implementations"]}
    assert origins["mine"] == str(first) and origins["theirs"] == str(second)
    assert origins["fake"] == "entry point fake_adapter:CLIENT"
    assert origins["flask"] == "built-in" and origins["node"].endswith("implementations.toml")
    lines = harness("list", "--impls", str(first), env=env).stdout.splitlines()
    assert any(line.split()[:2] == ["mine", "server"] and str(first) in line for line in lines)


def test_list_names_a_bad_impls_file(tmp_path: Path) -> None:
    done = harness("list", "--impls", str(tmp_path / "missing.toml"))
    assert done.returncode == 2
    assert done.stderr.startswith(f"python -m harness list: error: {tmp_path / 'missing.toml'}")
    no_traceback(done)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ("run", f"-n {os.cpu_count() or 2} -o junit_family=xunit1"),
        (
            "run -n 3 -k methods --server flask --results=r.json",
            "-n 3 -o junit_family=xunit1 -k methods --server flask --results=r.json",
        ),
        (
            "probe http://127.0.0.1:8080/ -n 0 -k errors",
            "-n 0 -o junit_family=xunit1 --target http://127.0.0.1:8080/ -k errors",
        ),
    ],
)
def test_run_and_probe_become_pytest_on_the_installed_suites(argv: str, expected: str) -> None:
    args, passed_on = cli.parser().parse_known_args(argv.split())
    command = cli.pytest_argv(args, passed_on)
    head = [sys.executable, "-m", "pytest", "--pyargs", "harness.suites"]
    assert command == [*head, *expected.split()]


@pytest.mark.parametrize("workers", ["-1", "two"])
def test_run_refuses_a_bad_number_of_workers(workers: str) -> None:
    done = harness("run", "-n", workers)
    assert done.returncode == 2
    assert f"expected a number of workers, 0 or more, got '{workers}'" in done.stderr


def test_report_refuses_options_meant_for_pytest(tmp_path: Path) -> None:
    done = harness("report", str(tmp_path / "r.json"), "-k", "methods")
    assert done.returncode == 2 and "unrecognized arguments: -k methods" in done.stderr


def test_unknown_command_is_a_usage_error() -> None:
    done = harness("publish")
    assert done.returncode == 2 and "invalid choice: 'publish'" in done.stderr
