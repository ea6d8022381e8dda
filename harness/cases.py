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

from harness import requirements
from harness.implementation import Capability

F = TypeVar("F", bound=Callable[..., Any])
# pytest's record_property fixture: cells record data beside their verdict as "observed".
RecordProperty = Callable[[str, object], None]

_CASE_ID = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")
# One reference of a case's ``rfc``: "RFC 9112 §6.1", "§7.1" (the RFC named before it),
# "§2-3" (a range of sections), "Appendix C.2.2".
_REFERENCE = re.compile(
    r"(?:RFC (?P<rfc>\d+) )?"
    r"(?:§(?P<first>\d+)(?:-(?P<last>\d+))?(?P<sub>(?:\.\d+)*)"
    r"|Appendix (?P<appendix>[A-Z](?:\.\d+)*))"
)
# What --rfc takes: "9112 §6", "RFC 9112 §6", "9112 6", "9112" (the whole RFC).
_SECTION = re.compile(r"(?:RFC\s*)?(?P<rfc>\d+)(?:\s*§?\s*(?P<section>[0-9A-Z]+(?:\.\d+)*))?", re.I)
ATTRIBUTE = "http_interop_case"  # where the decorator leaves the Case on the function


class Level(enum.StrEnum):
    """Requirement levels (RFC 2119 / RFC 8174)."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


@dataclass(frozen=True)
class Section:
    """A section of an RFC (RFC 9112 §6.1: ``Section(9112, ("6", "1"))``); no parts is the
    whole RFC."""

    rfc: int
    parts: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Section:
        """A section as a person writes it: "9112 §6", "RFC 9112 §6", "9112 6" or "9112"."""
        match = _SECTION.fullmatch(text.strip())
        if match is None:
            raise ValueError(
                f"expected an RFC section like '9112 §6' ('RFC 9112 §6', '9112 6', or '9112' "
                f"for the whole RFC), got {text!r}"
            )
        section = match["section"]
        return cls(int(match["rfc"]), tuple(section.upper().split(".")) if section else ())

    def within(self, prefix: Section) -> bool:
        """Whether this section is ``prefix`` or one of its subsections (§6.1 is within §6,
        §60 is not)."""
        return self.rfc == prefix.rfc and self.parts[: len(prefix.parts)] == prefix.parts

    def __str__(self) -> str:
        return f"RFC {self.rfc}" + (f" §{'.'.join(self.parts)}" if self.parts else "")


def sections_of(rfc: str) -> tuple[Section, ...]:
    """The sections a case's ``rfc`` names ("RFC 9110 §15.3.5, §8.6; RFC 9112 §6.1")."""
    sections: list[Section] = []
    number: int | None = None
    for reference in re.split(r"[,;]", rfc):
        match = _REFERENCE.fullmatch(reference.strip())
        number = int(match["rfc"]) if match and match["rfc"] else number
        if match is None or number is None:
            raise ValueError(f"{reference.strip()!r} of {rfc!r} names no RFC section")
        if match["appendix"]:
            sections.append(Section(number, tuple(match["appendix"].split("."))))
            continue
        last = int(match["last"] or match["first"])
        for top in range(int(match["first"]), last + 1):
            sections.append(Section(number, (str(top), *match["sub"].split(".")[1:])))
    return tuple(sections)


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
    # The ids of the RFC 9110/9112 sentences it checks (harness/requirements), or, for a case
    # that checks none of them (TLS after RFC 8446/5280/6125), why not.
    requirement_ids: tuple[str, ...] = ()
    outside_index: str = ""
    # Whether ``requirement`` is the RFC's own text (a catalogue entry's quotation), shown as
    # written rather than replaced by the sentences of ``requirement_ids``.
    quotes: bool = False
    # The transports its cells run over, () for every one (the differential suite reads the
    # same bytes over TLS as without: its cells run over plain HTTP only).
    transports: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _CASE_ID.fullmatch(self.id):
            raise ValueError(f"case id {self.id!r} is not of the form 'suite.subject[.detail]'")
        unknown = [i for i in self.requirement_ids if i not in requirements.INDEX]
        if unknown:
            raise ValueError(f"case {self.id!r} names requirements not in the index: {unknown}")
        sections_of(self.rfc)  # a reference --rfc cannot read is a mistake in the case
        CATALOGUE.add(self)

    @property
    def sections(self) -> tuple[Section, ...]:
        return sections_of(self.rfc)

    @property
    def sentence(self) -> str:
        """What results and reports show as the requirement: the RFC's sentences the case
        checks, where it names them, else its own text; a quotation as written, followed by
        the sentences that bind it where it holds no keyword."""
        sentences = [requirements.INDEX[i].sentence for i in self.requirement_ids]
        if not self.quotes:
            return " ".join(sentences) or self.requirement
        quotation = " ".join(self.requirement.split())
        return " ".join([quotation, *(s for s in sentences if s not in quotation)])

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


class TableRow(Protocol):
    """A row of one of the data-driven tables (the probe catalogue, the response catalogue,
    the wire cases): an id, a level, the requirement sentence, and the Case it makes."""

    @property
    def id(self) -> str: ...
    @property
    def level(self) -> Level: ...
    @property
    def requirement(self) -> str: ...
    @property
    def case(self) -> Case: ...


def row_problems(rows: Iterable[TableRow], prefix: str, noun: str) -> dict[str, list[str]]:
    """What is wrong with each row of a table in what every table has (a unique id beginning
    with ``prefix``, a well-formed Case, a level, a requirement sentence), by the row's
    ``where`` ("entry 'probes.x'"); each table's validator adds its own checks."""
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    for row in rows:
        where = f"{noun} {row.id!r}"
        problems = found.setdefault(where, [])
        if row.id in seen:
            problems.append("the id is used twice")
        seen.add(row.id)
        if not row.id.startswith(prefix):
            problems.append(f"the id does not begin with {prefix!r}")
        try:
            row.case  # noqa: B018 -- the case checks the id's form and the RFC reference
        except ValueError as exc:
            problems.append(str(exc))
        if not isinstance(row.level, Level):
            problems.append(f"level {row.level!r} is not MUST, SHOULD or MAY")
        if not row.requirement.strip():
            problems.append("no requirement sentence")
    return found
