"""The probe catalogue checks itself: every entry is well formed, the validator finds broken
entries, and every family of entries fails on a server lenient in its way (one of the
tests/broken_*_server.py programs, with the defect named in FAMILIES) and passes on the
strict one (the same program with no defect)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from harness import catalogue
from harness.cases import CheckFailed, Level
from harness.catalogue import After, Closed, Entry, Status
from harness.launcher import ServerProcess
from harness.probe import ServerProbe
from suites.probes import (
    ENTRIES,
    bodies,
    chunk_lines,
    connection,
    content_length,
    expect,
    fields,
    host,
    request_line,
    responses,
    smuggling,
    smuggling_chunks,
    smuggling_te,
    transfer_encoding,
)

# Each family: its entries, the program that is strict in its respect, and the defect of that
# program that the family must catch.
FAMILIES: dict[str, tuple[tuple[Entry, ...], str, str]] = {
    "content_length": (content_length.ENTRIES, "broken_framing_server.py", "int-content-length"),
    "transfer_encoding": (
        transfer_encoding.ENTRIES,
        "broken_framing_server.py",
        "chunked-anywhere",
    ),
    "chunk_lines": (chunk_lines.ENTRIES, "broken_chunk_lines_server.py", "int-chunk-size"),
    "host": (host.ENTRIES, "broken_host_server.py", "host-unchecked"),
    "request_line": (request_line.ENTRIES, "broken_syntax_server.py", "lenient-request-line"),
    "fields": (fields.ENTRIES, "broken_syntax_server.py", "lenient-fields"),
    "smuggling": (smuggling.ENTRIES, "broken_framing_server.py", "content-length-wins"),
    "smuggling_te": (smuggling_te.ENTRIES, "broken_framing_server.py", "content-length-wins"),
    "responses_head": (responses.HEAD_ENTRIES, "broken_responses_server.py", "head-content"),
    "responses_no_content": (
        responses.NO_CONTENT_ENTRIES,
        "broken_responses_server.py",
        "no-content-content",
    ),
    "responses_interim": (
        responses.INTERIM_ENTRIES,
        "broken_responses_server.py",
        "interim-length",
    ),
    "responses_framing": (
        responses.FRAMING_ENTRIES,
        "broken_responses_server.py",
        "length-with-chunked",
    ),
    "responses_date": (responses.DATE_ENTRIES, "broken_responses_server.py", "asctime-date"),
    "smuggling_chunks": (
        smuggling_chunks.ENTRIES,
        "broken_chunk_lines_server.py",
        "int-chunk-size",
    ),
    "bodies": (bodies.ENTRIES, "broken_bodies_server.py", "content-for-post-only"),
    "expect": (expect.ENTRIES, "broken_bodies_server.py", "continue-to-http10"),
    "connection": (connection.ENTRIES, "broken_bodies_server.py", "close-ignored"),
}
# Each family with discouraged outcomes: the program and its defect that does what the RFC
# allows but advises against, which the family must grade warn (and never fail).
WARNED: dict[str, tuple[tuple[Entry, ...], str, str]] = {
    "chunk_lines": (chunk_lines.ENTRIES, "broken_chunk_lines_server.py", "keep-open"),
}
STRICT = [(entry, program) for entries, program, _ in FAMILIES.values() for entry in entries]
GOOD = content_length.ENTRIES[0]
SHOULD = chunk_lines.ENTRIES[0]  # a SHOULD entry with discouraged outcomes


def test_every_entry_is_well_formed() -> None:
    assert catalogue.problems(ENTRIES) == []
    assert len({entry.id for entry in ENTRIES}) == len(ENTRIES)


def test_every_entry_is_in_a_family() -> None:
    families = {entry.id for entries, _, _ in FAMILIES.values() for entry in entries}
    assert families == {entry.id for entry in ENTRIES}


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (dataclasses.replace(GOOD, id="content_length.plus"), "does not begin"),
        (dataclasses.replace(GOOD, id="probes.Bad-Id"), "is not of the form"),
        (dataclasses.replace(GOOD, rfc="somewhere"), "names no RFC section"),
        (dataclasses.replace(GOOD, level="MUSTN'T"), "is not MUST, SHOULD or MAY"),
        (dataclasses.replace(GOOD, requirement=" "), "no requirement sentence"),
        # A paraphrase, not the RFC's sentence: the requirements index does not hold it.
        (dataclasses.replace(GOOD, requirement="A server MUST refuse it."), "of the index"),
        (dataclasses.replace(GOOD, request=b""), "not bytes"),
        (dataclasses.replace(GOOD, request="POST / HTTP/1.1"), "not bytes"),
        (dataclasses.replace(GOOD, allowed=()), "no allowed outcome"),
        (dataclasses.replace(GOOD, allowed=(400,)), "is not an outcome"),
        (dataclasses.replace(GOOD, allowed=(Status((40,), After.ANY),)), "no valid status"),
        (dataclasses.replace(GOOD, allowed=(Status((), After.ANY),)), "no valid status"),
        (dataclasses.replace(GOOD, discouraged=(Closed(),)), "without a SHOULD"),
        (dataclasses.replace(SHOULD, discouraged=(400,)), "is not an outcome"),
        (dataclasses.replace(SHOULD, discouraged=(Status((4000,), After.ANY),)), "no valid"),
        (dataclasses.replace(SHOULD, discouraged=SHOULD.allowed), "both allowed and discouraged"),
    ],
)
def test_validator_finds_broken_entries(broken: Entry, problem: str) -> None:
    # A fresh id per row where the id is not the point, so the case catalogue sees no twin.
    if broken.id in (GOOD.id, SHOULD.id):
        broken = dataclasses.replace(broken, id=f"probes.selftest.row_{id(broken)}")
    found = catalogue.problems([broken])
    assert any(problem in text for text in found), found


def test_validator_finds_a_duplicate_id() -> None:
    assert any("used twice" in p for p in catalogue.problems([GOOD, GOOD]))


def test_levels_are_known() -> None:
    assert {entry.level for entry in ENTRIES} <= set(Level)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_fails_on_lenient_server(
    family: str, broken_server: Callable[..., ServerProcess]
) -> None:
    entries, program, defect = FAMILIES[family]
    probe = ServerProbe(broken_server(defect, program=program).target)
    caught = []
    for entry in entries:
        try:
            catalogue.run(entry, probe)
        except CheckFailed as failure:
            assert f"({entry.rfc})" in str(failure), "a failure names the RFC section"
            caught.append(entry.id)
    assert caught, f"no entry of {family} fails on the {defect!r} server"


@pytest.mark.parametrize(("entry", "program"), STRICT, ids=[entry.id for entry, _ in STRICT])
def test_entry_passes_on_strict_server(
    entry: Entry, program: str, broken_server: Callable[..., ServerProcess]
) -> None:
    result = catalogue.run(entry, ServerProbe(broken_server("none", program=program).target))
    assert entry.warning(result) == "", "the strict server follows every recommendation"


@pytest.mark.parametrize("family", sorted(WARNED))
def test_family_warns_on_a_server_that_does_not_follow_the_recommendation(
    family: str, broken_server: Callable[..., ServerProcess]
) -> None:
    entries, program, defect = WARNED[family]
    probe = ServerProbe(broken_server(defect, program=program).target)
    warned = {}
    for entry in entries:
        warning = entry.warning(catalogue.run(entry, probe))  # a warn is no failure
        if warning:
            warned[entry.id] = warning
    assert warned, f"no entry of {family} warns on the {defect!r} server"
    assert set(warned) <= {entry.id for entry in entries if entry.discouraged}
    first = next(iter(warned.values()))
    assert "recommended), got 400 Bad Request" in first and "advises against" in first
