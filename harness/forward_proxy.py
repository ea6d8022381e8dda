"""A real HTTP forward proxy for the proxy suite: tinyproxy (Debian's package), started out of
process by the launcher like every server, from a configuration written here.

Its outgoing connections leave from ORIGIN_SIDE_ADDRESS (tinyproxy's ``Bind``), another
loopback address than the clients', so an origin sees by the peer address alone whether a
request came through the proxy or straight from the client.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness import deadlines
from harness.launcher import ServerProcess, free_port, launch
from harness.model import Proxy, Target
from harness.probe import send_raw

PROGRAM = "tinyproxy"
# Where tinyproxy's connections to origins come from (any 127.0.0.0/8 address is loopback).
ORIGIN_SIDE_ADDRESS = "127.0.0.2"
# The credentials the authenticating instance asks for (tinyproxy's BasicAuth).
CREDENTIALS = ("interop", "s3cret")
# The name under which tinyproxy answers with its own statistics page (its ``StatHost``).
STAT_HOST = "tinyproxy.stats"
_REQUESTS = re.compile(rb"Number of requests: (\d+)")


def missing() -> str | None:
    """Why the proxy cannot run here, or None."""
    if shutil.which(PROGRAM) is None:
        return f"{PROGRAM} is not installed (apt-get install tinyproxy; .ci/run installs it)"
    return None


def _config(port: int, credentials: tuple[str, str] | None) -> str:
    lines = [
        f"Port {port}",
        "Listen 127.0.0.1",
        f"Bind {ORIGIN_SIDE_ADDRESS}",
        "Allow 127.0.0.1",
        # Its idle timeout on a connection, in seconds; a case's exchange ends well before.
        "Timeout 30",
        "MaxClients 64",
        "LogLevel Connect",
        f'StatHost "{STAT_HOST}"',
        # No ConnectPort line: CONNECT is allowed to every port (the origins' are ephemeral).
    ]
    if credentials is not None:
        lines.append("BasicAuth {} {}".format(*credentials))
    return "\n".join(lines) + "\n"


def start(folder: Path, *, authenticating: bool) -> tuple[ServerProcess, Proxy]:
    """Start tinyproxy in the foreground (``-d``) on a free loopback port; the proxy record
    carries the credentials it asks for when ``authenticating``."""
    credentials = CREDENTIALS if authenticating else None
    port = free_port()
    config = folder / f"tinyproxy-{port}.conf"
    config.write_text(_config(port, credentials))
    name = "tinyproxy (basic auth)" if authenticating else "tinyproxy"
    # Under harness.stdin_guard: tinyproxy does not stop when the harness dies by itself.
    command = [sys.executable, "-m", "harness.stdin_guard", PROGRAM, "-d", "-c", str(config)]
    process = launch(name, command, ready_port=port)
    return process, Proxy("127.0.0.1", port, credentials)


def requests_served(proxy: Proxy) -> int:
    """How many requests (CONNECT included) the proxy has read so far, this one included:
    its statistics page, for a request to an origin whose address tells nothing (a real
    server's peer is not in its answer)."""
    ask = b"GET http://%s/ HTTP/1.0\r\n\r\n" % STAT_HOST.encode()
    result = send_raw(
        Target("http", proxy.host, proxy.port), ask, idle_timeout=deadlines.PROBE_QUIET
    )
    found = _REQUESTS.search(result.final[0].body) if result.final else None
    if found is None:
        raise RuntimeError(f"tinyproxy's statistics page did not answer: {result.describe()}")
    return int(found[1])


@dataclass(frozen=True)
class ForwardProxies:
    open: Proxy
    authenticating: Proxy  # answers 407 without its credentials


@contextlib.contextmanager
def running(folder: Path) -> Iterator[ForwardProxies]:
    """Two instances, one open and one asking for CREDENTIALS, stopped on exit."""
    with contextlib.ExitStack() as stack:
        open_process, open_proxy = start(folder, authenticating=False)
        stack.callback(open_process.stop)
        auth_process, auth_proxy = start(folder, authenticating=True)
        stack.callback(auth_process.stop)
        yield ForwardProxies(open_proxy, auth_proxy)
