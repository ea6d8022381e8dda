"""A deliberately lenient server for the Host probes' self-tests (suites/probes/host.py): the
reference stdlib server given strict Host handling (RFC 9112 §3.2, §3.2.2; RFC 9110 §7.2),
with one defect switched on.

    python tests/broken_host_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). Every request is checked: no Host in
HTTP/1.1, more than one Host line, or a value that is not ``uri-host [ ":" port ]`` gets 400;
for an absolute-form target /echo reports the target's authority as Host. DEFECT "none" is
that strict reference; "host-unchecked" passes any Host through untouched, as most servers
do. It is not a registered implementation: it never enters a real run.
"""

from __future__ import annotations

import http.server
import re
import sys
import urllib.parse

from broken_base import serve_defect  # run as a script: tests/ is on sys.path

from harness import contract
from harness.servers import stdlib

DEFECTS = ("none", "host-unchecked")
# uri-host [ ":" port ]: an IP-literal, or a reg-name (an IPv4 address is one too).
HOST = re.compile(
    r"(?:\[[0-9A-Za-z:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)(?::[0-9]*)?"
)


def host_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    class HostHandler(stdlib.Http11Handler):
        def _answer(self, *, send_body: bool) -> None:
            hosts = self.headers.get_all("Host") or []
            if defect == "none" and (
                len(hosts) > 1
                or (not hosts and self.request_version == "HTTP/1.1")
                or not all(HOST.fullmatch(h) for h in hosts)
            ):
                self.send_error(400, "invalid Host")
                return
            parts = urllib.parse.urlsplit(self.path)
            if contract.route(parts.path, parts.query).name != "echo":
                super()._answer(send_body=send_body)
                return
            fields = list(self.headers.items())
            if defect == "none" and parts.netloc:
                # RFC 9112 §3.2.2: the target's host, not the Host field.
                fields = [(n, parts.netloc if n.lower() == "host" else v) for n, v in fields]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            document = contract.echo_document(
                method=self.command,
                target=self.path,
                http_version=self.request_version,
                headers=fields,
                body=body,
            )
            self._respond(200, "application/json", document, send_body)

    return HostHandler


def main() -> int:
    return serve_defect(__doc__, DEFECTS, host_handler)


if __name__ == "__main__":
    sys.exit(main())
