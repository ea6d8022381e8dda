"""What the reports make of a results document's cells: keys, labels, statuses.

Reading and checking a results file is ``harness.results`` (one description of the record).
"""

from __future__ import annotations

from harness.results import SELECTING_OPTIONS, Document, Outcome

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


def selection_label(selection: Document) -> str:
    """ "the full matrix", or the arguments that narrowed it (a shard's among them)."""
    shard = selection.get("shard")
    if selection["full"]:
        return f"shard {shard} of the full matrix" if shard else "the full matrix"
    return f"partial: {_given(selection)}"


def _given(selection: Document) -> str:
    """The selection's arguments as typed: "suites/test_methods.py -k get --server flask"."""
    words = list(selection["paths"])
    words += [f"-k {selection['keyword']!r}"] if selection["keyword"] else []
    words += [f"-m {selection['markers']!r}"] if selection["markers"] else []
    for name in SELECTING_OPTIONS:
        words += [f"--{name} {value}" for value in selection[name]]
    words += [f"--shard {selection['shard']}"] if selection.get("shard") else []
    return " ".join(words) or "the default paths"


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


def run_notes(document: Document) -> list[str]:
    """What a reader must know before reading any count: that the run was partial (what it
    selected) or interrupted (why, and how many of its cells ran). Empty for a full run that
    ran to its end."""
    run, ran = document["run"], len(document["cells"])
    selection, notes = run["selection"], []
    if not selection["full"] or selection.get("shard"):
        notes.append(
            f"Partial run ({_given(selection)}): {_count(selection['selected'])} cells "
            f"selected, {_count(selection['deselected'])} deselected; the counts cover "
            "these cells only, not the full matrix."
        )
    if run["interrupted"]:
        notes.append(
            f"Interrupted ({run['interrupted']}; exit status {run['exit_status']}): "
            f"{ran} of {_count(selection['selected'])} selected cells ran."
        )
    return notes
