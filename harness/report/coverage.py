"""Coverage of RFC 9110 and RFC 9112: which requirements of the index (harness/requirements)
the cases of a results file check, and how their cells ended.

A requirement *has a case* when a case of the results file names its id (each cell carries
its case's ``requirement_ids``), whatever its cells' outcomes: the outcomes are shown beside
it. The totals count requirements per RFC, per level (the grade of the strongest keyword:
MUST for MUST, MUST NOT, REQUIRED, SHALL; SHOULD for SHOULD, SHOULD NOT, RECOMMENDED; MAY for
MAY, OPTIONAL) and per role the sentence binds (``ROLES``; a sentence naming two roles counts
under each). Requirements that bind only intermediaries or caches (``Requirement.scope``)
stay in the listing but are counted apart, never in the totals nor in ``--untested``: the
harness runs servers and clients, no proxy or cache, so no suite here could check them.

``build`` makes the model, ``text`` and ``as_json`` what ``python -m harness coverage``
prints, ``headlines`` the summary's lines, and ``render`` the coverage page of the HTML report.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from harness.cases import Level
from harness.report import scores
from harness.report.document import run_notes
from harness.report.html import ENVIRONMENT
from harness.requirements import INDEX, RFCS, Requirement
from harness.results import Document

LEVELS = tuple(str(level) for level in Level)
# Whom a requirement binds, as the totals group them (Requirement.binds holds the RFC's
# words); the intermediary and cache roles are the scope counted apart.
ROLES = (
    ("servers", ("server", "origin server")),
    ("clients", ("client", "user agent")),
    ("senders", ("sender",)),
    ("recipients", ("recipient",)),
)
NO_SUBJECT = "no subject named"  # the sentence names nobody before its keyword
ALL = "all"


@dataclass(frozen=True)
class CaseCoverage:
    """A case that checks a requirement, and its cells' statuses over every implementation."""

    case: str
    counts: scores.Tally

    @property
    def outcomes(self) -> dict[str, int]:
        """Every status that occurred, in display order: {"pass": 3, "known": 1}."""
        return {s: self.counts[s] for s in scores.STATUSES if self.counts[s]}

    @property
    def listed(self) -> str:
        return ", ".join(f"{count} {s}" for s, count in self.outcomes.items())

    @property
    def colour(self) -> str:
        """The colour the reports give its tally (scores.outcome)."""
        return scores.outcome(self.counts)


@dataclass(frozen=True)
class RequirementCoverage:
    requirement: Requirement
    cases: tuple[CaseCoverage, ...]

    @property
    def counted(self) -> bool:
        """Whether it counts in the totals: it binds more than intermediaries or caches."""
        return self.requirement.scope is None

    @property
    def roles(self) -> tuple[str, ...]:
        binds = self.requirement.binds
        named = tuple(role for role, words in ROLES if set(words) & set(binds))
        return named or (NO_SUBJECT,)

    @property
    def untested(self) -> bool:
        """Counted, and no case names it: what the next suite is chosen from."""
        return self.counted and not self.cases


@dataclass(frozen=True)
class Count:
    covered: int
    total: int

    def __str__(self) -> str:
        return f"{self.covered}/{self.total}"


def _count(rows: list[RequirementCoverage]) -> Count:
    return Count(sum(1 for row in rows if row.cases), len(rows))


@dataclass(frozen=True)
class SectionCoverage:
    rfc: int
    section: str
    title: str
    requirements: tuple[RequirementCoverage, ...]

    @property
    def reference(self) -> str:
        return f"RFC {self.rfc} §{self.section}"


@dataclass(frozen=True)
class RfcCoverage:
    rfc: int
    sections: tuple[SectionCoverage, ...]

    @property
    def requirements(self) -> list[RequirementCoverage]:
        return [row for section in self.sections for row in section.requirements]

    def count(self, level: str, role: str = ALL) -> Count:
        """Counted requirements of ``level`` (binding ``role``) that have a case."""
        return _count(
            [
                row
                for row in self.requirements
                if row.counted
                and row.requirement.level == level
                and (role == ALL or role in row.roles)
            ]
        )

    @property
    def outside(self) -> Count:
        """The requirements on intermediaries or caches only, counted apart."""
        return _count([row for row in self.requirements if not row.counted])

    @property
    def headline(self) -> str:
        """ "RFC 9112: 22 of 75 MUST-level requirements have a case; 5 of 27 SHOULD-level; 2 of
        19 MAY-level (not counted: 11 on intermediaries or caches only, 0 of them with a case)"."""
        counts = {level: self.count(level) for level in LEVELS}
        parts = [f"{c.covered} of {c.total} {level}-level" for level, c in counts.items()]
        parts[0] += " requirements have a case"
        outside = self.outside
        return (
            f"RFC {self.rfc}: {'; '.join(parts)} (not counted: {outside.total} on intermediaries "
            f"or caches only, {outside.covered} of them with a case)"
        )

    @property
    def table(self) -> list[tuple[str, list[Count]]]:
        """Rows of (role, a count per level): every counted requirement, then each role."""
        roles = [ALL, *(role for role, _ in ROLES), NO_SUBJECT]
        return [(role, [self.count(level, role) for level in LEVELS]) for role in roles]


@dataclass
class Coverage:
    rfcs: list[RfcCoverage]
    cases: int  # cases in the results file
    tied: int  # of those, the cases that name requirement ids
    # Ids the cells name that this harness's index does not hold (a file from another
    # version of the index), with the cases naming them.
    unknown: dict[str, list[str]] = field(default_factory=dict)


def build(document: Document) -> Coverage:
    """The coverage of the index by the cases of a results document."""
    cells_of: dict[str, list[Document]] = defaultdict(list)
    for cell in document["cells"]:
        cells_of[cell["case"]].append(cell)
    cases_of: dict[str, list[CaseCoverage]] = defaultdict(list)
    unknown: dict[str, list[str]] = defaultdict(list)
    tied = 0
    for case, cells in sorted(cells_of.items()):
        ids = sorted({i for cell in cells for i in cell.get("requirement_ids", [])})
        tied += bool(ids)
        checked = CaseCoverage(case, scores.tally(cells))
        for identifier in ids:
            if identifier in INDEX:
                cases_of[identifier].append(checked)
            else:
                unknown[identifier].append(case)
    rfcs = []
    for rfc in RFCS:
        mine = [r for r in INDEX.values() if r.rfc == rfc]
        sections = [
            SectionCoverage(
                rfc,
                section,
                group[0].title,
                tuple(RequirementCoverage(r, tuple(cases_of[r.id])) for r in group),
            )
            for section, grouped in itertools.groupby(mine, key=lambda r: r.section)
            for group in [list(grouped)]
        ]
        rfcs.append(RfcCoverage(rfc, tuple(sections)))
    return Coverage(rfcs, len(cells_of), tied, dict(unknown))


def headlines(document: Document) -> list[str]:
    """One line per RFC: its requirements with a case, per level."""
    return [rfc.headline for rfc in build(document).rfcs]


# -- python -m harness coverage


def _preamble(document: Document, coverage: Coverage) -> list[str]:
    lines = [
        f"{coverage.tied} of {coverage.cases} cases in this results file name requirements of "
        "the index; requirements binding only intermediaries or caches are listed but not "
        "counted (no proxy or cache is tested).",
        *run_notes(document),
    ]
    if not coverage.tied:
        lines.append(
            "No cell names a requirement id (a results file of schema version 3, or cases "
            "not yet tied to the index): every requirement shows as without a case."
        )
    lines += [
        f"Not in this harness's index: {identifier} (named by {', '.join(cases)})"
        for identifier, cases in sorted(coverage.unknown.items())
    ]
    return lines


def _totals(rfc: RfcCoverage) -> list[str]:
    head = "with a case / counted"
    width = max(len(head), *(len(role) for role, _ in rfc.table))
    lines = [f"  {head:<{width}}  " + "".join(f"{level:>10}" for level in LEVELS)]
    for role, counts in rfc.table:
        lines.append(f"  {role:<{width}}  " + "".join(f"{c!s:>10}" for c in counts))
    return lines


def _binds(row: RequirementCoverage) -> str:
    scope = f" [{row.requirement.scope} only, not counted]" if not row.counted else ""
    return (", ".join(row.requirement.binds) or NO_SUBJECT) + scope


def text(document: Document, untested: bool = False) -> list[str]:
    """What ``coverage`` prints: the totals per RFC, then per section each requirement (its
    keywords, whom it binds, the sentence) and the cases that check it with their outcomes;
    with ``untested``, only the counted requirements no case checks."""
    coverage = build(document)
    lines = _preamble(document, coverage)
    for rfc in coverage.rfcs:
        lines += ["", rfc.headline, *_totals(rfc)]
        for section in rfc.sections:
            rows = [r for r in section.requirements if r.untested or not untested]
            if not rows:
                continue
            covered = _count([r for r in section.requirements if r.counted])
            lines += ["", f"{section.reference} {section.title} ({covered} with a case)"]
            for row in rows:
                requirement = row.requirement
                lines.append(
                    f"  {requirement.id}  {' / '.join(requirement.keywords)}  {_binds(row)}: "
                    f"{requirement.sentence}"
                )
                if not untested:
                    lines += [f"      {c.case}: {c.listed}" for c in row.cases] or ["      no case"]
        if untested:
            lines += ["", f"Not listed: {_outside(rfc)}"]
    return lines


def _outside(rfc: RfcCoverage) -> str:
    scopes: dict[str, int] = defaultdict(int)
    for row in rfc.requirements:
        if not row.counted:
            scopes[str(row.requirement.scope)] += 1
    parts = ", ".join(f"{count} {scope} only" for scope, count in sorted(scopes.items()))
    return f"RFC {rfc.rfc}'s requirements binding only intermediaries or caches ({parts or 0})."


def as_json(document: Document, untested: bool = False) -> dict[str, Any]:
    """The same for machines (``--json``): totals per RFC, level and role; per requirement
    its fields and cases (each case's cell statuses)."""
    coverage = build(document)
    return {
        "cases": coverage.cases,
        "cases_with_requirements": coverage.tied,
        "notes": run_notes(document),
        "unknown_ids": coverage.unknown,
        "rfcs": [
            {
                "rfc": rfc.rfc,
                "headline": rfc.headline,
                "totals": [
                    {"role": role, "level": level, "covered": c.covered, "counted": c.total}
                    for role, counts in rfc.table
                    for level, c in zip(LEVELS, counts, strict=True)
                ],
                "not_counted": {"covered": rfc.outside.covered, "total": rfc.outside.total},
                "requirements": [
                    {
                        "id": row.requirement.id,
                        "section": row.requirement.section,
                        "title": row.requirement.title,
                        "level": row.requirement.level,
                        "keywords": list(row.requirement.keywords),
                        "binds": list(row.requirement.binds),
                        "scope": row.requirement.scope,
                        "counted": row.counted,
                        "sentence": row.requirement.sentence,
                        "cases": [{"case": c.case, "outcomes": c.outcomes} for c in row.cases],
                    }
                    for row in rfc.requirements
                    if row.untested or not untested
                ],
            }
            for rfc in coverage.rfcs
        ],
    }


# -- The coverage page of the HTML report


def render(document: Document, conformance: str = "conformance.html") -> str:
    """coverage.html: the same table as a page, linked with the matrix page ``conformance``
    (each case links to its rows there)."""
    coverage = build(document)
    return ENVIRONMENT.get_template("coverage.html.j2").render(
        run=document["run"],
        coverage=coverage,
        levels=LEVELS,
        preamble=_preamble(document, coverage),
        conformance=conformance,
        binds=_binds,
    )
