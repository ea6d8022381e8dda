"""Every difference between two servers' answers that the differential mode does not count,
in one place. A record (record.py) keeps only what these rules leave:

1. Status code -> its class ("4xx"). RFC 9110 §15: "The first digit of the status code
   defines the class of response. The last two digits do not have any categorization
   role." Servers refusing the same bytes choose among 400, 413, 431, 501 as the RFC lets
   them; which of them is the catalogue's verdict, not a difference in reading.
2. Response fields (Date, Server, their order and case), the reason phrase and the body of
   any response /echo did not write (an error page's wording) are not kept at all. RFC 9112
   §4: "The reason-phrase element exists for the sole purpose of providing a textual
   description associated with the numeric status code".
3. Interim (1xx) responses are dropped: whether a server sends 100 (Continue) before reading
   content says nothing about how it framed the message.
4. A reset ends the connection as a close does: which one the peer sees depends on whether
   unread bytes were still queued when the server closed (a TCP artefact).
5. /echo's fields: names lower-cased (RFC 9110 §5.1: "Field names are case-insensitive"),
   fields of different names in any order, lines of one name in their order (RFC 9110 §5.3:
   "The order in which field lines with the same name are received is therefore significant
   to the interpretation of the field value"), each value without leading or trailing
   whitespace (RFC 9110 §5.5: "A field value does not include leading or trailing
   whitespace."). Only names the request sent are kept: a framework that adds fields of its
   own changes nothing about what it read.
6. The framing fields (Content-Length, Transfer-Encoding) are left out of the fields: how
   the server framed the content is compared as the content's length and digest, and a
   server that decodes content before the application sees it rewrites them
   (implementation.Capability.ECHOES_FRAMING).
7. The Host field's value equal to the server's own authority reads as HOST ("{host}"), and
   so does that authority in an absolute-form target ("http://{host}/echo"): the probe writes
   each server's authority there.
8. Whether the server closed counts only while a request sent is unanswered. Once every
   request (the follow-up included) has its final response, a close says nothing about how
   the bytes were read: RFC 9112 §9.3.1: "Connections can be closed at any time, with or
   without intention." (stdlib-http10 closes after every response and Flask's server
   often does: counted, such a close set them apart from every other server on nearly
   every request). Before that, "closed" (it ended the exchange) and "open" (it is still
   reading what another server took as the next request) stay apart, and so does how many
   requests were answered: "answered the follow-up vs did not" is the answers' count.
9. A server without /echo (simplehttp) cannot say what it saw: an answer its handler wrote
   for a request it read (record.HANDLED_WITHOUT_ECHO: 404, 501, ...) is a request served,
   its status class, method, target, fields and content unknown, and unknown agrees with
   any served answer: such a server joins the largest group it agrees with on what it does
   show (the answers' count, which were refusals and their class, whether it closed), and
   is apart only where that differs (groups.group).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from harness.catalogue import HOST
from harness.probe import Ending

FRAMING_FIELDS = frozenset({"content-length", "transfer-encoding"})
_FIELD_NAME = re.compile(rb"^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*:", re.MULTILINE)

Fields = tuple[tuple[str, tuple[str, ...]], ...]


def status_class(code: int) -> str:
    """Rule 1: "4xx" for 404."""
    return f"{code // 100}xx"


def closed(ending: Ending, answered: int, sent: int) -> bool:
    """Rules 4 and 8: whether the server ended the connection, by a close or a reset, with
    fewer than ``sent`` requests ``answered``."""
    return answered < sent and ending in (Ending.CLOSED, Ending.RESET)


def sent_names(request: bytes) -> frozenset[str]:
    """Rule 5's names: every field name on a line of ``request``, lower-cased (a line that
    only looks like a field line, in content, adds a name no server echoes: harmless)."""
    return frozenset(m.group(1).decode("ascii").lower() for m in _FIELD_NAME.finditer(request))


def fields(echoed: Iterable[tuple[str, str]], names: frozenset[str], authority: str) -> Fields:
    """Rules 5-7: /echo's fields as compared, sorted by name."""
    host = HOST.decode("ascii")
    kept: dict[str, list[str]] = {}
    for name, value in echoed:
        key = name.lower()
        if key in names and key not in FRAMING_FIELDS:
            value = value.strip(" \t")
            kept.setdefault(key, []).append(host if key == "host" and value == authority else value)
    return tuple((name, tuple(values)) for name, values in sorted(kept.items()))


def target(echoed: str, authority: str) -> str:
    """Rule 7 for /echo's target: an absolute-form target's own authority reads as HOST."""
    return echoed.replace("//" + authority, "//" + HOST.decode("ascii"), 1)
