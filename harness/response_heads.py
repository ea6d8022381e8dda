"""The rules RFC 9110 and RFC 9112 set on response heads, read off a probe's responses: no
content where a response ends at its head, no Content-Length with Transfer-Encoding and
neither on a 1xx or 204, no content in a 205, a Date on each 2xx, 3xx and 4xx, every Date an
IMF-fixdate (the probe catalogue's ``Framed`` outcome, harness/catalogue.py)."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Sequence

from harness.probe import ProbeResult, Response


def content_summary(body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()[:12]
    return f"{len(body)} content bytes (sha256 {digest}…)"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# RFC 9110 §5.6.7: IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT, the time from
# 00:00:00 to 23:59:60 (a leap second).
_IMF_FIXDATE = re.compile(
    rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ({'|'.join(_MONTHS)}) (\d{{4}}) "
    r"(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60) GMT"
)


def _is_imf_fixdate(value: str) -> bool:
    match = _IMF_FIXDATE.fullmatch(value)
    if not match:
        return False
    day, month, year = match.group(1), match.group(2), match.group(3)
    try:
        datetime.date(int(year), _MONTHS.index(month) + 1, int(day))
    except ValueError:
        return False
    return True


def _ends_at_head(response: Response, method: str) -> bool:
    """RFC 9112 §6.3, rule 1: the response ends at its header section whatever it says."""
    return method == "HEAD" or 100 <= response.status < 200 or response.status in (204, 304)


def head_problems(result: ProbeResult, methods: Sequence[str] = ()) -> list[str]:
    """Each rule of RFC 9110 and 9112 on response heads that a response broke, naming the
    response (its place, status, and HEAD where it answers one: ``methods`` as in Entry)."""
    found: list[str] = []
    finals = 0
    which, ends_at_head = "", False
    for number, response in enumerate(result.responses, 1):
        method = methods[finals] if finals < len(methods) else "GET"
        finals += not response.interim
        to = " to HEAD" if method == "HEAD" and not response.interim else ""
        which = f"response {number} ({response.status} {response.reason}{to})"
        ends_at_head = _ends_at_head(response, method)
        lengths = response.header_values("Content-Length")
        codings = response.header_values("Transfer-Encoding")
        if response.interim or response.status == 204:
            # RFC 9110 §8.6: "A server MUST NOT send a Content-Length header field in any
            # response with a status code of 1xx (Informational) or 204 (No Content)."
            if lengths:
                found.append(f"{which}: Content-Length {lengths} (RFC 9110 §8.6)")
            # RFC 9112 §6.1: "A server MUST NOT send a Transfer-Encoding header field in any
            # response with a status code of 1xx (Informational) or 204 (No Content)."
            if codings:
                found.append(f"{which}: Transfer-Encoding {codings} (RFC 9112 §6.1)")
        elif lengths and codings:
            # RFC 9112 §6.2: "A sender MUST NOT send a Content-Length header field in any
            # message that contains a Transfer-Encoding header field."
            found.append(
                f"{which}: Content-Length {lengths} with Transfer-Encoding {codings} "
                "(RFC 9112 §6.2)"
            )
        if response.status == 205 and response.body:
            # RFC 9110 §15.3.6: "a server MUST NOT generate content in a 205 response."
            found.append(f"{which}: {content_summary(response.body)} (RFC 9110 §15.3.6)")
        dates = response.header_values("Date")
        # RFC 9110 §6.6.1: "An origin server with a clock ... MUST generate a Date header
        # field in all 2xx (Successful), 3xx (Redirection), and 4xx (Client Error) responses";
        # §5.6.7: "the sender MUST generate those timestamps in the IMF-fixdate format."
        if not dates and 200 <= response.status < 500:
            found.append(f"{which}: no Date (RFC 9110 §6.6.1)")
        elif dates and (len(dates) > 1 or not _is_imf_fixdate(dates[0])):
            found.append(f"{which}: Date {dates} is not one IMF-fixdate (RFC 9110 §5.6.7)")
    if result.malformed and ends_at_head:
        found.append(
            f"the octets after {which}, which ends at its header section (RFC 9112 §6.3), are "
            "no response: content where none may be sent (RFC 9110 §9.3.2, §15.2, §15.3.5, "
            "§15.4.5)"
        )
    return found
