"""The table of cell kinds (harness/cells.py): each kind's pairings, ids and fixture."""

from __future__ import annotations

import pytest

from harness.cells import CELL_KINDS, CellKind, cell_id
from harness.fixtures import servers, tls
from harness.implementation import Kind


@pytest.mark.parametrize("kind", CELL_KINDS, ids=lambda kind: kind.fixture)
def test_pairings_have_the_kinds_sides_transports_and_id_shape(kind: CellKind) -> None:
    pairings = kind.pairings(["srv"], ["cli"], ["http", "https"])
    assert [p.transport for p in pairings] == list(kind.transports)
    for pairing in pairings:
        assert (pairing.server is not None) == (Kind.SERVER in kind.sides)
        assert (pairing.client is not None) == (Kind.CLIENT in kind.sides)
        shape = kind.id_shape.replace("<server>", "srv").replace("<client>", "cli")
        shape = shape.replace("<case>", "suite.case").replace("<transport>", pairing.transport)
        assert cell_id("suite.case", pairing) == shape


@pytest.mark.parametrize("kind", CELL_KINDS, ids=lambda kind: kind.fixture)
def test_every_kind_has_its_fixture(kind: CellKind) -> None:
    assert hasattr(servers, kind.fixture) or hasattr(tls, kind.fixture)
