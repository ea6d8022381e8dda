"""Implementations beyond this package's own (harness/registry.py: BUILTIN), from three places
(docs/adding-an-implementation.md):

- entry points ``http_interop.servers`` / ``http_interop.clients`` of installed packages,
  each naming a :class:`harness.implementation.Implementation`;
- implementation files (``--impls FILE``, and the examples' ``implementations.toml``), TOML
  with ``[[server]]`` and ``[[client]]`` tables;
- ``--server-cmd NAME=COMMAND`` and ``--client-cmd NAME=COMMAND`` on the command line
  (``NAME[CAPABILITY,...]=COMMAND`` declares what it lacks).

Every problem is an :class:`ExtensionError` that says where it is and what is valid.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

from harness.implementation import Capability, ClientProtocol, Implementation, Kind, Ready
from harness.registry import Registry

ENTRY_POINT_GROUPS = {Kind.SERVER: "http_interop.servers", Kind.CLIENT: "http_interop.clients"}
_KEYS = {
    "name",
    "description",
    "package",
    "command",
    "tls_args",
    "ready",
    "protocol",
    "program",
    "lacks",
    "provides",
    "needs",
}


class ExtensionError(ValueError):
    """A declared implementation that cannot be used; the message says where and why."""


def entry_point_implementations() -> list[Implementation]:
    """Every implementation that installed packages declare through entry points."""
    found = []
    for kind, group in ENTRY_POINT_GROUPS.items():
        # By name: the matrix's order must not depend on how pip laid out site-packages.
        points = sorted(importlib.metadata.entry_points(group=group), key=lambda e: e.name)
        for entry_point in points:
            where = f"entry point {entry_point.name!r} ({entry_point.value}) in group {group}"
            try:
                impl = entry_point.load()
            except Exception as exc:  # a broken third-party package: say which
                raise ExtensionError(f"{where} cannot be loaded: {exc!r}") from None
            if not isinstance(impl, Implementation) or impl.kind is not kind:
                raise ExtensionError(
                    f"{where} must name a harness.implementation.Implementation of kind {kind}, "
                    f"not {impl!r}"
                )
            found.append(dataclasses.replace(impl, origin=f"entry point {entry_point.value}"))
    return found


def load_file(path: Path) -> list[Implementation]:
    """The implementations a TOML file declares (see the module docstring)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExtensionError(f"{path}: cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ExtensionError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - {"server", "client"}
    if unknown:
        raise ExtensionError(
            f"{path}: unknown table(s) {sorted(unknown)}; only [[server]] and [[client]]"
        )
    found = []
    for kind in (Kind.SERVER, Kind.CLIENT):
        entries = data.get(str(kind), [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ExtensionError(f"{path}: '{kind}' must be an array of tables, [[{kind}]]")
        for index, entry in enumerate(entries, 1):
            impl = _parse(entry, kind, f"{path}: [[{kind}]] number {index}")
            found.append(_with_here(impl, path.resolve().parent))
    return found


def _with_here(impl: Implementation, here: Path) -> Implementation:
    """``{here}`` in a command (and in the paths of ``needs``) is the folder of the file that
    declares it, so that a file's commands work from any working directory."""

    def fill(argv: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(part.replace("{here}", str(here)) for part in argv)

    needs = {key: path.replace("{here}", str(here)) for key, path in impl.needs.items()}
    return dataclasses.replace(
        impl, command=fill(impl.command), tls_args=fill(impl.tls_args), needs=needs
    )


# An external client keeps no connection from one request to the next, in either protocol
# (docs/contract.md, external clients); the request's proxy field is for a program whose
# implementations file ``provides`` "proxy".
_EXTERNAL_CLIENT = {
    Capability.PERSISTENT_CONNECTIONS: (
        "an external client keeps no connection from one request to the next"
    ),
    Capability.PROXY: 'its implementations file does not say it provides "proxy" (the '
    "request's proxy field, docs/contract.md)",
}


def _external_lacks(provides: frozenset[Capability]) -> dict[Capability, str]:
    """What an external client lacks unless its implementations file ``provides`` it."""
    return {key: why for key, why in _EXTERNAL_CLIENT.items() if key not in provides}


def _parse(entry: dict[str, Any], kind: Kind, where: str) -> Implementation:
    def problem(message: str) -> ExtensionError:
        name = entry.get("name")
        return ExtensionError(f"{where}{f' ({name})' if name else ''}: {message}")

    unknown = set(entry) - _KEYS
    if unknown:
        raise problem(f"unknown key(s) {sorted(unknown)}; allowed: {', '.join(sorted(_KEYS))}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise problem("'name' is missing")
    command = entry.get("command")
    if not _is_argv(command) or not command:
        raise problem("'command' must be a non-empty array of strings (an argv)")
    tls_args = entry.get("tls_args", [])
    if not _is_argv(tls_args):
        raise problem("'tls_args' must be an array of strings")
    try:
        ready = Ready(entry.get("ready", Ready.LINE))
    except ValueError:
        raise problem(f"'ready' must be one of {', '.join(Ready)}") from None
    if "protocol" in entry and kind is not Kind.CLIENT:
        raise problem("'protocol' is for a [[client]] only (how the harness talks to it)")
    try:
        protocol = ClientProtocol(entry.get("protocol", ClientProtocol.ONE_SHOT))
    except ValueError:
        raise problem(f"'protocol' must be one of {', '.join(ClientProtocol)}") from None
    lacks = entry.get("lacks", {})
    provides = entry.get("provides", [])
    needs = entry.get("needs", {})
    for key, table in (("lacks", lacks), ("needs", needs)):
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise problem(f"'{key}' must be a table of capability = \"text\"")
    try:
        lacks = {capability(key): reason for key, reason in lacks.items()}
        provides = frozenset(capability(value) for value in provides)
        needs = {capability(key): path for key, path in needs.items()}
    except ExtensionError as exc:
        raise problem(str(exc)) from None
    return Implementation(
        name=name,
        kind=kind,
        description=str(entry.get("description", f"external {kind}: {shlex.join(command)}")),
        package=str(entry.get("package", "")),
        command=tuple(command),
        tls_args=tuple(tls_args),
        ready=ready,
        protocol=protocol,
        program=entry.get("program"),
        lacks={**(_external_lacks(provides) if kind is Kind.CLIENT else {}), **lacks},
        provides=provides,
        needs=needs,
        origin=where.split(": ")[0],
    )


def capability(name: str) -> Capability:
    """The capability of that name; an unknown one is an error listing the valid names."""
    try:
        return Capability(name)
    except ValueError:
        raise ExtensionError(
            f"{name!r} is not a capability; capabilities are: {', '.join(Capability)}"
        ) from None


def _is_argv(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(part, str) for part in value)


# NAME=COMMAND, or NAME[CAPABILITY,...]=COMMAND: the name stops at the first "[" or "=".
_OPTION = re.compile(r"(?P<name>[^=\[\]]*)(?:\[(?P<lacks>[^\]]*)\])?=(?P<command>.*)", re.DOTALL)


def from_option(kind: Kind, text: str) -> Implementation:
    """``NAME=COMMAND`` from --server-cmd / --client-cmd; COMMAND is split as a shell would.
    ``NAME[CAPABILITY,...]=COMMAND`` declares the capabilities it lacks (a client that cannot
    send a chunked upload: ``mini[chunked-request]=...``), so their cells are skipped.

    A server given so serves plain HTTP only (its https cells are skipped): an
    implementations file declares the ``tls_args`` that make it serve HTTPS.
    """
    option = f"--{kind}-cmd"
    found = _OPTION.fullmatch(text)
    if not found or not found["name"].strip() or not found["command"].strip():
        raise ExtensionError(
            f"{option} {text!r}: expected NAME=COMMAND or NAME[CAPABILITY,...]=COMMAND"
        )
    name, command = found["name"].strip(), found["command"]
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ExtensionError(f"{option} {text!r}: cannot split the command: {exc}") from None
    try:
        declared = {
            capability(part.strip()): f"declared lacking by {option}"
            for part in (found["lacks"] or "").split(",")
            if part.strip()
        }
    except ExtensionError as exc:
        raise ExtensionError(f"{option} {text!r}: {exc}") from None
    return Implementation(
        name=name,
        kind=kind,
        description=f"external {kind}: {command.strip()}",
        package="",
        command=tuple(argv),
        # An external client keeps no connection from one request to the next.
        lacks={**(_external_lacks(frozenset()) if kind is Kind.CLIENT else {}), **declared},
        origin=option,
    )


def register_all(registry: Registry, files: list[Path], options: dict[Kind, list[str]]) -> None:
    """Add every declared implementation to ``registry``; a duplicate name is an error."""
    declared = entry_point_implementations()
    for path in files:
        declared += load_file(path)
    for kind, texts in options.items():
        declared += [from_option(kind, text) for text in texts]
    for impl in declared:
        try:
            registry.add(impl)
        except ValueError as exc:
            raise ExtensionError(str(exc)) from None
