"""Fake clients for the client checks' self-tests: NaiveClient takes what arrives at face
value, CorrectClient reads it with the probe's strict RFC 9112 parser and adds what the
response catalogue's sentences ask beyond that parser, OneReadClient reads only once;
WireClient writes its own requests for the wire-output cases, with one defect or none;
DefectiveSession is the requests adapter with one redirect, auth or cookie defect."""

from __future__ import annotations

import base64
import dataclasses
import http.cookiejar
import re
import socket
import urllib.parse
import urllib.request
from collections.abc import Iterable

import requests
import requests.auth
import requests.cookies

from harness.clients.requests_client import RequestsClient
from harness.errors import ClientError, ErrorKind
from harness.model import Exchange, RequestSpec, Target
from harness.probe import Ending, Malformed, Response, parse_responses, request, send_raw

CLIENT_IDLE = 2.0  # every script ends by closing or resetting the connection at once


def _request(spec: RequestSpec, target: Target) -> bytes:
    return request(spec.method, spec.target, host=target.authority)


class NaiveClient:
    """A broken client: the first status line it finds (200 if it has no number), the first
    Content-Length among the first 100 fields, else every octet until the close, as success."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        # responses=2: more final responses than any script sends, so it reads to the close.
        result = send_raw(target, _request(spec, target), responses=2, idle_timeout=CLIENT_IDLE)
        head, _, rest = result.received.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        words = lines[0].split()
        status = int(words[1]) if len(words) > 1 and words[1].isdigit() else 200
        fields = [line.partition(b":") for line in lines[1:101]]
        lengths = [
            int(v)  # as int() reads it: '+3' is 3
            for n, _, v in fields
            if n.strip().lower() == b"content-length" and v.strip().lstrip(b"+-").isdigit()
        ]
        body = rest[: lengths[0]] if lengths else rest
        return Exchange(status, "", "HTTP/1.1", [], body, reused=False, elapsed=0.0)

    def close(self) -> None:
        pass


TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
QUOTED = rb'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"'
# RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
CHUNK_EXT_LINE = re.compile(
    rb"[0-9A-Fa-f]+(?:[ \t]*;[ \t]*%s(?:[ \t]*=[ \t]*(?:%s|%s))?)*" % (TOKEN, TOKEN, QUOTED)
)
STARTS_WITH_EXT = re.compile(rb"[0-9A-Fa-f]+[ \t]*;")


def _failure(problem: str) -> ClientError:
    return ClientError(ErrorKind.OTHER, Malformed(problem))


def _unfold(data: bytes) -> bytes:
    """The first head with each obs-fold replaced by SP (RFC 9112 §5.2); whitespace before the
    first field line is left for the parser to refuse (RFC 9112 §2.2)."""
    head, end, rest = data.partition(b"\r\n\r\n")
    status, line_end, fields = head.partition(b"\r\n")
    if not line_end or fields[:1] in (b" ", b"\t"):
        return data
    return status + b"\r\n" + re.sub(rb"[ \t]*\r\n[ \t]+", b" ", fields) + end + rest


def _refusal(final: Response, data: bytes, ending: Ending) -> str | None:
    """Why a correct client that implements only the chunked coding refuses ``final``."""
    codings = [
        c.strip().lower() for v in final.header_values("Transfer-Encoding") for c in v.split(",")
    ]
    if not 100 <= final.status <= 599:
        return f"status {final.status} is outside 100..599"
    if not final.version.startswith("HTTP/1."):
        return f"{final.version} is no HTTP/1.x"
    if any("\x00" in value for _, value in final.headers):
        return "NUL in a field value"
    if any(coding not in ("", "chunked") for coding in codings) or codings.count("chunked") > 1:
        return f"a transfer coding other than chunked: {codings}"
    if any(
        STARTS_WITH_EXT.match(line) and not CHUNK_EXT_LINE.fullmatch(line)
        for line in data.split(b"\r\n")
    ):
        return "a chunk extension outside the grammar"
    if final.framing == "close" and ending is Ending.RESET:
        return "a close-delimited body ended by a reset"
    return None


class CorrectClient:
    """A client that does what the response catalogue's sentences ask: the probe's strict
    reading, interim responses skipped, obs-fold replaced by SP, refusing what it cannot
    recover or does not implement (status codes outside 100..599, other major versions, NUL
    in values, transfer codings other than chunked, chunk extensions outside the grammar, a
    reset ending the content)."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        methods = [spec.method]
        result = send_raw(target, _request(spec, target), methods=methods, idle_timeout=CLIENT_IDLE)
        data = _unfold(result.received)
        parsed, malformed = parse_responses(data, methods, at_eof=result.ending is not Ending.OPEN)
        finals = [response for response in parsed if not response.interim]
        if not finals:  # what follows the first final response is no concern of this request
            raise _failure(malformed or result.describe())
        final = finals[0]
        problem = _refusal(final, data, result.ending)
        if problem is not None:
            raise _failure(problem)
        return Exchange(
            final.status, final.reason, final.version, final.headers, final.body, False, 0.0
        )

    def close(self) -> None:
        pass


class OneReadClient:
    """A broken client: parses the first read it gets as the whole response (plain http)."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        with socket.create_connection((target.host, target.port), timeout=CLIENT_IDLE) as sock:
            sock.sendall(_request(spec, target))
            data = sock.recv(65536)
        parsed, malformed = parse_responses(data, [spec.method], at_eof=True)
        if malformed is not None or not parsed:
            raise _failure(malformed or "no response")
        final = parsed[-1]
        return Exchange(final.status, "", final.version, final.headers, final.body, False, 0.0)

    def close(self) -> None:
        pass


# --- The wire-output cases (harness/wire.py): clients that write their own request bytes ---

WIRE_PCHAR = "-._~!$&'()*+,;=:@/%"  # left as they are in a path; the rest percent-encoded
WIRE_FIELD_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
WIRE_FIELD_VALUE = re.compile(r"(?:[!-~\x80-\xff](?:[ \t!-~\x80-\xff]*[!-~\x80-\xff])?)?")
EXPECTS_CONTENT = ("POST", "PUT", "PATCH")


class WireClient:
    """A client that writes its request itself: correctly with no ``defect``, else with the one
    defect named (WIRE_DEFECTS in tests/test_wire_checks.py lists them) and nothing refused."""

    def __init__(self, defect: str | None = None) -> None:
        self.defect = defect

    def _refuse(self, why: str) -> ClientError:
        return ClientError(ErrorKind.OTHER, ValueError(why))

    def _target(self, spec: RequestSpec, target: Target) -> bytes:
        if self.defect == "raw_target":
            return spec.target.encode("utf-8")
        path = urllib.parse.quote(spec.target.partition("#")[0], safe=WIRE_PCHAR + "?")
        # absolute-form to a proxy, origin-form to an origin; "other_form" swaps them
        absolute = (spec.proxy is not None) != (self.defect == "other_form")
        return (target.base_url + path if absolute else path).encode()

    def _fields(self, spec: RequestSpec, target: Target, content: bytes | None) -> list[str]:
        caller = list(spec.headers)
        for name, value in caller if self.defect != "raw_values" else ():
            if not WIRE_FIELD_NAME.fullmatch(name) or not WIRE_FIELD_VALUE.fullmatch(value):
                raise self._refuse(f"the field {name!r}: {value!r}")
        named = {name.lower() for name, _ in caller}
        host = target.authority if self.defect != "host_without_port" else target.host
        own = [] if "host" in named and self.defect != "second_host" else [("Host", host)]
        if self.defect == "no_host":
            own = []
        if self.defect != "no_user_agent":
            own.append(("User-Agent", "wire-fake/1.0 (tests)"))
        coding = "gzip;q=high" if self.defect == "bad_accept_encoding" else "gzip, br;q=0.5"
        own.append(("Accept-Encoding", coding))
        fields = caller + own if self.defect == "host_last" else own + caller
        if content is not None and "content-length" not in named:
            fields.append(("Content-Length", str(len(content))))
        elif spec.body is None and self.defect == "length_always":
            fields.append(("Content-Length", "0"))
        return [f"{name}: {value}" for name, value in fields]

    def _chunked(self, pieces: Iterable[bytes]) -> bytes:
        out = b""
        for piece in pieces:
            if piece or self.defect == "empty_chunk":
                size = str(len(piece)) if self.defect == "decimal_chunk" else f"{len(piece):X}"
                out += size.encode() + b"\r\n" + piece + b"\r\n"
        return out + b"0\r\n\r\n"

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        content: bytes | None = None
        fields_after: list[str] = []
        streamed = b""
        if isinstance(spec.body, bytes):
            content = spec.body
        elif spec.body is not None:
            pieces = list(spec.body)
            if any(n.lower() == "content-length" for n, _ in spec.headers):
                streamed = b"".join(pieces)
                if self.defect == "both":
                    fields_after.append("Transfer-Encoding: chunked")
            else:
                streamed = self._chunked(pieces)
                fields_after.append("Transfer-Encoding: chunked")
                if self.defect == "both":
                    fields_after.append(f"Content-Length: {len(b''.join(pieces))}")
        elif spec.method in EXPECTS_CONTENT:
            content = b""
        if content is not None and self.defect == "no_length":
            content, streamed = None, content
        head = [
            f"{spec.method} ".encode() + self._target(spec, target) + b" HTTP/1.1",
            *(line.encode("latin-1") for line in self._fields(spec, target, content)),
            *(line.encode() for line in fields_after),
        ]
        if self.defect == "lower_version":
            head[0] = head[0].replace(b"HTTP/1.1", b"http/1.1")
        data = b"\r\n".join(head) + b"\r\n\r\n" + (content or b"") + streamed
        to = target if spec.proxy is None else Target("http", spec.proxy.host, spec.proxy.port)
        result = send_raw(to, data, methods=[spec.method], idle_timeout=CLIENT_IDLE)
        if not result.final:
            raise _failure(result.describe())
        final = result.final[0]
        return Exchange(final.status, "", final.version, final.headers, final.body, False, 0.0)

    def close(self) -> None:
        pass


class DefectiveSession(RequestsClient):
    """The requests adapter (a client that passes the redirect, auth and cookie cases) with one
    defect put into its Session through requests' own override points and its cookie policy:
    the redirect, auth and cookie checks' self-tests (tests/test_sessions_checks.py)."""

    DEFECTS = (
        "head_to_get",  # every followed request is a GET (rebuild_method)
        "resolve_from_root",  # a relative Location taken as from the root (get_redirect_target)
        "no_limit",  # follows any number of redirects (max_redirects)
        "keeps_auth",  # credentials go to any origin (should_strip_auth)
        "always_follows",  # follows even when not asked
        "bad_credentials",  # Authorization without the colon between user-id and password
        "retries_forever",  # answers every 401 with the same credentials again, ten times
        "ignores_path",  # cookie Path not matched (path_return_ok)
        "ignores_secure",  # Secure cookies over http too (return_ok_secure)
        "ignores_domain",  # a cookie for any domain stored and sent to any host
        "never_expires",  # a cookie set again as expired is not removed (CookieJar.clear)
        "cookieless_redirects",  # a followed request carries no Cookie field (rebuild_auth)
    )

    def __init__(self, defect: str) -> None:
        super().__init__()
        if defect not in self.DEFECTS:
            raise ValueError(f"unknown defect {defect!r}")
        self.defect = defect
        self._session = _defective_session(defect)

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        if self.defect == "always_follows":
            spec = dataclasses.replace(spec, follow_redirects=True)
        if spec.basic_auth and self.defect in ("bad_credentials", "retries_forever"):
            spec = dataclasses.replace(spec, basic_auth=None, headers=[*spec.headers])
            self._session.auth = _DefectiveAuth(self.defect)
        return super().send(spec, target)


class _DefectiveAuth(requests.auth.AuthBase):
    def __init__(self, defect: str) -> None:
        self.defect = defect

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        user_pass = "alice;secret" if self.defect == "bad_credentials" else "alice:pässword"
        request.headers["Authorization"] = "Basic " + base64.b64encode(user_pass.encode()).decode(
            "ascii"
        )
        if self.defect == "retries_forever":
            request.register_hook("response", self._again)
        return request

    def _again(self, response: requests.Response, **kwargs: object) -> requests.Response:
        for _ in range(10):
            if response.status_code != 401:
                break
            response.content  # noqa: B018 - read it, so that the connection can be used again
            response = response.connection.send(response.request.copy(), **kwargs)  # type: ignore[attr-defined]
        return response


class _Policy(http.cookiejar.DefaultCookiePolicy):
    """Stores a cookie for any domain (requests copies the jar into one with the default
    policy for each request, so defects of sending are made when a cookie is stored)."""

    def set_ok_domain(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return True


class _Jar(requests.cookies.RequestsCookieJar):
    def __init__(self, defect: str) -> None:
        super().__init__(policy=_Policy() if defect == "ignores_domain" else None)
        self.defect = defect

    def set_cookie(self, cookie: http.cookiejar.Cookie, *args: object, **kwargs: object) -> None:
        if self.defect == "ignores_path":
            cookie.path = "/"
        if self.defect == "ignores_secure":
            cookie.secure = False
        if self.defect == "ignores_domain":
            cookie.domain, cookie.domain_specified = "", False  # host-only for every host
        super().set_cookie(cookie, *args, **kwargs)

    def clear(
        self, domain: str | None = None, path: str | None = None, name: str | None = None
    ) -> None:
        if self.defect != "never_expires" or domain is None:  # removal of one cookie: kept
            super().clear(domain, path, name)


def _defective_session(defect: str) -> requests.Session:
    class Session(requests.Session):
        def rebuild_method(
            self, prepared: requests.PreparedRequest, response: requests.Response
        ) -> None:
            if defect == "head_to_get":
                prepared.method = "GET"
            else:
                super().rebuild_method(prepared, response)

        def get_redirect_target(self, response: requests.Response) -> str | None:
            location = super().get_redirect_target(response)
            if defect == "resolve_from_root" and location and "://" not in location:
                return "/" + location.lstrip("./")
            return location

        def rebuild_auth(
            self, prepared: requests.PreparedRequest, response: requests.Response
        ) -> None:
            if defect == "cookieless_redirects":
                prepared.headers.pop("Cookie", None)
            super().rebuild_auth(prepared, response)

        def should_strip_auth(self, old_url: str, new_url: str) -> bool:
            return defect != "keeps_auth" and super().should_strip_auth(old_url, new_url)

    session = Session()
    if defect == "no_limit":
        session.max_redirects = 10_000
    session.cookies = _Jar(defect)
    return session
