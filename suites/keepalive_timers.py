"""Each server's idle keep-alive timer as its documentation (or, failing that, its source)
states it, for keepalive.server.idle_timer (suites/test_keepalive.py).

No adapter in harness/servers/ or examples/ sets a keep-alive option, so every value here is
the default users meet. A source names the version read; a server not in the table is
observed without a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentedTimer:
    """How long a server documents leaving an idle kept-alive connection open."""

    seconds: float | None  # None: it documents no idle timeout at all
    source: str  # the statement, and where it is written (version, file:line)
    # How much later than ``seconds`` the close may come by the server's own design (a timer
    # checked only every so often).
    late: float = 0.0

    def describe(self) -> str:
        if self.seconds is None:
            return "no idle timeout"
        later = f" (up to {self.late:g} s later by design)" if self.late else ""
        return f"{self.seconds:g} s{later}"


_STDLIB = DocumentedTimer(
    None,
    'socketserver.StreamRequestHandler: "A timeout to apply to the request socket, if not '
    'None. timeout = None", which BaseHTTPRequestHandler inherits (Python 3.11.7, '
    "Lib/socketserver.py:791-792)",
)
_GUNICORN = DocumentedTimer(
    2.0,
    'keepalive: "The number of seconds to wait for requests on a Keep-Alive connection", '
    "default 2 (gunicorn 27.0.1, gunicorn/config.py:940-949); the gthread worker closes "
    "expired connections between polls of 1 s (gunicorn/workers/gthread.py:425)",
    late=1.0,
)

TIMERS: dict[str, DocumentedTimer] = {
    "stdlib-http11": _STDLIB,
    "stdlib-threading": _STDLIB,
    # runserver's handler is a BaseHTTPRequestHandler (through wsgiref's), which it leaves
    # without a timeout (django/core/servers/basehttp.py: WSGIRequestHandler, Django 5.2).
    "django-runserver": _STDLIB,
    "flask": DocumentedTimer(
        0.0,
        'Werkzeug: "Always close the connection. This disables HTTP/1.1 keep-alive '
        'connections." (werkzeug 3.1.9, werkzeug/serving.py:299-303)',
    ),
    "gunicorn": _GUNICORN,
    "django-gunicorn": _GUNICORN,  # the same gunicorn settings (harness/servers/gunicorn_server.py)
    "uvicorn": DocumentedTimer(
        5.0,
        '--timeout-keep-alive: "Close Keep-Alive connections if no new data is received '
        'within this timeout (in seconds)", default 5 (uvicorn 0.55.0, uvicorn/main.py:301-304; '
        "Config(timeout_keep_alive=5), uvicorn/config.py:233)",
    ),
    "waitress": DocumentedTimer(
        120.0,
        'channel_timeout: "Maximum seconds to leave an inactive connection open", 120, checked '
        'every cleanup_interval: "Minimum seconds between cleaning up inactive channels", 30 '
        "(waitress 3.0.2, waitress/adjustments.py:233-237), by the main loop, which wakes at "
        "least every asyncore_loop_timeout, 1 s (adjustments.py:264-265; "
        "waitress/server.py:264-268, 342-351)",
        late=31.0,
    ),
    "aiohttp.web": DocumentedTimer(
        3630.0,
        'RequestHandler: "keepalive_timeout -- number of seconds before closing an idle '
        'connection", keepalive_timeout: float = 3630; AppRunner passes none (aiohttp 3.14.5, '
        "aiohttp/web_protocol.py:111,182)",
    ),
    "twisted": DocumentedTimer(
        60.0,
        'HTTPFactory: "timeout: The initial value of L{timeOut}, which defines the idle '
        'connection timeout in seconds", default _REQUEST_TIMEOUT = 1 * 60; Site passes none '
        "(twisted 26.10.0, twisted/web/http.py:210,3353-3364), started again when a response "
        "is done (http.py:2534-2535, 2685-2686)",
    ),
    "node": DocumentedTimer(
        5.0,
        'server.keepAliveTimeout: "Default: 5000 (5 seconds). The number of milliseconds of '
        "inactivity a server needs to wait for additional incoming data, after it has "
        'finished writing the last response, before a socket will be destroyed." (Node.js '
        "v20 docs, http; node v20.20.2: http.createServer().keepAliveTimeout is 5000)",
    ),
}
