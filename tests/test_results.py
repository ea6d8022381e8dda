"""The results record is described once (harness/results.py): the committed JSON Schema is
the one derived from it, and a document the records make is one the schema and the reader
accept."""

from __future__ import annotations

import pytest

from harness import results
from tests.real_results import schema_errors

REGENERATE = (
    "python -c 'from harness import results; "
    'results.SCHEMA_FILE.write_text(results.schema_text(), encoding="utf-8")\''
)


def _document(**run: object) -> results.Document:
    cell = results.CellResult(
        nodeid="suites/test_methods.py::test_get[flask-requests-http]",
        case="methods.get",
        suite="methods",
        rfc="RFC 9110 §9.3.1",
        level="MUST",
        requirement="a server answers GET",
        server="flask",
        client="requests",
        transport="http",
        outcomes=["pass"],
    )
    return results.document(results.RunInfo(started="now", command=["pytest"], **run), [cell])


def test_the_committed_schema_is_the_derived_one() -> None:
    committed = results.SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == results.schema_text(), f"regenerate it: {REGENERATE}"


def test_a_document_of_the_records_is_valid() -> None:
    document = _document()
    assert "merged_from" not in document["run"], "written only by merge"
    assert not schema_errors(document)
    assert results.check(document, "made") is document


def test_merged_from_is_written_when_present() -> None:
    merged = {"file": "a.json", "started": "now", "python": "3.12", "platform": "x"}
    document = _document(merged_from=[{**merged, "git_commit": None, "cells": 1}])
    assert not schema_errors(document)
    results.check(document, "merged")


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: d["run"].pop("started"), "run: 'started' is missing or not a string"),
        (lambda d: d["run"].update(workers=True), "run: 'workers' is missing or not an integer"),
        (
            lambda d: d["run"]["implementations"].append({"name": "x"}),
            "run.implementations[0]: 'kind' is missing or not a string",
        ),
        (lambda d: d.update(cells={}), "'cells' is missing or not an array"),
        (
            lambda d: d["cells"][0].update(outcomes=["maybe"]),
            "cells[0] (suites/test_methods.py::test_get[flask-requests-http]): outcomes[0] "
            "'maybe' is not one of error, fail, fixed, known, pass, skip, warn",
        ),
        (
            lambda d: d["cells"][0].update(deviation={"reason": "x"}),
            "deviation: 'implementation' is missing or not a string",
        ),
        (lambda d: d["cells"][0].update(server=1), "'server' is missing or not a string or null"),
    ],
)
def test_the_reader_names_what_is_wrong(damage, expected: str) -> None:
    document = _document()
    damage(document)
    assert schema_errors(document), "the schema rejects it too"
    with pytest.raises(results.ResultsFileError, match=r"^bad\.json: ") as raised:
        results.check(document, "bad.json")
    assert expected in str(raised.value)


def test_a_warned_cell_is_valid_and_between_pass_and_skip() -> None:
    document = _document()
    document["cells"][0].update(outcome="warn", outcomes=["warn"], message="allowed, advised")
    assert not schema_errors(document)
    severity = results.SEVERITY
    assert severity[results.Outcome.PASS] < severity[results.Outcome.WARN]
    assert severity[results.Outcome.WARN] < severity[results.Outcome.SKIP]


@pytest.mark.parametrize("version", [3, results.SCHEMA_VERSION])
def test_the_reader_takes_version_3_and_4(version: int) -> None:
    document = {**_document(), "schema_version": version}
    assert not schema_errors(document)
    assert results.check(document, "older") is document


def test_the_reader_refuses_an_older_version() -> None:
    with pytest.raises(results.ResultsFileError, match="reads versions 3 and 4 only"):
        results.check({**_document(), "schema_version": 2}, "v2.json")
