"""Generated requests: two valid requests (VALID, framed by Content-Length, and CHUNKED) cut
at RFC 9112 grammar points, and a table of other spellings for each (whitespace, case, a
separator, a duplicate, a number's spelling, a line end, a chunk line's spelling). A
generated request changes one to three elements of one of them; a disagreement is shrunk by
Hypothesis's own shrinking, which drops the changes that do not matter and moves each one
left in the table, so the request kept is one change away from VALID where one suffices."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hypothesis import Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from harness.model import Target

from .groups import Disagreement, disagreement, group
from .record import Probe
from .sweep import records

DIGEST_CHARS = 12  # of the request's sha256: a regression's name
MAX_CHANGES = 3
SHRINK_SENDS = 50  # requests a shrink may send past the examples' budget (one took 29)
DEFAULT_EXAMPLES = 40  # requests sent by default (CI): a fixed seed, so the same ones
# Generated requests the conformance run replays (suites/test_differential.py), drawn on the
# fixed seed: each costs a cell per server, and CI has about 30 s for them all.
SUITE_EXAMPLES = 20
# Each requests' elements in order: name and valid bytes. The content is also the chunked
# coding's last chunk (RFC 9112 §7.1), so a server that a change makes read chunked content
# still finds the message's end and serves it, and the difference shows as content, not as
# a timeout.
VALID: tuple[tuple[str, bytes], ...] = (
    ("method", b"POST"),
    ("request_line_sp", b" "),
    ("target", b"/echo"),
    ("version", b" HTTP/1.1"),
    ("request_line_end", b"\r\n"),
    ("host_line", b"Host: {host}\r\n"),
    ("length_name", b"Content-Length"),
    ("length_colon", b":"),
    ("length_ows", b" "),
    ("length_value", b"5"),
    ("length_line_end", b"\r\n"),
    ("extra_line", b""),
    ("head_end", b"\r\n"),
    ("content", b"0\r\n\r\n"),
)

# The chunked request: VALID's request line and Host, then chunked content cut at the chunk
# grammar's points (RFC 9112 §7.1: "chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF").
# The size is "a" (ten octets), so that its case can change.
CHUNKED: tuple[tuple[str, bytes], ...] = (
    *VALID[:6],
    ("chunked_line", b"Transfer-Encoding: chunked\r\n"),
    ("head_end", b"\r\n"),
    ("chunk_size", b"a"),
    ("chunk_ext", b""),
    ("chunk_size_end", b"\r\n"),
    ("chunk_data", b"0123456789"),
    ("chunk_data_end", b"\r\n"),
    ("last_chunk", b"0"),
    ("last_chunk_end", b"\r\n"),
    ("trailer_end", b"\r\n"),
)
BASES = (VALID, CHUNKED)
# Elements only the chunked request has: a change to one of them is made to CHUNKED.
CHUNK_ELEMENTS = frozenset(dict(CHUNKED)) - frozenset(dict(VALID))


@dataclass(frozen=True)
class Point:
    """A grammar point: where RFC 9112 defines it, and other spellings of its element."""

    rfc: str
    variants: tuple[bytes, ...]


# The mutation points: each element's other spellings, the valid one excluded.
POINTS: dict[str, Point] = {
    # §3: "request-line = method SP request-target SP HTTP-version"; RFC 9110 §9.1: "The
    # method token is case-sensitive".
    "method": Point("RFC 9112 §3.1", (b"post", b"POST ")),
    "request_line_sp": Point("RFC 9112 §3", (b"\t", b"  ")),
    "target": Point("RFC 9112 §3.2", (b"/echo?", b"//echo", b"/%65cho", b"http://{host}/echo")),
    # §2.3: 'HTTP-name = %s"HTTP"', "HTTP-version = HTTP-name "/" DIGIT "." DIGIT".
    "version": Point("RFC 9112 §2.3", (b" HTTP/1.0", b" http/1.1", b" HTTP/1.10", b" HTTP/01.1")),
    # §2.2: "a recipient MAY recognize a single LF as a line terminator".
    "request_line_end": Point("RFC 9112 §2.2", (b"\n", b"\r\r\n")),
    "host_line": Point("RFC 9112 §3.2", (b"Host:{host}\r\n", b"Host: {host}\r\nHost: {host}\r\n")),
    # RFC 9110 §5.1: "Field names are case-insensitive".
    "length_name": Point("RFC 9112 §5.1", (b"content-length", b"Content_Length")),
    # §5.1: "No whitespace is allowed between the field name and colon."
    "length_colon": Point("RFC 9112 §5.1", (b" :", b"\t:")),
    "length_ows": Point("RFC 9112 §5.1", (b"", b"\t", b"   ")),
    # RFC 9110 §8.6: "Content-Length = 1*DIGIT".
    "length_value": Point("RFC 9112 §6.3", (b"05", b"+5", b"5,5", b"5, 5", b"0x5", b"5 ")),
    "length_line_end": Point("RFC 9112 §2.2", (b"\n",)),
    # §6.3: "If a message is received with both a Transfer-Encoding and a Content-Length
    # header field, the Transfer-Encoding overrides the Content-Length."; a duplicate; an
    # obs-fold (§5.2) continuing the Content-Length line.
    "extra_line": Point(
        "RFC 9112 §6.3",
        (
            b"Transfer-Encoding: chunked\r\n",
            b"Content-Length: 5\r\n",
            b"Content-Length: 4\r\n",
            b"Transfer-Encoding: Chunked\r\n",
            b"Transfer-Encoding: identity, chunked\r\n",
            b" 5\r\n",
        ),
    ),
    "head_end": Point("RFC 9112 §2.2", (b"\n",)),
    # §7.1: "chunk-size = 1*HEXDIG"; RFC 5234's HEXDIG is case-insensitive ("a" = "A").
    # A leading zero is HEXDIG too; a sign, an underscore or whitespace is not (Python's
    # int(x, 16) takes "+a", "0_a" and " a ").
    "chunk_size": Point(
        "RFC 9112 §7.1", (b"A", b"0a", b"000000000000000a", b"+a", b"0_a", b" a", b"a ")
    ),
    # §7.1.1: "chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )"
    "chunk_ext": Point("RFC 9112 §7.1.1", (b";x", b";x=1", b' ;x="a b"', b"\t;x", b";", b";x=1\n")),
    # §2.2: "a recipient MAY recognize a single LF as a line terminator"; a bare CR is
    # no line end at all (§2.2: "A sender MUST NOT generate a bare CR").
    "chunk_size_end": Point("RFC 9112 §7.1", (b"\n", b"\r")),
    # §7.1: the data is followed by CRLF: bare LF, bare CR, nothing.
    "chunk_data_end": Point("RFC 9112 §7.1", (b"\n", b"\r", b"")),
    # §7.1: 'last-chunk = 1*("0") [ chunk-ext ] CRLF'
    "last_chunk": Point("RFC 9112 §7.1", (b"00", b"0;x", b"0 ")),
    "last_chunk_end": Point("RFC 9112 §7.1", (b"\n",)),
    # §7.1: "chunked-body = *chunk last-chunk trailer-section CRLF": the final CRLF
    # missing or a bare LF.
    "trailer_end": Point("RFC 9112 §7.1", (b"", b"\n")),
}


Change = tuple[str, bytes]  # (element, the bytes written in place of its valid spelling)


def base(changes: tuple[Change, ...]) -> tuple[tuple[str, bytes], ...]:
    """The request ``changes`` are made to: CHUNKED where one changes a chunk element, else
    VALID (the two share the request line, Host and the head's end)."""
    return CHUNKED if any(name in CHUNK_ELEMENTS for name, _ in changes) else VALID


def request(changes: tuple[Change, ...]) -> bytes:
    """The base request (base()) with ``changes`` applied (HOST standing for the server's
    authority)."""
    written = dict(changes)
    return b"".join(written.get(name, valid) for name, valid in base(changes))


def probe(raw: bytes) -> Probe:
    """A generated request, named by its digest."""
    return Probe("generated." + hashlib.sha256(raw).hexdigest()[:DIGEST_CHARS], raw)


def rfc(changes: tuple[Change, ...]) -> str:
    """The sections of the grammar points changed ("RFC 9112 §6.3, §5.1")."""
    sections = dict.fromkeys(POINTS[name].rfc.removeprefix("RFC 9112 ") for name, _ in changes)
    return "RFC 9112 " + ", ".join(sections)


def change(elements: tuple[str, ...]) -> st.SearchStrategy[Change]:
    """One of ``elements``' other spellings (both shrink toward the table's first)."""
    return st.sampled_from(elements).flatmap(
        lambda name: st.tuples(st.just(name), st.sampled_from(POINTS[name].variants))
    )


def changes() -> st.SearchStrategy[tuple[Change, ...]]:
    """One to MAX_CHANGES changes to one base request's elements (shrinking toward VALID's)."""
    return st.sampled_from(BASES).flatmap(
        lambda elements: st.lists(
            change(tuple(name for name, _ in elements if name in POINTS)),
            min_size=1,
            max_size=MAX_CHANGES,
            unique_by=lambda c: c[0],
        ).map(tuple)
    )


def _fixed_seed(examples: int, phases: tuple[Phase, ...]) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # the fixed seed: the same requests on every run
        database=None,
        deadline=None,
        phases=phases,
    )


def drawn(examples: int) -> list[tuple[Change, ...]]:
    """The first ``examples`` change sets Hypothesis draws on the fixed seed, one per
    request (the same on every run, and in every pytest worker)."""
    by_request: dict[bytes, tuple[Change, ...]] = {}

    def keep(candidate: tuple[Change, ...]) -> bool:
        by_request.setdefault(request(candidate), candidate)
        return False  # never found: every draw is kept, none shrunk

    with contextlib.suppress(NoSuchExample):
        find(changes(), keep, settings=_fixed_seed(examples, (Phase.generate,)))
    return list(by_request.values())


@dataclass(frozen=True)
class Found:
    changes: tuple[Change, ...]
    disagreement: Disagreement


Partition = tuple[tuple[str, ...], ...]  # who reads alike with whom


def hunt(
    targets: Mapping[str, Target], examples: int, progress: Callable[[str], None]
) -> list[Found]:
    """Generated requests (``examples`` sent, on a fixed seed, and SHRINK_SENDS more for each
    shrink) to every target; one minimal disagreeing request per partition of the servers,
    shrunk by Hypothesis. The
    servers' partitions over the base requests themselves (VALID, CHUNKED) are not kept: a
    request counts where the changes part the servers otherwise (Flask and stdlib-http10
    close before the follow-up of a valid request already)."""
    if examples < 1:
        return []
    read: dict[bytes, tuple[Partition, Disagreement | None]] = {}  # one send per request
    kept: dict[Partition, Found] = {}

    def reading(raw: bytes) -> tuple[Partition, Disagreement | None]:
        if raw not in read:
            sent = probe(raw)
            seen = records(sent, targets)
            read[raw] = tuple(g.servers for g in group(seen)), disagreement(sent, seen)
            progress(f"differential: {len(read)}/{examples} requests, {len(kept)} kept")
        return read[raw]

    valid = {reading(b"".join(spelling for _, spelling in elements))[0] for elements in BASES}

    limit = examples  # requests sent, raised by SHRINK_SENDS when a find starts shrinking
    shrinking = False

    def disagrees(candidate: tuple[Change, ...]) -> bool:
        nonlocal limit, shrinking
        raw = request(candidate)
        if raw not in read and len(read) > limit:
            return False
        parts, found = reading(raw)
        if found is None or parts in valid or parts in kept:
            return False
        if not shrinking:  # find generates no more after its first hit, only shrinks
            shrinking, limit = True, max(limit, len(read) + SHRINK_SENDS)
        return True

    hunting = _fixed_seed(examples, (Phase.generate, Phase.shrink))
    while len(read) <= examples:
        shrinking = False
        try:
            minimal = find(changes(), disagrees, settings=hunting)
        except NoSuchExample:
            break
        parts, found = read[request(minimal)]
        assert found is not None  # find returns only what ``disagrees`` accepted
        kept[parts] = Found(minimal, found)
    return list(kept.values())
