"""``python -m http.server`` run by its own command line over the static suite's folder.

    python -m harness.servers.http_server_cli --host 127.0.0.1 --port PORT
        [--protocol HTTP/1.1] [--certfile F [--keyfile F]] [--stop-on-stdin-eof]

The folder (harness/servers/simplehttp.py: make_tree) is written to a temporary directory;
then this interpreter's ``python -m http.server PORT --bind HOST --directory FOLDER
[--protocol VERSION] [--tls-cert F --tls-key F]`` runs as a child in this process group, so
what is served is the command line itself: its DualStackServer, its handler, its defaults.
It prints no ready line of its own, so the registry polls its port (ready = "port"); the
launcher's SIGTERM reaches both processes. ``--tls-cert``/``--tls-key`` exist from Python
3.14 (harness/registry.py: HTTP_SERVER_TLS_SINCE); before that --certfile is a usage error.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import deadlines
from harness.registry import HTTP_SERVER_TLS_SINCE
from harness.servers import command, simplehttp


def http_server_argv(options: command.Options, folder: Path, protocol: str | None) -> list[str]:
    """The ``python -m http.server`` command line for ``options`` over ``folder``."""
    argv = [sys.executable, "-m", "http.server", str(options.port), "--bind", options.host]
    argv += ["--directory", str(folder)]
    if protocol:
        argv += ["--protocol", protocol]
    if options.certfile:
        argv += ["--tls-cert", options.certfile]
        if options.keyfile:
            argv += ["--tls-key", options.keyfile]
    return argv


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.servers.http_server_cli")
    parser.add_argument("--protocol", help="passed on as --protocol (default: HTTP/1.0)")
    command.add_arguments(parser)
    args = command.parse(parser, None, tls=sys.version_info >= HTTP_SERVER_TLS_SINCE)

    def serve(options: command.Options) -> None:
        with tempfile.TemporaryDirectory(prefix="http-interop-cli-") as parent:
            folder = simplehttp.make_tree(Path(parent))
            child = subprocess.Popen(http_server_argv(options, folder, args.protocol))
            try:
                child.wait()
            finally:
                # A stop by the end of stdin signals this process alone: stop the child too.
                child.terminate()
                try:
                    child.wait(deadlines.SERVER_SHUTDOWN_GRACE)
                except subprocess.TimeoutExpired:
                    child.kill()

    return command.serve_until_stopped(serve, args)


if __name__ == "__main__":
    sys.exit(main())
