"""Django's development server serving the Django contract app (harness/servers/django_app.py).

    python -m harness.servers.django_runserver --host 127.0.0.1 --port 0

What ``manage.py runserver`` runs, without the autoreloader: django.core.servers.basehttp's
WSGIServer, threaded as runserver is by default (basehttp.run(threading=True) mixes in
socketserver.ThreadingMixIn with daemon threads), and its WSGIRequestHandler. It is built
from those classes rather than by basehttp.run, which takes no handler class and serves
until interrupted: here it serves until SIGTERM by harness/servers/command.py. runserver has
no TLS, so this command serves HTTP only: --certfile is a usage error (status 2).
"""

from __future__ import annotations

import socketserver
import sys
from typing import Any

from django.core.servers import basehttp

from harness.servers import command, django_app


class RunserverWSGIServer(socketserver.ThreadingMixIn, basehttp.WSGIServer):
    """The server class basehttp.run builds for runserver's default (threading=True)."""

    daemon_threads = True


class PeerPortRequestHandler(basehttp.WSGIRequestHandler):
    """runserver's request handler, with the client's port in the environ.

    wsgiref's handler (which Django's extends) reports REMOTE_ADDR but not REMOTE_PORT, which
    GET /conn needs; gunicorn, waitress and Werkzeug report both. Nothing else changes.
    """

    def get_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environ()
        environ["REMOTE_PORT"] = str(self.client_address[1])
        return environ


def serve(options: command.Options) -> None:
    ipv6 = ":" in options.host  # as runserver's --ipv6 (basehttp.WSGIServer(ipv6=...))
    server = RunserverWSGIServer((options.host, options.port), PeerPortRequestHandler, ipv6=ipv6)
    server.set_app(django_app.application)
    command.run(server)


if __name__ == "__main__":
    sys.exit(
        command.main(
            serve, prog="python -m harness.servers.django_runserver", description=__doc__, tls=False
        )
    )
