"""A deliberately broken server for the graceful-shutdown self-tests: the reference stdlib
server (ThreadingHTTPServer, HTTP/1.1) with one shutdown defect switched on.

    python tests/broken_shutdown_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). DEFECT "none" drains: its request threads
are not daemons, so server_close() waits for the requests in flight after closing the
listener. It is not a registered implementation: it never enters a real run.
"""

from __future__ import annotations

import http.server
import sys
import time

from broken_base import serve_defect  # run as a script: tests/ is on sys.path

from harness.servers import stdlib

DEFECTS = {
    "none": "closes its listener, lets requests in flight finish, then exits",
    # ThreadingHTTPServer's own default (daemon_threads = True): the process exits without
    # waiting for its request threads.
    "cut-off": "exits at once, cutting requests in flight off",
    "accepts-late": "keeps its listener open, unserved, for ACCEPTS_LATE s after SIGTERM",
}
ACCEPTS_LATE = 2.0


def server_class(defect: str) -> type[http.server.ThreadingHTTPServer]:
    class BrokenServer(http.server.ThreadingHTTPServer):
        daemon_threads = defect == "cut-off"

        def server_close(self) -> None:
            if defect == "accepts-late":
                time.sleep(ACCEPTS_LATE)  # the serve loop has stopped; the listener has not
            super().server_close()

    return BrokenServer


def main() -> int:
    return serve_defect(__doc__, DEFECTS, lambda _defect: stdlib.Http11Handler, server_class)


if __name__ == "__main__":
    sys.exit(main())
