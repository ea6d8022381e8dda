"""A deliberately lenient server for the response-framing probes' self-tests
(suites/probes/responses.py): the reference stdlib server (harness/servers/stdlib.py), whose
responses keep the rules on response heads, with one defect switched on.

    python tests/broken_responses_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). DEFECT "none" is the reference itself;
each other defect breaks one rule, the one a family of entries must catch:
"head-content" sends content in responses to HEAD (RFC 9110 §9.3.2), "no-content-content"
sends "status {code}\\n" with its length in 204, 205 and 304 responses (RFC 9110 §15.3.5,
§15.3.6, §15.4.5), "interim-length" sends its 100 (Continue) with a Content-Length (RFC 9110
§8.6), "length-with-chunked" frames /stream and /chunked with chunked and a Content-Length
(RFC 9112 §6.2), "asctime-date" writes Date in asctime() form (RFC 9110 §5.6.7). It is not a
registered implementation: it never enters a real run.
"""

from __future__ import annotations

import http.server
import sys
import time
import urllib.parse

from broken_base import serve_defect  # run as a script: tests/ is on sys.path

from harness import contract
from harness.servers import stdlib

DEFECTS = (
    "none",
    "head-content",
    "no-content-content",
    "interim-length",
    "length-with-chunked",
    "asctime-date",
)


def responses_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    class ResponsesHandler(stdlib.Http11Handler):
        def do_HEAD(self) -> None:
            self._answer(send_body=defect == "head-content")

        def _answer(self, *, send_body: bool) -> None:
            parts = urllib.parse.urlsplit(self.path)
            found = contract.route(parts.path, parts.query)
            if defect == "no-content-content" and found.name == "status":
                code = found.number
                if code in (204, 205, 304):
                    body = contract.status_body(code)
                    self.send_response(code)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
            if defect == "length-with-chunked" and found.name in ("stream", "chunked"):
                data = contract.deterministic_bytes(found.number)
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if send_body:
                    chunks = (
                        b"%x\r\n%s\r\n" % (len(p), p)
                        for p in contract.pieces(found.number, found.piece)
                    )
                    self.wfile.write(b"".join(chunks) + b"0\r\n\r\n")
                return
            super()._answer(send_body=send_body)

        def handle_expect_100(self) -> bool:
            if defect != "interim-length":
                return super().handle_expect_100()
            self.send_response_only(100)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True

        def date_time_string(self, timestamp: float | None = None) -> str:
            if defect != "asctime-date":
                return super().date_time_string(timestamp)
            return time.asctime(time.gmtime(timestamp))

    return ResponsesHandler


def main() -> int:
    return serve_defect(__doc__, DEFECTS, responses_handler)


if __name__ == "__main__":
    sys.exit(main())
