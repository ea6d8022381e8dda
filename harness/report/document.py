"""What the reports make of a results document's cells: keys, labels, statuses.

Reading and checking a results file is ``harness.results`` (one description of the record).
"""

from __future__ import annotations

from harness.results import Document, Outcome

CellKey = tuple[str, str, str, str]  # (case, server, client, transport): stable across runs


def key(cell: Document) -> CellKey:
    return (cell["case"], cell["server"] or "", cell["client"] or "", cell["transport"])


def describe_key(cell_key: CellKey) -> str:
    """``case [server x client, transport]``, naming the probe or scripted server."""
    case, server, client, transport = cell_key
    return f"{case} [{pairing_label(server or None, client or None, transport)}]"


def pairing_label(server: str | None, client: str | None, transport: str) -> str:
    if server and client:
        return f"{server} x {client}, {transport}"
    if server:
        return f"{server} (probed by the harness), {transport}"
    return f"{client} (against a scripted server), {transport}"


def status(cell: Document) -> str:
    """What a report shows for a cell: its outcome, but "insecure" for a pass obtained with
    certificate verification turned off, which is no ordinary pass."""
    if cell["outcome"] == Outcome.PASS and cell.get("insecure"):
        return "insecure"
    return cell["outcome"]
