"""The request-line and field-syntax families of the probe catalogue check themselves: each
fails on a server lenient in its way (tests/broken_syntax_server.py), and every entry passes on
the strict one."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from harness import catalogue
from harness.cases import CheckFailed
from harness.catalogue import Entry
from harness.launcher import ServerProcess
from harness.probe import ServerProbe
from suites.probes import fields, request_line

# Each family, and the defect of tests/broken_syntax_server.py it must catch.
FAMILIES = {
    "request_line": (request_line.ENTRIES, "lenient-request-line"),
    "fields": (fields.ENTRIES, "lenient-fields"),
}
ENTRIES = (*request_line.ENTRIES, *fields.ENTRIES)


@pytest.fixture(scope="session")
def syntax_server(broken_server: Callable[..., ServerProcess]) -> Callable[[str], ServerProcess]:
    return functools.partial(broken_server, program="broken_syntax_server.py")


def test_entries_are_well_formed() -> None:
    assert catalogue.problems(ENTRIES) == []


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_fails_on_lenient_server(
    family: str, syntax_server: Callable[[str], ServerProcess]
) -> None:
    entries, defect = FAMILIES[family]
    probe = ServerProbe(syntax_server(defect).target)
    caught = []
    for entry in entries:
        try:
            catalogue.run(entry, probe)
        except CheckFailed as failure:
            assert f"({entry.rfc})" in str(failure), "a failure names the RFC section"
            caught.append(entry.id)
    assert caught, f"no entry of {family} fails on the {defect!r} server"


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_entry_passes_on_strict_server(
    entry: Entry, syntax_server: Callable[[str], ServerProcess]
) -> None:
    catalogue.run(entry, ServerProbe(syntax_server("none").target))
