"""Probes suite: the probe catalogue (harness/catalogue.py), every entry a server-probe cell
over every server x transport.

The entries are tables in suites/probes/, one module per theme; this module only runs them.
Each cell sends the entry's exact bytes and a valid follow-up request on one connection and
passes when the server's answer is one of the outcomes the entry's RFC sentence allows; an
answer the RFC allows but advises against passes with a warn (the ``warn`` property).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness import catalogue
from harness.cases import Case
from harness.plugin import properties
from harness.probe import ServerProbe

from .probes import ENTRIES

BY_CASE = {entry.id: entry for entry in ENTRIES}


@pytest.mark.parametrize("case", [pytest.param(entry.case, id=entry.id) for entry in ENTRIES])
def test_probe(
    case: Case, server_probe: ServerProbe, record_property: Callable[[str, object], None]
) -> None:
    entry = BY_CASE[case.id]
    warning = entry.warning(catalogue.run(entry, server_probe))
    if warning:
        record_property(properties.WARN, warning)
