"""Case metadata: every conformance case has a stable id, an RFC section, a level and a text.

A :class:`Case` decorates the test function that checks it and carries its own assertion
helpers, so that every failure reads "expected X (RFC ...), got Y".
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from harness.registry import Capability

F = TypeVar("F", bound=Callable[..., Any])
# pytest's record_property fixture: cells record data beside their verdict as "observed".
RecordProperty = Callable[[str, object], None]

_CASE_ID = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")
ATTRIBUTE = "http_interop_case"  # where the decorator leaves the Case on the function


class Level(enum.StrEnum):
    """Requirement levels (RFC 2119 / RFC 8174)."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


class CheckFailed(AssertionError):
    """A conformance check failed: the implementation did not do what the RFC requires."""


@dataclass(frozen=True)
class Case:
    id: str  # "<suite>.<subject>...", e.g. "methods.head.no_body"
    rfc: str  # "RFC 9110 §9.3.2"
    level: Level
    requirement: str  # one line: what a conforming implementation does
    requires: tuple[Capability, ...] = ()  # capabilities every implementation in the cell needs
    # Whether the cell's server must serve the behaviour contract's endpoints (docs/contract.md);
    # False for cases that need no endpoint of it (a TLS handshake, static files).
    uses_contract: bool = True

    def __post_init__(self) -> None:
        if not _CASE_ID.fullmatch(self.id):
            raise ValueError(f"case id {self.id!r} is not of the form 'suite.subject[.detail]'")
        CATALOGUE.add(self)

    @property
    def suite(self) -> str:
        return self.id.split(".", 1)[0]

    def __call__(self, function: F) -> F:
        setattr(function, ATTRIBUTE, self)
        return function

    def failure(self, expected: str, got: object) -> CheckFailed:
        """The failure "expected X (RFC ...), got Y", for the caller to raise."""
        return CheckFailed(f"expected {expected} ({self.rfc}), got {got}")

    def expect(self, what: str, expected: object, got: object) -> None:
        """Fail unless ``got == expected``."""
        if got != expected:
            raise self.failure(f"{what} {expected!r}", repr(got))

    def expect_that(self, ok: bool, expected: str, got: object) -> None:
        """Fail unless ``ok``; ``expected`` says in words what should have held."""
        if not ok:
            raise self.failure(expected, got)


class Catalogue:
    """Every case defined so far, by id; an id may be defined only once."""

    def __init__(self) -> None:
        self._cases: dict[str, Case] = {}

    def add(self, case: Case) -> None:
        if case.id in self._cases and self._cases[case.id] != case:
            raise ValueError(f"case id {case.id!r} is defined twice")
        self._cases[case.id] = case

    def get(self, case_id: str) -> Case | None:
        return self._cases.get(case_id)

    def cases(self, suite: str | None = None) -> list[Case]:
        """Every case, or every case of ``suite``, in the order they were defined."""
        return [case for case in self._cases.values() if suite in (None, case.suite)]

    def suites(self) -> set[str]:
        return {case.suite for case in self._cases.values()}


CATALOGUE = Catalogue()


def case_of(function: Callable[..., Any]) -> Case | None:
    return getattr(function, ATTRIBUTE, None)


class Row(Protocol):
    """A row of a case family's table: its case, and the name of the test function that
    checks it (the pytest node id, kept from when each row was a function of its own)."""

    @property
    def test(self) -> str: ...

    @property
    def case(self) -> Case: ...


R = TypeVar("R", bound=Row)


def define_tests(
    namespace: MutableMapping[str, Any], rows: Iterable[R], check: Callable[[R], F]
) -> None:
    """One test function per row, ``check(row)`` decorated with the row's case, put in
    ``namespace`` (a suite module's ``globals()``) as ``row.test`` for pytest to collect."""
    for row in rows:
        function = row.case(check(row))
        function.__name__ = function.__qualname__ = row.test
        if row.test in namespace:
            raise ValueError(f"test {row.test!r} is defined twice")
        namespace[row.test] = function
