"""A deliberately lenient server for the self-tests of the probe catalogue's bodies, expect and
connection themes (suites/probes/bodies.py, expect.py, connection.py): the strict reference of
tests/broken_framing_server.py (content framed on every route, whatever the method), which
also reads the Connection field as a list of case-insensitive options (RFC 9110 §7.6.1), with
one defect switched on.

    python tests/broken_bodies_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). As the stdlib server does, it answers an
HTTP/1.1 request's 100-continue expectation with 100 before it reads the content, ignores an
HTTP/1.0 request's, closes after HTTP/1.0 requests without keep-alive, and answers pipelined
requests one after the other. It is not a registered implementation: it never enters a real
run.
"""

from __future__ import annotations

import http.server
import sys

from broken_base import serve_defect  # run as a script: tests/ is on sys.path
from broken_framing_server import framing_handler

DEFECTS = {
    "none": "the strict reference",
    # The content of GET, HEAD, DELETE and OPTIONS stays on the connection, read as the next
    # request, as by a server that reads content only where a method defines its use.
    "content-for-post-only": "only POST, PUT and PATCH read their content",
    "continue-to-http10": "100 (Continue) answers an HTTP/1.0 request's expectation too",
    "close-ignored": "the connection stays open after Connection: close and HTTP/1.0 requests",
}
CONTENT_METHODS = ("POST", "PUT", "PATCH")


def bodies_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    # The reference's content framing is strict: the defects here are of other kinds.
    base = framing_handler("none")

    class BodiesHandler(base):
        def parse_request(self) -> bool:
            if not super().parse_request():
                return False
            values = self.headers.get_all("Connection") or []
            if "close" in {o.strip(" \t").lower() for v in values for o in v.split(",")}:
                self.close_connection = True
            if defect == "close-ignored":
                self.close_connection = False  # a 400 (send_error) still closes
            if (
                defect == "continue-to-http10"
                and self.request_version == "HTTP/1.0"
                and self.headers.get("Expect", "").lower() == "100-continue"
            ):
                return self.handle_expect_100()
            return True

        def _content(self) -> bytes | None:
            if defect == "content-for-post-only" and self.command not in CONTENT_METHODS:
                return b""
            return super()._content()

    return BodiesHandler


def main() -> int:
    return serve_defect(__doc__, DEFECTS, bodies_handler)


if __name__ == "__main__":
    sys.exit(main())
