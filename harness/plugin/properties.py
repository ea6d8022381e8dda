"""The properties a cell's reports carry (``user_properties``): pytest-xdist sends them
with each report from a worker to the controller, where the recorder reads them."""

from __future__ import annotations

from harness.cases import Case
from harness.model import Pairing

# The cell's metadata, one property each (the results record's fields of the same names).
CELL = (
    *("case", "suite", "rfc", "level", "requirement", "requirement_ids"),
    *("server", "client", "transport"),
)
DEVIATION = "deviation"  # the known deviation that covers the cell, as JSON
MESSAGE = "message"  # the failure message
FIXED = "fixed_deviation"  # a strict xfail that passed
TRANSCRIPT = "transcript"  # what went over the wire, for a check that raised
START_FAILURE = "start_failure"  # the one line of a server the cell needed that did not start
BLAME = "blame"  # the side an unlisted interop failure's evidence points to (harness/blame.py)
# Recorded by the suites (record_property):
OBSERVED = "observed"  # data beside the verdict
INSECURE = "insecure"  # a cell run with certificate verification disabled
WARN = "warn"  # a pass the RFC advises against (a SHOULD not followed): what the server did


def of_cell(case: Case, pairing: Pairing) -> list[tuple[str, object]]:
    """The cell's metadata properties ("" for the side its pairing does not have)."""
    values = [case.id, case.suite, case.rfc, str(case.level), case.sentence]
    values.append(" ".join(case.requirement_ids))  # a string, as every property travels
    values += [pairing.server or "", pairing.client or "", pairing.transport]
    return list(zip(CELL, values, strict=True))
