"""Build the requirements index from the RFCs' xml2rfc v3 sources.

``python -m harness.requirements.build [FOLDER]`` reads ``rfc9110.xml`` and ``rfc9112.xml``
from FOLDER (``../shared/rfc`` by default, the HTTP working group's sources) and writes
``rfc9110.json`` and ``rfc9112.json`` beside this module; the self-test rebuilds them and
compares.

One entry per sentence that holds a BCP 14 keyword (``<bcp14>``), every keyword of it listed,
the strongest first. The sentence is the text the RFC shows: cross-references rendered as
the published RFC renders them ("Section 6.3", "Section 5.6.1 of [HTTP]"), index marks
dropped, whitespace normalised. Paragraphs (``<t>``, a list item or a table cell without
paragraphs) are split into sentences after ".", "?" or "!" followed by whitespace and a
capital letter, an opening quote or parenthesis, except after "e.g." and "i.e.".
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from harness import requirements
from harness.requirements import KEYWORDS, RFCS, Requirement

X = "{http://purl.org/net/xml2rfc/ext}"
DEFAULT_SOURCES = Path(__file__).resolve().parents[2].parent / "shared" / "rfc"
# RFC 9111 (HTTP Caching) is cited by RFC 9110 but its source is not in ../shared/rfc: the
# section numbers of the anchors RFC 9110 refers to, as RFC 9111 is published.
RFC9111_SECTIONS = {
    "constructing.responses.from.caches": "4",
    "cache-response-directive.private": "5.2.2.7",
    "cache.control.extensions": "5.2.3",
    "caching.authenticated.responses": "3.5",
    "caching.negotiated.responses": "4.1",
    "calculating.freshness.lifetime": "4.2.1",
    "freshening.responses": "4.3.4",
    "head.effects": "4.3.5",
    "field.cache-control": "5.2",
    "cache-response-directive.no-transform": "5.2.2.6",
    "heuristic.freshness": "4.2.2",
    "incomplete.responses": "3.3",
    "invalidation": "4.4",
    "validation.received": "4.3.2",
    "expiration.model": "4.2",
    "security.considerations": "7",
}
# Keyword markers while a paragraph is split: private-use characters no RFC text holds.
_OPEN, _CLOSE = "\ue000", "\ue001"
_BLOCKS = {"t", "li", "dd", "dt", "td", "th"}
_SKIPPED = {"iref", "sourcecode", "artwork", "figure", "table", "x:anchor-alias"}
_SENTENCE_END = re.compile(r"(?<![ie]\.[ge]\.)(?<=[.?!])\s+(?=[A-Z\"(\[" + _OPEN + "])")
# Whom a sentence binds: the role named nearest before each keyword (in RFC style the
# keyword's subject); plural and singular forms, the longer name first.
_ROLES = (
    ("origin server", r"origin servers?"),
    ("user agent", r"user agents?"),
    ("server", r"servers?"),
    ("client", r"clients?"),
    ("sender", r"senders?"),
    ("recipient", r"recipients?"),
    ("proxy", r"prox(?:y|ies)"),
    ("intermediary", r"intermediar(?:y|ies)"),
    ("cache", r"caches?"),
)
_ROLE = re.compile(
    r"\b(?:" + "|".join(f"(?P<r{i}>{pattern})" for i, (_, pattern) in enumerate(_ROLES)) + r")\b",
    re.IGNORECASE,
)
_INTERMEDIARIES = {"proxy", "intermediary"}


class Document:
    """One RFC's source: its sections by anchor and the references it can point into."""

    def __init__(self, path: Path, others: dict[str, Document]) -> None:
        self.root = ET.parse(path).getroot()
        self.number = int(self.root.attrib["number"])
        self.others = others  # other RFCs' documents, by basename ("rfc9110")
        self.sections: dict[str, tuple[str, str]] = {}  # anchor -> (number, title)
        self.aliases: dict[str, str] = {}  # x:anchor-alias -> its section's number
        self.labels: dict[str, str] = {}  # other anchors (tables, figures) -> their counter
        self.display: dict[str, str] = {
            d.attrib["target"]: d.attrib["to"] for d in self.root.iter("displayreference")
        }
        self.external: dict[str, tuple[str, str]] = {}  # anchor -> (reference, basename)
        for reference in self.root.iter("reference"):
            for source in reference.iter(X + "source"):
                for has in source.iter(X + "has"):
                    self.external[has.attrib["anchor"]] = (
                        reference.attrib["anchor"],
                        source.attrib["basename"],
                    )
        middle = self.root.find("middle")
        back = self.root.find("back")
        assert middle is not None and back is not None
        self._number(middle, (), numeric=True)
        self._number(back, (), numeric=False)
        for kind, prefix in (("table", "Table"), ("figure", "Figure")):
            for count, element in enumerate(self.root.iter(kind), 1):
                if "anchor" in element.attrib:
                    self.labels[element.attrib["anchor"]] = f"{prefix} {count}"

    def _number(self, parent: ET.Element, prefix: tuple[str, ...], numeric: bool) -> None:
        count = 0
        for section in parent.findall("section"):
            if section.attrib.get("numbered") == "false":
                continue
            count += 1
            label = str(count) if prefix or numeric else chr(ord("A") + count - 1)
            parts = (*prefix, label)
            self.sections[section.attrib["anchor"]] = (".".join(parts), section.attrib["title"])
            for alias in section.findall(X + "anchor-alias"):
                self.aliases[alias.attrib["value"]] = ".".join(parts)
            self._number(section, parts, numeric)

    def section_name(self, number: str) -> str:
        return ("Appendix " if number[0].isalpha() else "Section ") + number

    def reference_name(self, anchor: str) -> str:
        return f"[{self.display.get(anchor, anchor)}]"

    def external_section(self, basename: str, anchor: str) -> str:
        if basename == "rfc9111":
            return RFC9111_SECTIONS[anchor]
        other = self.others[basename]
        return other.sections[anchor][0] if anchor in other.sections else other.aliases[anchor]

    def xref(self, element: ET.Element) -> str:
        """An ``<xref>`` as the published RFC shows it."""
        target = element.attrib["target"]
        text = "".join(element.itertext()).strip()
        fmt = element.attrib.get(X + "fmt") or element.attrib.get("sectionFormat")
        if element.attrib.get("format") == "none":
            return text
        if element.attrib.get("format") == "counter":
            return self.sections.get(target, (self.labels.get(target, "").split(" ")[-1],))[0]
        if target in self.sections:
            name = self.section_name(self.sections[target][0])
            return f"{text} ({name})" if text else name
        if target in self.labels:
            return self.labels[target]
        if target in self.external:
            reference, basename = self.external[target]
            number = self.external_section(basename, target)
            return f"{self.section_name(number)} of {self.reference_name(reference)}"
        section = element.attrib.get(X + "sec") or element.attrib.get("section")
        relative = element.attrib.get(X + "rel")
        if relative is not None:
            basename = self._basename(target)
            section = self.external_section(basename, relative.lstrip("#"))
        if section is None:
            return self.reference_name(target)
        if fmt in (",", "comma"):
            return f"{self.reference_name(target)}, {self.section_name(section)}"
        return f"{self.section_name(section)} of {self.reference_name(target)}"

    def _basename(self, reference: str) -> str:
        for element in self.root.iter("reference"):
            if element.attrib["anchor"] == reference:
                source = element.find(X + "source")
                if source is not None:
                    return source.attrib["basename"]
        raise ValueError(f"RFC {self.number}: reference {reference!r} has no source to resolve")

    def text(self, element: ET.Element) -> str:
        """An inline element's text, keywords between markers."""
        parts = [element.text or ""]
        for child in element:
            tag = child.tag.replace(X, "x:")
            if tag == "bcp14":
                parts.append(_OPEN + "".join(child.itertext()) + _CLOSE)
            elif tag == "xref":
                parts.append(self.xref(child))
            elif tag == "eref":
                parts.append("".join(child.itertext()) or f"<{child.attrib['target']}>")
            elif tag == "x:h":
                parts.append("Note:")
            elif tag not in _SKIPPED:
                parts.append(self.text(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def paragraphs(self) -> Iterator[tuple[str, str, str]]:
        """(section number, section title, paragraph text) of every block in order."""
        for anchor, (number, title) in self.sections.items():
            section = next(s for s in self.root.iter("section") if s.attrib["anchor"] == anchor)
            yield from ((number, title, text) for text in self._blocks(section))

    def _blocks(self, element: ET.Element) -> Iterator[str]:
        for child in element:
            tag = child.tag.replace(X, "x:")
            if tag == "section" or tag in _SKIPPED:
                continue
            if tag in _BLOCKS and not any(c.tag == "t" for c in child):
                yield self.text(child)
            else:
                yield from self._blocks(child)


def _role_before(text: str) -> str | None:
    found = None
    for match in _ROLE.finditer(text):
        found = next(_ROLES[int(k[1:])][0] for k, v in match.groupdict().items() if v)
    return found


def requirements_of(document: Document) -> list[Requirement]:
    """Every sentence of ``document`` holding a BCP 14 keyword, in order."""
    found: list[Requirement] = []
    counters: dict[str, int] = {}
    for number, title, paragraph in document.paragraphs():
        if paragraph.lstrip().startswith("The key words"):  # the BCP 14 boilerplate
            continue
        for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
            keywords = re.findall(_OPEN + "(.*?)" + _CLOSE, sentence)
            if not keywords:
                continue
            binds: list[str] = []
            for keyword in re.finditer(_OPEN, sentence):
                role = _role_before(sentence[: keyword.start()])
                if role is not None and role not in binds:
                    binds.append(role)
            counters[number] = counters.get(number, 0) + 1
            found.append(
                Requirement(
                    id=f"{document.number}-{number}-{counters[number]}",
                    rfc=document.number,
                    section=number,
                    title=title,
                    keywords=tuple(sorted(keywords, key=KEYWORDS.index)),
                    sentence=sentence.replace(_OPEN, "").replace(_CLOSE, ""),
                    binds=tuple(binds),
                    scope=_scope(binds),
                )
            )
    return found


def _scope(binds: list[str]) -> str | None:
    """ "cache" or "intermediary" where only caches or only intermediaries are bound."""
    if binds and set(binds) == {"cache"}:
        return "cache"
    if binds and set(binds) <= _INTERMEDIARIES:
        return "intermediary"
    return None


def build(sources: Path) -> dict[int, str]:
    """Each RFC's index file's text, built from the XML in ``sources``."""
    documents: dict[str, Document] = {}
    for rfc in RFCS:
        documents[f"rfc{rfc}"] = Document(sources / f"rfc{rfc}.xml", documents)
    return {
        rfc: json.dumps([asdict(r) for r in requirements_of(documents[f"rfc{rfc}"])], indent=1)
        + "\n"
        for rfc in RFCS
    }


def main(argv: list[str]) -> None:
    sources = Path(argv[0]) if argv else DEFAULT_SOURCES
    for rfc, text in build(sources).items():
        requirements.data_file(rfc).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
