"""gunicorn serving the plain WSGI contract app (harness/servers/wsgi_app.py).

    python -m harness.servers.gunicorn_server --host 127.0.0.1 --port 0 [--certfile F --keyfile F]

``serve`` takes the WSGI application to run, so that another contract app is served with
the same settings (harness/servers/django_gunicorn.py: Django under gunicorn).

Run programmatically (gunicorn.app.base.BaseApplication) with the gthread worker: one worker
process with a pool of threads, the worker class that keeps HTTP/1.1 connections alive (the
default sync worker closes every connection). The arbiter forks the worker into this
process group and handles SIGTERM itself: it stops the worker within ``graceful_timeout``
and exits with status 0.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from harness import deadlines
from harness.servers import command, wsgi_app

WSGIApplication = Callable[[wsgi_app.Environ, wsgi_app.StartResponse], Iterable[bytes]]
THREADS = 4  # gthread's pool: a client holding a connection idle leaves others served


class ContractApplication(BaseApplication):
    """A WSGI contract app with settings given in code rather than a config file."""

    def __init__(self, settings: dict[str, Any], application: WSGIApplication) -> None:
        self._settings = settings
        self._application = application
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._settings.items():
            self.cfg.set(name, value)

    def load(self) -> WSGIApplication:
        return self._application


def serve(options: command.Options, application: WSGIApplication = wsgi_app.application) -> None:
    """Serve ``application`` (by default the plain WSGI contract app) until SIGTERM."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    settings: dict[str, Any] = {
        "bind": [f"{host}:{options.port}"],
        "worker_class": "gthread",
        "workers": 1,
        "threads": THREADS,
        "graceful_timeout": math.ceil(deadlines.SERVER_SHUTDOWN_GRACE),  # whole seconds
        # The control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl),
        # which servers running side by side would fight over; the harness does not use it.
        "control_socket_disable": True,
        "when_ready": _announce,
    }
    if options.certfile:
        settings |= {"certfile": options.certfile, "keyfile": options.keyfile}
    ContractApplication(settings, application).run()


def _announce(arbiter: Arbiter) -> None:
    # when_ready: the arbiter has bound its listeners (which accept connections into their
    # backlog from here on) and is about to fork the worker.
    command.announce(arbiter.LISTENERS[0].sock.getsockname())


if __name__ == "__main__":
    sys.exit(
        command.main(serve, prog="python -m harness.servers.gunicorn_server", description=__doc__)
    )
