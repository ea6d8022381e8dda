"""The response catalogue checks itself: every entry is well formed, the validator finds broken
entries, and every family of entries fails on a client lenient in its way (a fake client of
tests/fake_clients.py, named in FAMILIES) and passes on a correct one (CorrectClient)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from harness import responses
from harness.cases import CheckFailed, Level
from harness.cells import ScriptedClient
from harness.clients import Client
from harness.errors import ErrorKind
from harness.responses import Answer, Error, Outcome, ResponseEntry
from harness.scripted import Close, Pause
from suites.responses import (
    ENTRIES,
    chunked,
    connection,
    content_length,
    fields,
    interim,
    no_content,
    splits,
    status_line,
    transfer_encoding,
)
from tests.fake_clients import CorrectClient, NaiveClient, OneReadClient

# Each family: its entries, and the lenient client (its defect in its docstring) that the
# family must catch.
FAMILIES: dict[str, tuple[tuple[ResponseEntry, ...], type[Client]]] = {
    "status_line": (status_line.ENTRIES, NaiveClient),
    "fields": (fields.ENTRIES, NaiveClient),
    "content_length": (content_length.ENTRIES, NaiveClient),
    "transfer_encoding": (transfer_encoding.ENTRIES, NaiveClient),
    "chunked": (chunked.ENTRIES, NaiveClient),
    "no_content": (no_content.ENTRIES, NaiveClient),
    "connection": (connection.ENTRIES, NaiveClient),
    "interim": (interim.ENTRIES, NaiveClient),
    "splits": (splits.ENTRIES, OneReadClient),
}
GOOD = status_line.ENTRIES[0]
TWO = connection.ENTRIES[0]  # an entry with two requests


def test_every_entry_is_well_formed() -> None:
    assert responses.problems(ENTRIES) == []


def test_every_entry_is_in_a_family() -> None:
    families = {entry.id for entries, _ in FAMILIES.values() for entry in entries}
    assert families == {entry.id for entry in ENTRIES}


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (dataclasses.replace(GOOD, id="status_line.empty"), "does not begin"),
        (dataclasses.replace(GOOD, id="responses.Bad-Id"), "is not of the form"),
        (dataclasses.replace(GOOD, rfc="somewhere"), "names no RFC section"),
        (dataclasses.replace(GOOD, level="MUSTN'T"), "is not MUST, SHOULD or MAY"),
        (dataclasses.replace(GOOD, requirement=" "), "no requirement sentence"),
        # A paraphrase, not the RFC's sentence: the requirements index does not hold it.
        (dataclasses.replace(GOOD, requirement="A server MUST refuse it."), "of the index"),
        (dataclasses.replace(GOOD, script=(Close(),)), "sends nothing"),
        (dataclasses.replace(GOOD, script=(b"HTTP/1.1 200 OK",)), "not an action"),
        (dataclasses.replace(GOOD, reconnect=(Pause(0.0),)), "single request"),
        (dataclasses.replace(GOOD, methods=()), "no request"),
        (dataclasses.replace(GOOD, allowed=()), "no allowed outcome"),
        (dataclasses.replace(GOOD, allowed=(200,)), "is not an outcome"),
        (dataclasses.replace(GOOD, allowed=(Outcome((Answer(99, b""),)),)), "no valid status"),
        (dataclasses.replace(GOOD, allowed=(Outcome((Error(()),)),)), "named kinds"),
        (dataclasses.replace(GOOD, allowed=(Outcome((Error(("x",)),)),)), "not an ErrorKind"),
        (dataclasses.replace(GOOD, allowed=(Outcome((Error(), Error())),)), "one result per"),
        (dataclasses.replace(GOOD, allowed=(Outcome((Error(),), reused=False),)), "single"),
        (
            dataclasses.replace(GOOD, allowed=(Outcome((Answer(200, b"", (("X", ("(",)),)),)),)),
            "does not compile",
        ),
        (dataclasses.replace(TWO, allowed=(Outcome((Error(),)),)), "one result per request"),
    ],
)
def test_validator_finds_broken_entries(broken: ResponseEntry, problem: str) -> None:
    # A fresh id per row where the id is not the point, so the case catalogue sees no twin.
    if broken.id in (GOOD.id, TWO.id):
        broken = dataclasses.replace(broken, id=f"responses.selftest.row_{id(broken)}")
    found = responses.problems([broken])
    assert any(problem in text for text in found), found


def test_validator_finds_a_duplicate_id() -> None:
    assert any("used twice" in p for p in responses.problems([GOOD, GOOD]))


def test_levels_and_kinds_are_known() -> None:
    assert {entry.level for entry in ENTRIES} <= set(Level)
    kinds = {
        kind
        for entry in ENTRIES
        for outcome in entry.allowed
        for step in outcome.steps
        if isinstance(step, Error)
        for kind in step.kinds
    }
    assert kinds <= set(ErrorKind)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_fails_on_lenient_client(family: str) -> None:
    entries, lenient = FAMILIES[family]
    cell = ScriptedClient(lenient())
    caught = []
    for entry in entries:
        try:
            responses.run(entry, cell)
        except CheckFailed as failure:
            assert f"({entry.rfc})" in str(failure), "a failure names the RFC section"
            caught.append(entry.id)
    assert caught, f"no entry of {family} fails on {lenient.__name__}"


# The client cases suites/test_errors.py and suites/test_chunked.py held before the catalogue,
# each with the self-test it had there: it fails on NaiveClient, which takes what arrives at
# face value (the family test above needs only one entry of a family to fail).
MOVED = (
    "responses.status_line.code_letters",
    "responses.status_line.no_status_line",
    "responses.fields.many_fields_then_more_content",
    "responses.content_length.lines_differing",
    "responses.transfer_encoding.chunked_and_length",
    "responses.chunked.size_non_hex",
    "responses.chunked.size_hex_prefix",
    "responses.chunked.size_negative",
    "responses.chunked.size_overflow",
    "responses.chunked.data_without_crlf",
    "responses.chunked.no_last_chunk",
    "responses.chunked.truncated_chunk",
    "responses.connection.length_longer_closed",
    "responses.connection.length_reset_mid_content",
    "responses.interim.continue_twice",
    "responses.interim.early_hints",
)
BY_ID = {entry.id: entry for entry in ENTRIES}


# Entries a lenient reading could pass unless caught one by one: NaiveClient drops a
# Content-Length beyond its 100th field, which the octets after the content must show.
FRAMING_AFTER_MANY_FIELDS = ("responses.fields.many_fields_before_length",)


@pytest.mark.parametrize("case_id", MOVED + FRAMING_AFTER_MANY_FIELDS)
def test_moved_case_fails_on_naive_client(case_id: str) -> None:
    entry = BY_ID[case_id]
    with pytest.raises(CheckFailed, match=re.escape(f"({entry.rfc})")):
        responses.run(entry, ScriptedClient(NaiveClient()))


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_entry_passes_on_correct_client(entry: ResponseEntry) -> None:
    responses.run(entry, ScriptedClient(CorrectClient()))
