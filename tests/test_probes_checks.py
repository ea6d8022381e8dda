"""The probe catalogue checks itself: every entry is well formed, the validator finds broken
entries, and every family of entries fails on a server lenient in its way
(tests/broken_framing_server.py) and passes on the strict one."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import catalogue
from harness.cases import CheckFailed, Level
from harness.catalogue import After, Entry, Status
from harness.launcher import ServerProcess
from harness.probe import ServerProbe
from suites import probes
from suites.probes import ENTRIES, content_length, transfer_encoding

from .test_probes_syntax_checks import FAMILIES as SYNTAX_FAMILIES

# Each family, and the defect of tests/broken_framing_server.py it must catch.
FAMILIES = {
    "content_length": (content_length.ENTRIES, "int-content-length"),
    "transfer_encoding": (transfer_encoding.ENTRIES, "chunked-anywhere"),
}
FRAMING_ENTRIES = tuple(entry for entries, _ in FAMILIES.values() for entry in entries)
GOOD = content_length.ENTRIES[0]
TESTS = Path(__file__).parent


@pytest.fixture(scope="session")
def framing_server(broken_server: Callable[..., ServerProcess]) -> Callable[[str], ServerProcess]:
    return functools.partial(broken_server, program="broken_framing_server.py")


def test_every_entry_is_well_formed() -> None:
    assert catalogue.problems(ENTRIES) == []
    assert len({entry.id for entry in ENTRIES}) == len(ENTRIES)


def _own_checks() -> set[str]:
    """The ids of the themes whose self-tests live in tests/test_probes_<theme>_checks.py."""
    ids = set()
    for theme in pkgutil.iter_modules(probes.__path__):
        if (TESTS / f"test_probes_{theme.name}_checks.py").exists():
            module = importlib.import_module(f"suites.probes.{theme.name}")
            ids |= {entry.id for entry in module.ENTRIES}
    return ids


def test_every_entry_is_in_a_family() -> None:
    every_family = {**FAMILIES, **SYNTAX_FAMILIES}
    families = {entry.id for entries, _ in every_family.values() for entry in entries}
    assert families | _own_checks() == {entry.id for entry in ENTRIES}


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (dataclasses.replace(GOOD, id="content_length.plus"), "does not begin"),
        (dataclasses.replace(GOOD, id="probes.Bad-Id"), "is not of the form"),
        (dataclasses.replace(GOOD, rfc="somewhere"), "names no RFC section"),
        (dataclasses.replace(GOOD, level="MUSTN'T"), "is not MUST, SHOULD or MAY"),
        (dataclasses.replace(GOOD, requirement=" "), "no requirement sentence"),
        (dataclasses.replace(GOOD, request=b""), "not bytes"),
        (dataclasses.replace(GOOD, request="POST / HTTP/1.1"), "not bytes"),
        (dataclasses.replace(GOOD, allowed=()), "no allowed outcome"),
        (dataclasses.replace(GOOD, allowed=(400,)), "is not an outcome"),
        (dataclasses.replace(GOOD, allowed=(Status((40,), After.ANY),)), "no valid status"),
        (dataclasses.replace(GOOD, allowed=(Status((), After.ANY),)), "no valid status"),
    ],
)
def test_validator_finds_broken_entries(broken: Entry, problem: str) -> None:
    # A fresh id per row where the id is not the point, so the case catalogue sees no twin.
    if broken.id == GOOD.id:
        broken = dataclasses.replace(broken, id=f"probes.selftest.row_{id(broken)}")
    found = catalogue.problems([broken])
    assert any(problem in text for text in found), found


def test_validator_finds_a_duplicate_id() -> None:
    assert any("used twice" in p for p in catalogue.problems([GOOD, GOOD]))


def test_levels_are_known() -> None:
    assert {entry.level for entry in ENTRIES} <= set(Level)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_fails_on_lenient_server(
    family: str, framing_server: Callable[[str], ServerProcess]
) -> None:
    entries, defect = FAMILIES[family]
    probe = ServerProbe(framing_server(defect).target)
    caught = []
    for entry in entries:
        try:
            catalogue.run(entry, probe)
        except CheckFailed as failure:
            assert f"({entry.rfc})" in str(failure), "a failure names the RFC section"
            caught.append(entry.id)
    assert caught, f"no entry of {family} fails on the {defect!r} server"


@pytest.mark.parametrize("entry", FRAMING_ENTRIES, ids=[entry.id for entry in FRAMING_ENTRIES])
def test_entry_passes_on_strict_server(
    entry: Entry, framing_server: Callable[[str], ServerProcess]
) -> None:
    catalogue.run(entry, ServerProbe(framing_server("none").target))
