"""Expectation files: validation with file:line messages, matching, rendering, updating."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from harness.expectations import (
    PLACEHOLDER,
    Baseline,
    Cell,
    Deviation,
    ExpectationError,
    load_file,
    render,
    rewrite,
    updated,
)
from harness.registry import REGISTRY
from tests.pytest_run import run_pytest

KNOWN = [impl.name for impl in REGISTRY.all()]
KNOWN_CASES = {"methods.case_sensitive", "methods.request.no_content_delete"}

VALID = {
    "case": "methods.case_sensitive",
    "reason": "upper-cases every method before sending it",
    "rfc": "RFC 9110 §9.1",
    "evidence": "requests/models.py: PreparedRequest.prepare_method",
}
HEADER = "# Known deviations of requests.\n\n"


def known_case(case_id: str) -> bool:
    return case_id in KNOWN_CASES


def entry(**changes: str | int | None) -> str:
    """A ``[[deviation]]`` block: VALID with ``changes`` applied (None leaves a key out)."""
    fields = {**VALID, **changes}
    # A JSON string or integer is also a valid TOML value.
    lines = [f"{key} = {json.dumps(value)}" for key, value in fields.items() if value is not None]
    return "\n".join(["[[deviation]]", *lines]) + "\n"


def after_a_valid_entry(block: str) -> str:
    """A file whose second entry is ``block``, so a message must point past the first."""
    return HEADER + entry() + "\n" + block


SECOND_ENTRY_LINE = 9  # of after_a_valid_entry's text: 2 header lines, 5 entry lines, 1 blank


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def deviation(
    implementation: str = "requests",
    *,
    case: str = VALID["case"],
    peer: str | None = None,
    transport: str | None = None,
    source: str = "",
) -> Deviation:
    """The deviation ``entry()`` describes, as listed in ``implementation``'s file."""
    return Deviation(
        implementation=implementation,
        case=case,
        reason=VALID["reason"],
        rfc=VALID["rfc"],
        evidence=VALID["evidence"],
        peer=peer,
        transport=transport,
        source=source,
    )


def cell(
    case: str = VALID["case"],
    server: str = "stdlib-http11",
    client: str = "requests",
    transport: str = "http",
) -> Cell:
    return Cell(case, server, client, transport)


MALFORMED = [
    pytest.param(
        after_a_valid_entry(entry(evidence=None)),
        f"requests.toml:{SECOND_ENTRY_LINE}: 'evidence' is missing or empty",
        id="missing-evidence",
    ),
    pytest.param(
        after_a_valid_entry(entry(reason="  ")),
        f"requests.toml:{SECOND_ENTRY_LINE}: 'reason' is missing or empty",
        id="empty-reason",
    ),
    pytest.param(
        after_a_valid_entry(entry(evidence=PLACEHOLDER)),
        f"requests.toml:{SECOND_ENTRY_LINE}: 'evidence' is still 'TODO'",
        id="todo-placeholder",
    ),
    pytest.param(
        after_a_valid_entry(entry(note="see the changelog")),
        f"requests.toml:{SECOND_ENTRY_LINE}: unknown key(s) ['note']",
        id="unknown-key",
    ),
    pytest.param(
        after_a_valid_entry(entry(peer="nosuch")),
        f"requests.toml:{SECOND_ENTRY_LINE}: peer 'nosuch' is not a known implementation",
        id="unknown-peer",
    ),
    pytest.param(
        after_a_valid_entry(entry(peer=3)),
        f"requests.toml:{SECOND_ENTRY_LINE}: 'peer' must be a string",
        id="peer-not-a-string",
    ),
    pytest.param(
        after_a_valid_entry(entry(transport="h2")),
        f"requests.toml:{SECOND_ENTRY_LINE}: transport must be one of http, https, not 'h2'",
        id="bad-transport",
    ),
    pytest.param(
        after_a_valid_entry(entry(intermittent="sometimes")),
        f"requests.toml:{SECOND_ENTRY_LINE}: 'intermittent' must be a boolean",
        id="intermittent-not-a-boolean",
    ),
    pytest.param(
        after_a_valid_entry(entry(python="3.13 and up")),
        f"requests.toml:{SECOND_ENTRY_LINE}: python must be a version specifier such as "
        "'<3.13', not '3.13 and up'",
        id="bad-python-specifier",
    ),
    pytest.param(
        after_a_valid_entry(entry(case="methods.nosuch")),
        f"requests.toml:{SECOND_ENTRY_LINE}: case 'methods.nosuch' does not exist",
        id="unknown-case",
    ),
    pytest.param(
        "[[deviation]]\ncase = \n",
        "requests.toml: not valid TOML",
        id="invalid-toml",
    ),
    pytest.param(
        "schema = 1\n\n" + entry(),
        "requests.toml: unknown top-level key(s) ['schema']",
        id="unknown-top-level-key",
    ),
    pytest.param(
        after_a_valid_entry(
            entry(evidence=None).replace("[[deviation]]", "[[deviation]]  # no evidence yet")
        ),
        f"requests.toml:{SECOND_ENTRY_LINE}: 'evidence' is missing or empty",
        id="header-with-a-comment",
    ),
    pytest.param(
        "deviation = 5\n",
        "[[deviation]]",
        id="deviation-not-an-array-of-tables",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), MALFORMED)
def test_malformed_file_is_rejected_naming_the_file_and_line(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = write(tmp_path / "requests.toml", text)
    with pytest.raises(ExpectationError, match=re.escape(fragment)):
        load_file(path, known_implementations=KNOWN, known_case=known_case)


def test_file_named_after_an_unknown_implementation_lists_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "nosuch.toml", entry())
    with pytest.raises(ExpectationError) as excinfo:
        load_file(path, known_implementations=KNOWN)
    message = str(excinfo.value)
    assert f"{path}: no implementation is named 'nosuch'" in message
    assert ", ".join(sorted(KNOWN)) in message


def test_valid_entries_load_with_the_line_of_their_header(tmp_path: Path) -> None:
    text = after_a_valid_entry(entry(case="methods.request.no_content_delete", peer="flask"))
    path = write(tmp_path / "requests.toml", text)
    loaded = load_file(path, known_implementations=KNOWN, known_case=known_case)
    assert loaded == [
        deviation(source=f"{path}:3"),
        deviation(
            case="methods.request.no_content_delete",
            peer="flask",
            source=f"{path}:{SECOND_ENTRY_LINE}",
        ),
    ]


MATCHES = [
    pytest.param(deviation(), cell(), True, id="client-file-matches-any-server"),
    pytest.param(deviation(), cell(case="methods.other"), False, id="other-case"),
    pytest.param(deviation(), cell(client="http.client"), False, id="implementation-not-in-cell"),
    pytest.param(deviation(peer="flask"), cell(server="flask"), True, id="peer-is-the-server"),
    pytest.param(deviation(peer="flask"), cell(), False, id="other-server"),
    pytest.param(
        deviation("flask", peer="requests"),
        cell(server="flask"),
        True,
        id="server-file-peer-is-the-client",
    ),
    pytest.param(
        deviation("flask", peer="requests"),
        cell(server="flask", client="http.client"),
        False,
        id="server-file-other-client",
    ),
    pytest.param(deviation(transport="https"), cell(transport="https"), True, id="transport"),
    pytest.param(deviation(transport="https"), cell(), False, id="other-transport"),
]


@pytest.mark.parametrize(
    ("python", "version", "expected"),
    [
        (None, "3.11.7", True),
        ("<3.13", "3.12.1", True),
        ("<3.13", "3.13.0", False),
        (">=3.13", "3.13.0", True),
        (">=3.13", "3.11.7", False),
    ],
)
def test_deviation_matches_only_its_python_versions(
    python: str | None, version: str, expected: bool
) -> None:
    known = dataclasses.replace(deviation(), python=python)
    assert known.matches(cell(), python_version=version) is expected


@pytest.mark.parametrize(("known", "candidate", "expected"), MATCHES)
def test_deviation_matches_its_case_implementation_peer_and_transport(
    known: Deviation, candidate: Cell, expected: bool
) -> None:
    assert known.matches(candidate) is expected


def test_baseline_match_is_the_first_deviation_that_covers_the_cell() -> None:
    over_https = deviation(transport="https")
    anywhere = deviation()
    baseline = Baseline([deviation("flask"), over_https, anywhere])
    assert baseline.match(cell(transport="https")) is over_https
    assert baseline.match(cell()) is anywhere
    assert baseline.match(cell(case="methods.other")) is None


def test_baseline_loads_every_file_of_a_directory(tmp_path: Path) -> None:
    write(tmp_path / "requests.toml", entry())
    write(tmp_path / "flask.toml", entry(peer="http.client"))
    baseline = Baseline.load(tmp_path, known_implementations=KNOWN, known_case=known_case)
    assert [(d.implementation, d.peer) for d in baseline.deviations] == [
        ("flask", "http.client"),
        ("requests", None),
    ]


def test_render_loads_back_to_the_same_deviations(tmp_path: Path) -> None:
    # In render's order (case, peer, transport), with text that needs escaping in TOML.
    deviations = [
        dataclasses.replace(
            deviation(), reason='sends "get" as GET\x7f', evidence="models.py\nC:\\requests §1"
        ),
        deviation(peer="flask", transport="https"),
        dataclasses.replace(
            deviation(case="methods.request.no_content_delete"), python="<3.13", intermittent=True
        ),
    ]
    path = write(tmp_path / "requests.toml", render(deviations))
    loaded = load_file(path, known_implementations=KNOWN, known_case=known_case)
    assert [dataclasses.replace(d, source="") for d in loaded] == deviations


def test_a_missing_expectations_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ExpectationError, match="no such folder"):
        Baseline.load(tmp_path / "typo", known_implementations=KNOWN)


def no_rfc(case_id: str) -> str:
    raise AssertionError(f"no new failure expected, but {case_id} was filed")


def test_updated_keeps_an_entry_that_still_fails() -> None:
    still_failing = deviation()
    files = updated(Baseline([still_failing]), {cell(): "known"}, no_rfc)
    assert files == {"requests": [still_failing]}


def test_updated_drops_an_entry_whose_every_cell_is_fixed() -> None:
    outcomes = {cell(): "fixed", cell(server="flask"): "fixed"}
    assert updated(Baseline([deviation()]), outcomes, no_rfc) == {}


def test_updated_keeps_an_entry_fixed_in_only_some_of_its_cells() -> None:
    partly_fixed = deviation()
    outcomes = {cell(): "fixed", cell(server="flask"): "known"}
    assert updated(Baseline([partly_fixed]), outcomes, no_rfc) == {"requests": [partly_fixed]}


def test_updated_keeps_an_entry_this_run_did_not_cover() -> None:
    # A partial run (say, --server flask only) says nothing about the other cells.
    not_run = deviation(peer="stdlib-http10")
    files = updated(Baseline([not_run]), {cell(server="flask"): "pass"}, no_rfc)
    assert files == {"requests": [not_run]}


def test_updated_files_a_new_failure_under_the_server_with_the_client_as_peer() -> None:
    failing = cell(server="flask", client="http.client", transport="https")
    files = updated(Baseline([]), {failing: "fail", cell(): "pass"}, lambda _: "RFC 9110 §9.1")
    assert files == {
        "flask": [
            Deviation(
                implementation="flask",
                case=VALID["case"],
                peer="http.client",
                transport="https",
                reason=PLACEHOLDER,
                rfc="RFC 9110 §9.1",
                evidence=PLACEHOLDER,
            )
        ]
    }


def test_rewrite_writes_each_file_and_removes_an_emptied_one(tmp_path: Path) -> None:
    (tmp_path / "requests.toml").write_text(render([deviation()]), encoding="utf-8")
    failing = cell(server="flask", client="http.client")
    outcomes = {cell(): "fixed", failing: "fail"}
    rewrite(tmp_path, Baseline([deviation()]), outcomes, lambda _: "RFC 9110 §9.1")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["flask.toml"]
    new_failure = dataclasses.replace(
        deviation("flask", peer="http.client", transport="http"),
        reason=PLACEHOLDER,
        rfc="RFC 9110 §9.1",
        evidence=PLACEHOLDER,
    )
    assert (tmp_path / "flask.toml").read_text(encoding="utf-8") == render([new_failure])


def test_pytest_refuses_a_malformed_file_before_running_any_cell(tmp_path: Path) -> None:
    expectations = tmp_path / "expectations"
    expectations.mkdir()
    malformed = write(expectations / "requests.toml", after_a_valid_entry(entry(evidence=None)))
    results = tmp_path / "results.json"
    done = run_pytest(
        *("suites/test_methods.py", "-q", "--expectations", str(expectations)),
        *("--results", str(results)),
        *("--server", "stdlib-http11", "--client", "http.client", "--transport", "http"),
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"{malformed}:{SECOND_ENTRY_LINE}: 'evidence' is missing or empty" in done.stderr
    # The results file is written for any run that reached a cell.
    assert not results.exists()
