"""A deliberately broken server for the keep-alive self-tests: the reference stdlib server
(ThreadingHTTPServer, HTTP/1.1) with one connection-management defect switched on.

    python tests/broken_keepalive_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). Each defect breaks one thing an interop
case of suites/test_keepalive.py checks; DEFECT "none" is the unbroken reference. It is not a
registered implementation: it never enters a real run.
"""

from __future__ import annotations

import http.server
import sys
from collections.abc import Sequence

from broken_base import serve_defect  # run as a script: tests/ is on sys.path

from harness.servers import stdlib

DEFECTS = {
    "none": "the reference server",
    "close-always": "every response says Connection: close and the connection closes",
    # 64 KiB: more than a client reads ahead with a response (http.client: 8 KiB), so the
    # overrun stays on the connection for the next response to meet, whatever the timing.
    "extra-byte": "content runs 64 KiB past its Content-Length",
    "close-unannounced": "/close closes the connection without saying Connection: close",
    "close-keeps-open": "/close says Connection: close but keeps serving the connection",
    "idle-1s": "closes a connection idle for 1 s (the handler's socket timeout)",
}
IDLE_TIMEOUT = 1.0  # the idle-1s defect's timer


def broken_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    class BrokenHandler(stdlib.Http11Handler):
        # StreamRequestHandler applies it to the connection; BaseHTTPRequestHandler then
        # closes a connection whose next request line does not come in time.
        timeout = IDLE_TIMEOUT if defect == "idle-1s" else None

        def send_header(self, keyword: str, value: str) -> None:
            if defect == "close-unannounced" and keyword.lower() == "connection":
                self.close_connection = True  # close all the same, without the field
                return
            super().send_header(keyword, value)

        def end_headers(self) -> None:
            if defect == "close-always":
                self.send_header("Connection", "close")
            super().end_headers()

        def _respond(
            self,
            code: int,
            content_type: str,
            body: bytes,
            send_body: bool,
            close: bool = False,
            fields: Sequence[tuple[str, str]] = (),
        ) -> None:
            super()._respond(code, content_type, body, send_body, close, fields)
            if defect == "extra-byte" and send_body and body:
                self.wfile.write(b"!" * 65536)
            if defect == "close-keeps-open" and close:
                self.close_connection = False

    return BrokenHandler


def main() -> int:
    return serve_defect(__doc__, DEFECTS, broken_handler)


if __name__ == "__main__":
    sys.exit(main())
