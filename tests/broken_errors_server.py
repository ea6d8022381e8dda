"""A deliberately broken server for the errors suite's self-tests: the reference stdlib server
with one defect switched on.

    python tests/broken_errors_server.py DEFECT

Follows the launch protocol (ready line, SIGTERM). Each defect breaks what an errors case
checks, so the self-tests can show that the check fails on it; DEFECT "none" is the unbroken
reference. It is not a registered implementation: it never enters a real run.
"""

from __future__ import annotations

import http.server
import sys
from collections.abc import Sequence

from broken_base import serve_defect  # run as a script: tests/ is on sys.path

from harness import contract
from harness.servers import stdlib

NO_CONTENT_BODY_BYTES = 64 * 1024
DEFECTS = (
    "none",
    "status-200",  # every /status/{code} answers 200: a status lost on the way
    "no-content-body",  # 204, 205 and 304 carry content after all
    "bare-lf-500",  # a request whose request-line ends in a bare LF gets 500
)


def broken_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    class BrokenHandler(stdlib.Http11Handler):
        def _respond(
            self,
            code: int,
            content_type: str,
            body: bytes,
            send_body: bool,
            close: bool = False,
            fields: Sequence[tuple[str, str]] = (),
        ) -> None:
            if defect == "status-200" and self.path.startswith("/status/"):
                code = 200
            if defect == "no-content-body" and code in (204, 205, 304):
                # Against RFC 9110 §15.3.5, §15.3.6, §15.4.5; for 205 with a Content-Length
                # that frames it, for 204 and 304 unframed after the head. More than a client
                # reads ahead with a head (http.client: 8 KiB), so it stays on the connection.
                body = contract.deterministic_bytes(NO_CONTENT_BODY_BYTES)
            super()._respond(code, content_type, body, send_body, close, fields)

        def parse_request(self) -> bool:
            ok = super().parse_request()
            if ok and defect == "bare-lf-500" and not self.raw_requestline.endswith(b"\r\n"):
                self.send_error(500, "bare LF not understood")
                return False
            return ok

    return BrokenHandler


def main() -> int:
    return serve_defect(__doc__, DEFECTS, broken_handler)


if __name__ == "__main__":
    sys.exit(main())
