"""A cell's runs: the transcript a failed one leaves (harness/cells.py keeps the records),
and ``--repeat N``, which runs each cell N times so the results show which ones vary."""

from __future__ import annotations

from collections.abc import Generator

import pytest

# pytest has no public way to run an item's protocol again (pytest-rerunfailures and
# pytest-repeat's peers import it the same way).
from _pytest.runner import runtestprotocol

from harness.plugin import properties
from harness.plugin.options import cell_of


def _transcript(item: pytest.Item) -> str:
    """The transcript of the cell's fixture value ("" for a kind that keeps none)."""
    found = cell_of(item)
    if found is None or found.kind.transcript is None:
        return ""
    value = getattr(item, "funcargs", {}).get(found.kind.fixture)
    return "" if value is None else found.kind.transcript(value)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Attach the transcript of a cell whose check raised (a skip is no check)."""
    # A repeated cell keeps only its latest run's transcript.
    item.user_properties[:] = [p for p in item.user_properties if p[0] != properties.TRANSCRIPT]
    try:
        return (yield)
    except pytest.skip.Exception:
        raise
    except BaseException:
        text = _transcript(item)
        if text:
            item.user_properties.append((properties.TRANSCRIPT, text))
        raise


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    """--repeat N: run each test N times in a row (its function-scoped fixtures afresh each
    time), so that the results mark the cells whose outcome varied as flaky."""
    count = item.config.getoption("repeat")
    if count == 1:
        return None  # pytest's own protocol
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for number in range(count):
        # Until the last run, "next" is the item's parent: teardown then stops there, so the
        # item's own fixtures end (and the next run sets them up afresh) while the module's
        # and the session's, such as the running servers, stay up.
        between = nextitem if number == count - 1 else item.parent
        # runtestprotocol's teardown takes any node as "next" (SetupState.teardown_exact),
        # though its signature says Item.
        runtestprotocol(item, nextitem=between, log=True)  # type: ignore[arg-type]
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True
