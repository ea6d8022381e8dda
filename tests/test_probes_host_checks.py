"""The Host probes (suites/probes/host.py) check themselves: the family fails on a
server lenient in its way (tests/broken_host_server.py) and every entry passes on the
strict one. Entry validation is tests/test_probes_checks.py's, over every entry."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from harness import catalogue
from harness.cases import CheckFailed
from harness.catalogue import Entry
from harness.launcher import ServerProcess
from harness.probe import ServerProbe
from suites.probes import host

PROGRAM = "broken_host_server.py"
DEFECT = "host-unchecked"


@pytest.fixture(scope="session")
def host_server(broken_server: Callable[..., ServerProcess]) -> Callable[[str], ServerProcess]:
    return functools.partial(broken_server, program=PROGRAM)


def test_family_fails_on_lenient_server(host_server: Callable[[str], ServerProcess]) -> None:
    probe = ServerProbe(host_server(DEFECT).target)
    caught = []
    for entry in host.ENTRIES:
        try:
            catalogue.run(entry, probe)
        except CheckFailed as failure:
            assert f"({entry.rfc})" in str(failure), "a failure names the RFC section"
            caught.append(entry.id)
    assert caught, f"no entry of host fails on the {DEFECT!r} server"


@pytest.mark.parametrize("entry", host.ENTRIES, ids=[entry.id for entry in host.ENTRIES])
def test_entry_passes_on_strict_server(
    entry: Entry, host_server: Callable[[str], ServerProcess]
) -> None:
    catalogue.run(entry, ServerProbe(host_server("none").target))
