"""What each server documents about its shutdown on SIGTERM, for lifecycle.shutdown.graceful
(suites/test_lifecycle.py).

Only the servers that document a graceful shutdown are here; the adapters set its grace to
SERVER_SHUTDOWN_GRACE (harness/deadlines.py) where the server has the option, so that is the
documented value the run meets. A server not in the table is observed without a verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from harness import deadlines

# What the adapters pass as the grace: gunicorn and uvicorn take whole seconds.
GRACE = deadlines.SERVER_SHUTDOWN_GRACE
WHOLE_GRACE = float(math.ceil(GRACE))


@dataclass(frozen=True)
class DocumentedShutdown:
    """A server's documented shutdown: requests in flight get ``grace`` seconds to finish,
    and (``refuses_new``) it stops accepting connections once the shutdown begins."""

    grace: float
    refuses_new: bool
    source: str  # the statement, and where it is written (version, file:line)

    def describe(self) -> str:
        refuses = ", stops accepting" if self.refuses_new else ""
        return f"in-flight requests finish within {self.grace:g} s{refuses}"


_GUNICORN = DocumentedShutdown(
    WHOLE_GRACE,
    False,
    'graceful_timeout: "After receiving a restart signal, workers have this much time to '
    "finish serving requests. Workers still alive after the timeout (starting from the "
    'receipt of the restart signal) are force killed." (gunicorn 27.0.1, '
    "gunicorn/config.py:923-937); the adapter sets it (harness/servers/gunicorn_server.py)",
)

# django-runserver is not here: Django documents no graceful shutdown for its development
# server (its request threads are daemon threads, django/core/servers/basehttp.py: run).
SHUTDOWNS: dict[str, DocumentedShutdown] = {
    "gunicorn": _GUNICORN,
    # Django documents no shutdown of its own; under gunicorn, gunicorn's applies.
    "django-gunicorn": _GUNICORN,
    "uvicorn": DocumentedShutdown(
        WHOLE_GRACE,
        True,
        '--timeout-graceful-shutdown: "Maximum number of seconds to wait for graceful '
        'shutdown." (uvicorn 0.55.0, uvicorn/main.py:308-312); Server.shutdown: "Stop '
        'accepting new connections." then waits for the tasks (uvicorn/server.py:281-296)',
    ),
    "aiohttp.web": DocumentedShutdown(
        GRACE,
        True,
        "BaseRunner(shutdown_timeout=...): the site stops listening, then the server's "
        "shutdown waits that long for handlers in flight (aiohttp 3.14.5, "
        "aiohttp/web_runner.py:270-277,314-330); the adapter sets it "
        "(harness/servers/aiohttp_server.py)",
    ),
    "node": DocumentedShutdown(
        GRACE,
        True,
        'server.close(): "Stops the server from accepting new connections and closes all '
        "connections connected to this server which are not sending a request or waiting for "
        'a response." (Node.js v20 docs, http); examples/node-server/server.js gives '
        "requests in flight SHUTDOWN_GRACE_MS (2000) before closeAllConnections()",
    ),
}
