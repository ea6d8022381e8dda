"""Every requirement of RFC 9110 and RFC 9112: one entry per sentence with a BCP 14 keyword.

The index is built from the RFCs' XML by ``python -m harness.requirements.build`` (that
module says how sentences are cut and what "binds" means) and committed as ``rfc9110.json``
and ``rfc9112.json``, so a checkout without ../shared reads the same index. ``INDEX`` maps an
id ("9112-6.3-2": RFC, section, counter within the section) to its :class:`Requirement`;
:func:`quoted` finds the requirements a quotation of the RFC holds.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from dataclasses import dataclass
from pathlib import Path

RFCS = (9110, 9112)
# The BCP 14 keywords, strongest first (RFC 2119: REQUIRED and SHALL mean MUST, RECOMMENDED
# means SHOULD, OPTIONAL means MAY); a requirement lists its keywords in this order.
KEYWORDS = (
    "MUST",
    "MUST NOT",
    "REQUIRED",
    "SHALL",
    "SHALL NOT",
    "SHOULD",
    "SHOULD NOT",
    "RECOMMENDED",
    "NOT RECOMMENDED",
    "MAY",
    "OPTIONAL",
)
_GRADES = {"MUST": KEYWORDS[:5], "SHOULD": KEYWORDS[5:9], "MAY": KEYWORDS[9:]}
# A keyword in plain text: how a quotation's requirement sentences are told from the others.
_KEYWORD = re.compile(r"\b(?:MUST|REQUIRED|SHALL|SHOULD|RECOMMENDED|MAY|OPTIONAL)\b")


@dataclass(frozen=True)
class Requirement:
    id: str  # "9112-6.3-2"
    rfc: int
    section: str  # "6.3", "C.2.2"
    title: str  # the section's title
    keywords: tuple[str, ...]  # as written, the strongest first
    sentence: str  # as the RFC states it, whitespace normalised
    binds: tuple[str, ...]  # whom the sentence names before its keywords ("server", ...)
    scope: str | None  # "cache" or "intermediary" where it binds only those

    @property
    def level(self) -> str:
        """MUST, SHOULD or MAY: the grade of the strongest keyword."""
        return next(grade for grade, words in _GRADES.items() if self.keywords[0] in words)

    @property
    def reference(self) -> str:
        return f"RFC {self.rfc} §{self.section}"


def data_file(rfc: int) -> Path:
    """The committed index file of ``rfc``."""
    return Path(str(importlib.resources.files(__name__))) / f"rfc{rfc}.json"


def _load() -> dict[str, Requirement]:
    index: dict[str, Requirement] = {}
    for rfc in RFCS:
        for entry in json.loads(data_file(rfc).read_text(encoding="utf-8")):
            entry["keywords"] = tuple(entry["keywords"])
            entry["binds"] = tuple(entry["binds"])
            index[entry["id"]] = Requirement(**entry)
    return index


INDEX = _load()


class NotInIndex(ValueError):
    """A quoted requirement sentence that the index does not hold."""


def quoted(text: str) -> tuple[str, ...]:
    """The ids of the requirement sentences ``text`` quotes, in order. A quotation may run
    over several sentences and go on past a sentence that ends with ":" before a list or
    grammar; every keyword in it must lie in a whole sentence of the index, else
    :class:`NotInIndex` names the first that does not."""
    normal = " ".join(text.split())
    covered = [False] * len(normal)
    found: list[tuple[int, str]] = []
    for requirement in INDEX.values():
        start = normal.find(requirement.sentence)
        if start >= 0:
            found.append((start, requirement.id))
            covered[start : start + len(requirement.sentence)] = [True] * len(requirement.sentence)
    for keyword in _KEYWORD.finditer(normal):
        if not covered[keyword.start()]:
            raise NotInIndex(
                f"{keyword[0]} in {normal!r} (character {keyword.start()}) is in no whole "
                "requirement sentence of the index: quote the RFC's sentence exactly"
            )
    return tuple(identifier for _, identifier in sorted(found))


# RFC 9110 §2.4: "A recipient MUST interpret a received protocol element according to the
# semantics defined for it by this specification, ..." What binds a recipient to a rule the
# RFCs state without a keyword: a framing rule, a grammar, the case of a name.
INTERPRET = "9110-2.4-1"


class Definition(str):
    """A sentence of the RFC without a keyword (a definition: "HTTP-version is
    case-sensitive."), carrying the ids of the requirements that enforce it, so that the
    sentence and what binds it are written once, where the sentence is."""

    binding: tuple[str, ...]

    def __new__(cls, text: str, binding: tuple[str, ...]) -> Definition:
        definition = super().__new__(cls, text)
        definition.binding = binding
        return definition


def tied(quotation: str) -> tuple[str, ...]:
    """The ids a catalogue entry checks: those its quotation holds, or, for a
    :class:`Definition`, those that bind it. A plain quotation that holds no requirement
    sentence, or a Definition that holds one, is refused (ValueError)."""
    ids = quoted(quotation)
    binding = quotation.binding if isinstance(quotation, Definition) else ()
    if ids and binding:
        raise ValueError(f"the quotation names {list(ids)}: it is no Definition")
    if not (ids or binding):
        raise ValueError(
            "the quotation holds no requirement sentence: quote it as a Definition with the "
            "requirements that bind it"
        )
    return ids or binding
