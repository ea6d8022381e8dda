"""Run one in-process server implementation (a registered factory) out of process.

    python -m harness.serve NAME --host 127.0.0.1 --port 0 [--certfile F --keyfile F]
        [--stop-on-stdin-eof]

Follows the launch protocol of harness/servers/command.py: one ready line,
``LISTENING <host> <port>``, once the socket accepts connections, then serves until SIGTERM
(or SIGINT, or the end of stdin) and exits with status 0.
"""

from __future__ import annotations

import argparse
import sys

from harness import extensions
from harness.implementation import Kind, UnknownImplementation
from harness.registry import REGISTRY
from harness.servers import command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.serve", description=__doc__)
    parser.add_argument(
        "name", help="server implementation: " + ", ".join(REGISTRY.names(Kind.SERVER))
    )
    command.add_arguments(parser)
    args = command.parse(parser, argv)
    try:
        # Servers of installed packages too: their entry points name them.
        extensions.register_all(REGISTRY, [], {})
        impl = REGISTRY.get(Kind.SERVER, args.name)
    except (UnknownImplementation, extensions.ExtensionError) as exc:
        print(f"harness.serve: {exc}", file=sys.stderr)
        return 2
    if impl.command:
        print(f"harness.serve: {impl.name} is run by its own command, not here", file=sys.stderr)
        return 2
    build = impl.load()

    def serve(options: command.Options) -> None:
        command.run(build(options.host, options.port, options.certfile, options.keyfile))

    return command.serve_until_stopped(serve, args)


if __name__ == "__main__":
    sys.exit(main())
