"""The requirements index: rebuilt from the RFCs' XML it is the committed one; quotations
find their sentences; every case names index ids that exist."""

from __future__ import annotations

import importlib
import pkgutil
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

import suites
from harness import requirements
from harness.cases import CATALOGUE, Case, Level
from harness.requirements import (
    INDEX,
    INTERPRET,
    KEYWORDS,
    Definition,
    NotInIndex,
    build,
    quoted,
    tied,
)
from suites.probes import ENTRIES as PROBES
from suites.probes.sentences import INVALID_CONTENT_LENGTH
from suites.responses import ENTRIES as RESPONSES

SOURCES = build.DEFAULT_SOURCES
needs_sources = pytest.mark.skipif(
    not (SOURCES / "rfc9112.xml").exists(),
    reason=f"the RFCs' XML sources are not at {SOURCES} (a fresh clone has no ../shared)",
)
BOILERPLATE = len(KEYWORDS)  # the BCP 14 paragraph names each keyword once


@needs_sources
def test_the_committed_index_is_the_one_built_from_the_xml() -> None:
    for rfc, text in build.build(SOURCES).items():
        committed = requirements.data_file(rfc).read_text(encoding="utf-8")
        assert committed == text, "rebuild it: python -m harness.requirements.build"


@needs_sources
@pytest.mark.parametrize("rfc", requirements.RFCS)
def test_every_keyword_of_the_rfc_is_in_a_requirement(rfc: int) -> None:
    marked = sum(1 for _ in ET.parse(SOURCES / f"rfc{rfc}.xml").getroot().iter("bcp14"))
    indexed = sum(len(r.keywords) for r in INDEX.values() if r.rfc == rfc)
    assert indexed == marked - BOILERPLATE


# Checked by hand against the RFC text: the sentence, its section, whom it binds.
SAMPLES = [
    ("9112-6.3-5", "6.3", ("MUST",), ("server",), None),
    ("9112-6.3-6", "6.3", ("MUST",), ("proxy",), "intermediary"),
    ("9112-5.1-1", "5.1", ("MUST",), ("server",), None),
    ("9110-15.4.8-1", "15.4.8", ("MUST NOT",), ("user agent",), None),
    ("9110-11.2-1", "11.2", ("MUST",), (), None),
    ("9110-8.6-10", "8.6", ("MUST NOT", "MAY"), ("sender", "recipient"), None),
]


@pytest.mark.parametrize(("id", "section", "keywords", "binds", "scope"), SAMPLES)
def test_a_requirement_reads_as_the_rfc(
    id: str, section: str, keywords: tuple[str, ...], binds: tuple[str, ...], scope: str | None
) -> None:
    requirement = INDEX[id]
    assert (requirement.section, requirement.keywords) == (section, keywords)
    assert (requirement.binds, requirement.scope) == (binds, scope)


def test_the_index_holds_no_boilerplate_and_unique_ids() -> None:
    assert not any("BCP 14" in r.sentence for r in INDEX.values())
    assert Counter(r.level for r in INDEX.values()).keys() == {"MUST", "SHOULD", "MAY"}
    assert INDEX["9112-6.3-5"].sentence == (
        "If the unrecoverable error is in a request message, the server MUST respond with a "
        "400 (Bad Request) status code and then close the connection."
    )


QUOTES = [
    ("A recipient MUST ignore unrecognized chunk extensions.", ("9112-7.1.1-1",)),
    (INVALID_CONTENT_LENGTH, ("9112-6.3-4", "9112-6.3-5")),
    # Past a sentence that ends with ":" before its grammar.
    (
        "In other words, a recipient MUST accept lists that satisfy the following syntax: "
        '#element => [ element ] *( OWS "," OWS [ element ] )',
        ("9110-5.6.1.2-2",),
    ),
    ("HTTP-version is case-sensitive.", ()),  # no keyword: no requirement
]


@pytest.mark.parametrize(("text", "ids"), QUOTES)
def test_a_quotation_names_its_sentences(text: str, ids: tuple[str, ...]) -> None:
    assert quoted(text) == ids


@pytest.mark.parametrize(
    "text",
    [
        "a recipient MUST ignore unrecognized chunk extensions.",  # not the sentence's case
        "A recipient MUST ignore unknown chunk extensions.",  # a paraphrase
        "MUST ignore unrecognized chunk extensions.",  # a fragment
    ],
)
def test_a_quotation_that_is_not_the_rfc_is_refused(text: str) -> None:
    with pytest.raises(NotInIndex):
        quoted(text)


def test_every_catalogue_entry_names_the_sentences_it_quotes_or_that_bind_it() -> None:
    for entry in (*PROBES, *RESPONSES):
        ids = quoted(entry.requirement)
        binding = entry.requirement.binding if isinstance(entry.requirement, Definition) else ()
        assert entry.case.requirement_ids == (ids or binding), entry.id
        assert entry.case.requirement_ids, entry.id


def test_a_definition_is_tied_to_what_binds_it() -> None:
    version = Definition("HTTP-version is case-sensitive.", (INTERPRET,))
    assert tied(version) == (INTERPRET,)
    with pytest.raises(ValueError, match="holds no requirement sentence"):
        tied("HTTP-version is case-sensitive.")  # a definition with nothing binding it
    with pytest.raises(ValueError, match="no Definition"):
        tied(Definition("A recipient MUST ignore unrecognized chunk extensions.", (INTERPRET,)))


def test_a_quoted_definition_shows_itself_and_what_binds_it() -> None:
    version = Definition("HTTP-version is case-sensitive.", (INTERPRET,))
    case = Case(
        "selftest.definition",
        "RFC 9112 §2.3",
        Level.MUST,
        version,
        (),
        requirement_ids=tied(version),
        quotes=True,
    )
    assert case.sentence == f"{version} {INDEX[INTERPRET].sentence}"


def test_a_case_naming_an_unknown_requirement_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the index"):
        Case(
            "selftest.unknown_id", "RFC 9112 §6.3", Level.MUST, "x", requirement_ids=("9112-99-1",)
        )


def test_a_case_shows_its_sentences() -> None:
    case = Case(
        "selftest.shown", "RFC 9112 §6.3", Level.MUST, "paraphrase", requirement_ids=("9112-6.3-5",)
    )
    assert case.sentence == INDEX["9112-6.3-5"].sentence


def _suite_cases() -> list[Case]:
    """Every case of every suite (importing a suite module defines its cases; the catalogues'
    entries are defined by test_probes and test_responses), without the ones the self-tests
    make up (their ids say "selftest")."""
    for module in pkgutil.iter_modules(suites.__path__):
        if module.name.startswith("test_"):
            importlib.import_module(f"suites.{module.name}")
    return [case for case in CATALOGUE.cases() if "selftest" not in case.id]


def _untied(cases: list[Case]) -> list[str]:
    """The cases that name neither requirement ids nor why they have none, or name both."""
    return [case.id for case in cases if bool(case.requirement_ids) == bool(case.outside_index)]


def test_every_case_names_its_requirements_or_why_it_has_none() -> None:
    cases = _suite_cases()
    assert {case.suite for case in cases} >= {"probes", "responses", "tls", "methods"}
    assert not _untied(cases), "give each requirement_ids or an outside_index reason"


def test_a_case_without_requirements_or_with_both_is_found() -> None:
    ids = ("9112-6.3-5",)
    made = [
        Case("selftest.tied", "RFC 9112 §6.3", Level.MUST, "x", requirement_ids=ids),
        Case("selftest.outside", "RFC 8446 §4", Level.MUST, "x", outside_index="TLS"),
        Case("selftest.untied", "RFC 9112 §6.3", Level.MUST, "x"),
        Case(
            "selftest.both",
            "RFC 9112 §6.3",
            Level.MUST,
            "x",
            requirement_ids=ids,
            outside_index="TLS",
        ),
    ]
    assert _untied(made) == ["selftest.untied", "selftest.both"]
