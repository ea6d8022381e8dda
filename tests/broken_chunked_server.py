"""A deliberately broken chunked server: the reference stdlib server given the chunked coding
in both directions, with one defect switched on.

    python tests/broken_chunked_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). ``/stream`` and ``/chunked`` answer with
one chunk per piece, and ``/echo`` decodes chunked request content with Werkzeug's
DechunkedInput (reused, not rewritten). Each defect breaks one thing a chunked interop case
checks, so the self-tests can show that the check fails on it; DEFECT "none" is the unbroken
reference. It is not a registered implementation: it never enters a real run.
"""

from __future__ import annotations

import http.server
import sys
import urllib.parse

from broken_base import serve_defect  # run as a script: tests/ is on sys.path
from werkzeug.serving import DechunkedInput

from harness import contract
from harness.servers import stdlib

DEFECTS = (
    "none",
    "extra-chunk",  # responses: one more chunk, of one byte, before the last chunk
    "short-size",  # responses: every chunk size one less than the data that follows it
    "drop-last-byte",  # requests: the decoded content loses its last byte
    "answer-leftover",  # requests: a 400 after the echo, as if part of the body were a request
    "drop-transfer-encoding",  # requests: /echo's record leaves out Transfer-Encoding
)


def chunked_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    class ChunkedHandler(stdlib.Http11Handler):
        def _answer(self, *, send_body: bool) -> None:
            parts = urllib.parse.urlsplit(self.path)
            found = contract.route(parts.path, parts.query)
            if found.name in ("stream", "chunked"):
                self._send_chunked(contract.pieces(found.number, found.piece), send_body)
            elif found.name == "echo" and "chunked" in self.headers.get("Transfer-Encoding", ""):
                self._echo_chunked(send_body)
            else:
                super()._answer(send_body=send_body)

        def _send_chunked(self, pieces: list[bytes], send_body: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if not send_body:
                return
            if defect == "extra-chunk":
                pieces = [*pieces, b"\x00"]
            short = defect == "short-size"
            chunks = [f"{len(p) - short:x}\r\n".encode() + p + b"\r\n" for p in pieces]
            self.wfile.write(b"".join(chunks) + b"0\r\n\r\n")

        def _echo_chunked(self, send_body: bool) -> None:
            body = DechunkedInput(self.rfile).read()
            if defect == "drop-last-byte":
                body = body[:-1]
            headers = list(self.headers.items())
            if defect == "drop-transfer-encoding":
                headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
            document = contract.echo_document(
                method=self.command,
                target=self.path,
                http_version=self.request_version,
                headers=headers,
                body=body,
            )
            self._respond(200, "application/json", document, send_body)
            if defect == "answer-leftover":
                # 64 KiB of content: more than a client reads ahead with the echo, so the
                # stray response stays on the connection for the follow-up request to meet.
                self.wfile.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 65536\r\n\r\n")
                self.wfile.write(bytes(65536))

    return ChunkedHandler


def main() -> int:
    return serve_defect(__doc__, DEFECTS, chunked_handler)


if __name__ == "__main__":
    sys.exit(main())
