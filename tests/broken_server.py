"""A deliberately broken server: the reference stdlib server with one defect switched on.

    python tests/broken_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). Each defect breaks one thing a methods
case checks, so the self-tests can show that the check fails on it; DEFECT "none" is the
unbroken reference. It is not a registered implementation: it never enters a real run.
"""

from __future__ import annotations

import http.server
import os
import sys
from collections.abc import Callable
from typing import Any

from broken_base import serve_defect  # run as a script: tests/ is on sys.path

from harness import contract
from harness.servers import stdlib


def _drop_query(fields: dict[str, Any]) -> None:
    fields["target"] = fields["target"].partition("?")[0]


def _wrong_method(fields: dict[str, Any]) -> None:
    fields["method"] = "GET"


def _truncate_body(fields: dict[str, Any]) -> None:
    fields["body"] = fields["body"][:-1]


def _drop_content_length(fields: dict[str, Any]) -> None:
    fields["headers"] = [(k, v) for k, v in fields["headers"] if k.lower() != "content-length"]


def _add_content_length(fields: dict[str, Any]) -> None:
    if not any(k.lower() == "content-length" for k, _ in fields["headers"]):
        fields["headers"] = [*fields["headers"], ("Content-Length", "0")]


def _squash_whitespace(fields: dict[str, Any]) -> None:
    fields["headers"] = [(k, " ".join(v.split())) for k, v in fields["headers"]]


def _reverse_repeated(fields: dict[str, Any]) -> None:
    fields["headers"] = list(reversed(fields["headers"]))


# Defects in what /echo reports about the request it received.
ECHO_DEFECTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "drop-query": _drop_query,
    "wrong-method": _wrong_method,
    "truncate-body": _truncate_body,
    "drop-content-length": _drop_content_length,
    "add-content-length": _add_content_length,
    "squash-whitespace": _squash_whitespace,
    "reverse-repeated": _reverse_repeated,
}
# Defects in how the handler itself behaves.
HANDLER_DEFECTS = ("head-body", "head-fields", "any-method", "fold-method-case", "crash")
CRASH_STATUS = 70  # crash: the exit status after the first request, with a line on stderr
DEFECTS = ("none", *ECHO_DEFECTS, *HANDLER_DEFECTS)


def broken_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    class BrokenHandler(stdlib.Http11Handler):
        def do_HEAD(self) -> None:
            # head-body: content after a HEAD response, against RFC 9110 §9.3.2.
            self._answer(send_body=defect == "head-body")

        def send_header(self, keyword: str, value: str) -> None:
            if defect == "head-fields" and self.command == "HEAD" and keyword == "Content-Type":
                value = "text/x-different"
            super().send_header(keyword, value)

        def parse_request(self) -> bool:
            ok = super().parse_request()
            if ok and defect == "fold-method-case":
                self.command = self.command.upper()
            if ok and defect == "crash":
                # crash: the whole server dies on its first request, unanswered.
                print(f"crashing on {self.command} {self.path}", file=sys.stderr, flush=True)
                os._exit(CRASH_STATUS)
            return ok

        def __getattr__(self, name: str) -> Any:
            # any-method: every method, known or not, is served like GET.
            if defect == "any-method" and name.startswith("do_"):
                return self.do_GET
            raise AttributeError(name)

    return BrokenHandler


def main() -> int:
    defect = sys.argv[1] if len(sys.argv) > 1 else ""
    mutate = ECHO_DEFECTS.get(defect)
    if mutate is not None:
        original = contract.echo_document

        def broken_echo_document(**fields: Any) -> bytes:
            mutate(fields)
            return original(**fields)

        contract.echo_document = broken_echo_document
    return serve_defect(__doc__, DEFECTS, broken_handler)


if __name__ == "__main__":
    sys.exit(main())
