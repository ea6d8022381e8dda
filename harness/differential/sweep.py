"""A corpus of probes against every started server: each probe to all servers at once (one
thread a server, a fresh connection a probe), the disagreements found, and their JSON
report (smuggling-relevant first)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from harness.implementation import Capability, Kind
from harness.launcher import LaunchError, ServerProcess, start_server
from harness.model import Target
from harness.registry import REGISTRY

from .groups import Disagreement, disagreement
from .record import HANDLED_WITHOUT_ECHO, Interpretation, Probe, interpret


def default_servers() -> list[str]:
    """Every registered server that can run and either serves /echo (docs/contract.md:
    the interpretation record is /echo's report) or is one whose handler's answers are
    known (record.HANDLED_WITHOUT_ECHO: what it saw is unknown, normalise rule 9)."""
    return [
        impl.name
        for impl in REGISTRY.all()
        if impl.kind is Kind.SERVER
        and impl.unavailable() is None
        and (
            impl.cannot(Capability.CONTRACT_ENDPOINTS) is None or impl.name in HANDLED_WITHOUT_ECHO
        )
    ]


@contextlib.contextmanager
def started(names: Sequence[str]) -> Iterator[tuple[dict[str, Target], dict[str, str]]]:
    """Start ``names`` at once; yields the targets of those that started and, for the
    others, the launcher's one line. Every started server is stopped on the way out."""
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="differential") as pool:
        futures = {name: pool.submit(start_server, name) for name in names}
        running: dict[str, ServerProcess] = {}
        failed: dict[str, str] = {}
        for name, future in futures.items():
            try:
                running[name] = future.result()  # launch() has its own deadline
            except LaunchError as exc:
                failed[name] = str(exc)
        try:
            yield {name: server.target for name, server in running.items()}, failed
        finally:
            list(pool.map(lambda server: server.stop(), running.values()))


def records(probe: Probe, targets: Mapping[str, Target]) -> dict[str, Interpretation]:
    """Every server's interpretation of ``probe``, sent to all of them at once."""
    with ThreadPoolExecutor(max_workers=max(len(targets), 1)) as pool:
        futures = {name: pool.submit(interpret, probe, t, name) for name, t in targets.items()}
        return {name: future.result() for name, future in futures.items()}


@dataclass(frozen=True)
class Sweep:
    servers: tuple[str, ...]
    probes: int
    disagreements: tuple[Disagreement, ...]  # smuggling-relevant first, then in corpus order


def sweep(probes: Sequence[Probe], targets: Mapping[str, Target]) -> Sweep:
    found = [d for p in probes if (d := disagreement(p, records(p, targets))) is not None]
    found.sort(key=lambda d: not d.smuggling_relevant)  # stable: corpus order within
    return Sweep(tuple(targets), len(probes), tuple(found))


def escaped(data: bytes) -> str:
    """Bytes as readable text: printable ASCII as is, CR and LF as \\r \\n, others \\xNN."""
    return repr(data)[2:-1]


def as_json(result: Sweep) -> dict[str, Any]:
    """The report: servers, how many probes, and each disagreement with its groups."""
    return {
        "servers": list(result.servers),
        "probes": result.probes,
        "disagreements": [
            {
                "id": d.probe.id,
                "request": escaped(d.probe.wire()),
                "smuggling_pairs": [list(pair) for pair in d.smuggling_pairs],
                "groups": [
                    {"servers": list(g.servers), "interpretation": g.interpretation.describe()}
                    for g in d.groups
                ],
            }
            for d in result.disagreements
        ],
    }


def render(result: Sweep) -> list[str]:
    """The terminal's account: a line per disagreement and one per group under it."""
    lines = [
        f"{len(result.disagreements)} of {result.probes} requests read differently by "
        f"{len(result.servers)} servers ({sum(d.smuggling_relevant for d in result.disagreements)}"
        " smuggling-relevant)"
    ]
    for d in result.disagreements:
        flag = " SMUGGLING-RELEVANT " + ", ".join(" vs ".join(p) for p in d.smuggling_pairs)
        lines.append(f"{d.probe.id}:{flag if d.smuggling_relevant else ''}")
        lines += [f"  {', '.join(g.servers)}: {g.interpretation.describe()}" for g in d.groups]
    return lines
