"""Self-tests of the differential mode (harness/differential/): each normalisation rule,
the grouping, and two deliberately different servers found apart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness import cli, contract
from harness.differential import generate, groups, regressions, sweep
from harness.differential.record import (
    HANDLED,
    Answer,
    Interpretation,
    Probe,
    Seen,
    interpretation,
    readings_agree,
)
from harness.launcher import ServerProcess
from harness.probe import Ending, ProbeResult, parse_responses
from harness.report.differential_table import FOUND, READING, REQUEST, read_differently
from harness.suites.probes import expect, smuggling

AUTHORITY = "127.0.0.1:8080"
SENT = b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-A: 1\r\nX-B: 2\r\nContent-Length: 5\r\n"


def echo(headers: list[tuple[str, str]], body: bytes = b"hello", target: str = "/echo") -> bytes:
    document = contract.echo_document(
        method="POST", target=target, http_version="HTTP/1.1", headers=headers, body=body
    )
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(document), document)


FIELDS = [("Host", AUTHORITY), ("X-A", "1"), ("X-B", "2"), ("Content-Length", "5")]
ERROR = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad"
BASE = echo(FIELDS) + ERROR


def record(received: bytes, ending: Ending = Ending.CLOSED) -> Interpretation:
    """The record of ``received`` in answer to two requests (SENT and a follow-up)."""
    responses, malformed = parse_responses(received, at_eof=True)
    result = ProbeResult(SENT, received, responses, ending, malformed, 0.0)
    return interpretation(result, AUTHORITY, sent=2)


# Each rule: a reply that differs from BASE only in what the rule says does not count, and
# one that differs in what it keeps (the rule is no blanket).
RULES = {
    "1 status class": (
        echo(FIELDS) + b"HTTP/1.1 413 Too Large\r\nContent-Length: 3\r\n\r\nbad",
        echo(FIELDS) + b"HTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\nbad",
    ),
    "2 response fields, reason, error page": (
        echo(FIELDS).replace(b"200 OK", b"200 Fine")
        + b"HTTP/1.1 400 Nope\r\nServer: x\r\nDate: y\r\nContent-Length: 5\r\n\r\nwrong",
        echo(FIELDS) + ERROR + ERROR,
    ),
    "3 interim responses": (b"HTTP/1.1 100 Continue\r\n\r\n" + BASE, echo(FIELDS)),
    "5 field names' case and order, whitespace": (
        echo([("x-b", "2 "), ("Content-Length", "5"), ("x-a", " 1"), ("HOST", AUTHORITY)]) + ERROR,
        echo([("X-A", "1"), ("X-A", "0"), ("X-B", "2"), ("Host", AUTHORITY)]) + ERROR,
    ),
    "5 fields the request did not send": (
        echo([*FIELDS, ("X-Forwarded-For", "127.0.0.1")]) + ERROR,
        echo([("Host", AUTHORITY), ("X-A", "1")]) + ERROR,
    ),
    "6 framing fields": (
        echo([*FIELDS[:3], ("Transfer-Encoding", "chunked")]) + ERROR,
        echo(FIELDS, body=b"hellO") + ERROR,
    ),
    "7 the server's own authority": (
        echo([("Host", "{host}"), *FIELDS[1:]]) + ERROR,
        echo([("Host", "example.com"), *FIELDS[1:]]) + ERROR,
    ),
}


def test_base_reply_is_what_the_rules_vary() -> None:
    assert record(BASE).describe().startswith("2xx POST /echo [5 B")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_normalisation_rule(rule: str) -> None:
    harmless, different = RULES[rule]
    assert record(harmless) == record(BASE), f"rule {rule}: a harmless difference counted"
    assert record(different) != record(BASE), f"rule {rule}: a real difference dropped"


def test_rule_7_the_servers_own_authority_in_an_absolute_target() -> None:
    """Two servers on two ports that each echo their own authority in the target agree."""

    def absolute(authority: str, target: str) -> Interpretation:
        received = echo([("Host", authority), *FIELDS[1:]], target=target) + ERROR
        responses, malformed = parse_responses(received, at_eof=True)
        result = ProbeResult(SENT, received, responses, Ending.CLOSED, malformed, 0.0)
        return interpretation(result, authority, sent=2)

    other = "127.0.0.1:9090"
    mine = absolute(AUTHORITY, f"http://{AUTHORITY}/echo")
    assert mine == absolute(other, f"http://{other}/echo")
    assert mine.describe().startswith("2xx POST http://{host}/echo ")
    assert mine != absolute(other, "http://example.com/echo")


def test_rule_4_a_reset_is_a_close() -> None:
    unanswered = echo(FIELDS)  # the follow-up has no answer: the ending counts (rule 8)
    assert record(unanswered, Ending.RESET) == record(unanswered, Ending.CLOSED)
    assert record(unanswered, Ending.OPEN) != record(unanswered, Ending.CLOSED)
    assert record(unanswered, Ending.OPEN) == record(unanswered, Ending.TIMEOUT)


def test_rule_8_a_close_after_every_answer_does_not_count() -> None:
    assert record(BASE, Ending.OPEN) == record(BASE, Ending.CLOSED)
    assert record(BASE, Ending.CLOSED).describe().endswith("4xx")
    # Answered the follow-up or not still counts, and so does how an unanswered one ended.
    assert record(echo(FIELDS), Ending.CLOSED) != record(BASE, Ending.CLOSED)
    assert record(echo(FIELDS), Ending.CLOSED).describe().endswith("; closed")


def test_records_are_hashable_keys() -> None:
    assert len({record(BASE), record(RULES["1 status class"][0])}) == 1


def seen(target: str = "/echo", length: int = 5) -> Seen:
    return Seen("POST", target, (), length, f"digest{length}")


NEXT = seen("/echo?next", 0)
# (a, a closed, b, b closed, they disagree about where the message ends)
ENDS = [
    ((Answer("2xx", seen()), Answer("2xx", NEXT)), False, (Answer("2xx", seen()),), True, False),
    ((Answer("2xx", seen()), Answer("2xx", NEXT)), False, (Answer("2xx", seen()),), False, True),
    (
        (Answer("2xx", seen()), Answer("2xx", NEXT)),
        False,
        (Answer("2xx", seen(length=0)),),
        True,
        True,
    ),
    ((Answer("2xx", seen()),), True, (Answer("4xx", None),), True, False),
    (
        (Answer("2xx", seen()), Answer("4xx", None)),
        False,
        (Answer("2xx", seen()), Answer("2xx", NEXT)),
        False,
        True,  # it refused a next request where the other served the follow-up
    ),
]


@pytest.mark.parametrize(("a", "a_closed", "b", "b_closed", "differ"), ENDS)
def test_ends_differ(
    a: tuple[Answer, ...], a_closed: bool, b: tuple[Answer, ...], b_closed: bool, differ: bool
) -> None:
    first, second = Interpretation(a, a_closed, False), Interpretation(b, b_closed, False)
    assert groups.ends_differ(first, second) is differ
    assert groups.ends_differ(second, first) is differ


def test_grouping() -> None:
    one, two = record(BASE), record(echo(FIELDS, body=b"other"))
    probe = Probe("p", b"x")
    assert groups.disagreement(probe, {"a": one, "b": one}) is None
    found = groups.disagreement(probe, {"c": two, "a": one, "b": one})
    assert found is not None
    assert [g.servers for g in found.groups] == [("a", "b"), ("c",)]
    assert found.smuggling_pairs == (("a", "c"),)


def test_deliberately_different_servers_are_found_apart(
    broken_server: Callable[..., ServerProcess],
) -> None:
    """The strict server and the one that frames by Content-Length alone read the smuggling
    probes' TE+CL requests differently, and the differential mode says so."""
    program = "broken_framing_server.py"
    targets = {
        defect: broken_server(defect, program=program).target
        for defect in ("none", "content-length-wins")
    }
    found = sweep.sweep([Probe.of(entry) for entry in smuggling.ENTRIES], targets)
    assert any(d.smuggling_relevant for d in found.disagreements)
    report = sweep.as_json(found)
    assert report["disagreements"][0]["smuggling_pairs"]
    same = sweep.sweep([Probe.of(entry) for entry in smuggling.ENTRIES], {"a": targets["none"]})
    assert same.disagreements == ()
    kept = regressions.new_entries(found.disagreements, smuggling.ENTRIES, [])
    assert kept and all(entry.smuggling_pairs for entry in kept)
    assert len({entry.probe().wire() for entry in kept}) == len(kept)
    assert regressions.new_entries(found.disagreements, smuggling.ENTRIES, kept) == []


def test_a_catalogue_entry_replays_from_its_file_as_it_was_sent(tmp_path: Path) -> None:
    """A kept catalogue entry keeps its id, section and way of sending (staged parts, the
    follow-up or not, methods, pipelined requests) through its file."""
    entry = next(e for e in expect.ENTRIES if e.staged)
    probe = Probe.of(entry)
    found = groups.disagreement(probe, {"a": record(BASE), "b": record(echo(FIELDS))})
    assert found is not None
    kept = regressions.of_entry(found, entry)
    assert regressions.load(regressions.save(kept, tmp_path)) == kept
    assert kept.name == entry.id.removeprefix("probes.") and kept.rfc == entry.rfc
    assert kept.probe().wire() == probe.wire()
    assert kept.probe().staged == entry.staged and kept.probe().methods == entry.methods


def test_unknown_server_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["differential", "--server", "nope"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err.count("\n") == 1


def test_generated_requests_change_one_to_three_elements() -> None:
    assert generate.request(()) == b"".join(valid for _, valid in generate.VALID)
    valid = {name: spelling for elements in generate.BASES for name, spelling in elements}
    for name, point in generate.POINTS.items():
        assert point.variants and valid[name] not in point.variants, name
    chunked = generate.request((("chunk_size", b"A"),))
    assert chunked.endswith(b"\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in chunked and b"Content-Length" not in chunked


def test_a_hunt_shrinks_a_chunk_line_difference_to_the_one_element(
    broken_server: Callable[..., ServerProcess],
) -> None:
    """The strict chunked decoder and the one reading each size line through int(x, 16)
    (tests/broken_chunk_lines_server.py) agree on every Content-Length request and on valid
    chunk lines; the hunt finds them apart on one chunk element alone."""
    program = "broken_chunk_lines_server.py"
    targets = {
        defect: broken_server(defect, program=program).target
        for defect in ("none", "int-chunk-size")
    }
    (found,) = generate.hunt(targets, generate.DEFAULT_EXAMPLES, lambda line: None)
    ((name, _),) = found.changes
    assert name in generate.CHUNK_ELEMENTS
    assert generate.base(found.changes) is generate.CHUNKED


def test_a_hunt_finds_two_different_servers_and_shrinks_to_one_change(
    broken_server: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """The strict server and the one that frames by Content-Length alone disagree on some
    generated request; the request kept is the valid one with one element changed, and it
    replays from its file as it was found."""
    program = "broken_framing_server.py"
    targets = {
        defect: broken_server(defect, program=program).target
        for defect in ("none", "content-length-wins")
    }
    lines: list[str] = []
    found = generate.hunt(targets, generate.DEFAULT_EXAMPLES, lines.append)
    assert found and lines[-1].startswith("differential: ")
    (first,) = found  # two servers: one partition
    assert len(first.changes) == 1
    raw = generate.request(first.changes)
    valid = generate.request(())
    assert raw == first.disagreement.probe.request != valid
    entry = regressions.of(first)
    path = regressions.save(entry, tmp_path)
    assert regressions.load_all(tmp_path) == [entry]
    assert path.stem == entry.name
    again = groups.disagreement(entry.probe(), sweep.records(entry.probe(), targets))
    assert again is not None
    assert [(g.servers, g.interpretation.describe()) for g in again.groups] == list(entry.groups)
    alike = generate.hunt({"a": targets["none"]}, 5, lines.append)
    assert alike == []


def regression_cell(server: str, reading: str, transport: str = "http") -> dict:
    observed = [REQUEST + "POST  /echo", READING + reading]
    case = "differential.regression.abc"
    return {
        "suite": "differential",
        "case": case,
        "server": server,
        "transport": transport,
        "observed": observed,
    }


def test_read_differently_table_groups_the_servers_of_a_request() -> None:
    cells = [
        regression_cell("a", "2xx"),
        regression_cell("b", "4xx; closed"),
        regression_cell("c", "2xx"),
        regression_cell("a", "2xx", "https"),
    ]
    alike = [{**cell, "case": "differential.regression.same"} for cell in cells[::2]]
    found = {**cells[1], "case": "differential.regression.zzz"}
    found["observed"] = [*found["observed"], FOUND + "a vs b"]
    other = {**cells[0], "case": "differential.regression.zzz"}
    table = read_differently([*cells, *alike, found, other], ["c", "b", "a"])
    assert table is not None
    assert table.columns == ["c", "b", "a", "a (https)"]
    assert [row.case for row in table.rows] == [
        "differential.regression.zzz",  # smuggling-relevant when found: first
        "differential.regression.abc",
    ]
    row = table.rows[1]
    assert row.request == "POST  /echo"
    assert row.groups == [("A", "2xx"), ("B", "4xx; closed")]
    assert row.cells == ["A", "B", "A", "A"]
    assert table.rows[0].cells == ["", "B", "A", ""]
    assert read_differently(alike, ["a"]) is None


def handled(received: bytes) -> Interpretation:
    """The record of ``received`` from a server without /echo whose handler writes 501."""
    responses, malformed = parse_responses(received, at_eof=True)
    result = ProbeResult(SENT, received, responses, Ending.CLOSED, malformed, 0.0)
    return interpretation(result, AUTHORITY, sent=2, handled=frozenset({501}))


UNSUPPORTED = b"HTTP/1.0 501 Unsupported method ('POST')\r\nContent-Length: 3\r\n\r\nno!"


def test_rule_9_a_server_without_echo_shows_what_it_can() -> None:
    assert handled(UNSUPPORTED).answers == (HANDLED,)
    assert handled(UNSUPPORTED).describe() == "served, unknown; closed"
    assert handled(ERROR).describe() == "4xx; closed"  # a refusal stays one
    assert record(UNSUPPORTED).describe() == "5xx; closed"  # only for the statuses named


def test_unknown_never_splits_a_group() -> None:
    """simplehttp's reading (served, unknown; closed) joins the largest group that served
    the first request and closed, whatever that group saw; it is apart only where what it
    shows differs."""
    served = record(echo(FIELDS))  # served the first request, closed before the follow-up
    other = record(echo(FIELDS, body=b"other"))
    unknown = handled(UNSUPPORTED)
    probe = Probe("p", b"x")
    assert unknown != served and unknown.agrees(served) and unknown.agrees(other)
    assert groups.disagreement(probe, {"a": served, "b": served, "s": unknown}) is None
    found = groups.disagreement(probe, {"a": served, "b": served, "c": other, "s": unknown})
    assert found is not None
    assert [g.servers for g in found.groups] == [("a", "b", "s"), ("c",)]
    assert [g.interpretation for g in found.groups] == [served, other]
    assert not groups.ends_differ(unknown, other)
    # A pair names a server that showed what it read, not the unknown one.
    named = groups.disagreement(probe, {"a": unknown, "z": served, "c": other})
    assert named is not None and named.smuggling_pairs == (("c", "z"),)  # a joined c
    # No blanket: a refusal, or an answered follow-up, is what it shows, and differs.
    refused = groups.group({"a": served, "s": handled(ERROR)})
    assert len(refused) == 2
    assert not unknown.agrees(record(BASE))  # BASE answers the follow-up too
    assert len(groups.group({"a": record(BASE), "s": unknown})) == 2
    # The report's cells keep only the text: it agrees as the records do.
    for known in (served, other, record(BASE), handled(ERROR), record(echo(FIELDS) + ERROR)):
        assert readings_agree(unknown.describe(), known.describe()) is unknown.agrees(known)


def test_read_differently_table_puts_unknown_in_the_largest_group_it_agrees_with() -> None:
    served = "2xx POST /echo [5 B 933b971c]; closed"
    cells = [
        regression_cell("simplehttp", "served, unknown; closed"),
        regression_cell("a", served),
        regression_cell("b", served),
        regression_cell("c", "4xx; closed"),
    ]
    table = read_differently(cells, ["simplehttp", "a", "b", "c"])
    assert table is not None
    (row,) = table.rows
    assert row.groups == [("A", served), ("B", "4xx; closed")]
    assert row.cells == ["A", "A", "A", "B"]
    alike = [regression_cell("simplehttp", "served, unknown; closed"), cells[1]]
    assert read_differently(alike, ["simplehttp", "a"]) is None


def test_simplehttp_is_in_the_differential_run_and_reads_alike_with_http10() -> None:
    """simplehttp (python -m http.server, no /echo) is a default server, and on the valid
    generated request it groups with stdlib-http10 (both close after one answer)."""
    assert "simplehttp" in sweep.default_servers()
    valid = generate.probe(generate.request(()))
    with sweep.started(["simplehttp", "stdlib-http10"]) as (targets, failed):
        assert not failed
        seen = sweep.records(valid, targets)
    assert seen["simplehttp"].answers == (HANDLED,)
    (one,) = groups.group(seen)
    assert one.servers == ("simplehttp", "stdlib-http10")
