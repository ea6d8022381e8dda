"""A server that breaks the launch protocol or HTTP in one way, chosen on the command line.

    python hostile_server.py MODE

Every mode but ``wrong-port`` prints a valid ready line, then, on each connection, reads
the request head and:

- ``silent``: never answers (and keeps the connection open);
- ``half-close``: sends half the body its Content-Length announces, then closes;
- ``crash-mid-response``: sends the head and half the body, then exits with status 70;
- ``endless-fields``: sends a status line, then field lines without end.

``wrong-port`` prints a ready line naming a port nobody listens on, then serves as
``silent`` on another.
"""

import contextlib
import os
import socket
import sys
import threading

CRASH_STATUS = 70
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n\r\n"
HALF_BODY = b"0123456789"


def read_head(conn: socket.socket) -> bool:
    """Whether a request head came (the launcher's look at the port sends none)."""
    received = b""
    while b"\r\n\r\n" not in received:
        data = conn.recv(65536)
        if not data:
            return False
        received += data
    return True


def serve(conn: socket.socket, mode: str) -> None:
    with conn:
        if not read_head(conn):
            return
        if mode == "half-close":
            conn.sendall(HEAD + HALF_BODY)
        elif mode == "crash-mid-response":
            conn.sendall(HEAD + HALF_BODY)
            sys.stderr.write("crashing in the middle of a response\n")
            sys.stderr.flush()
            os._exit(CRASH_STATUS)
        elif mode == "endless-fields":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            with contextlib.suppress(OSError):  # until the client gives up
                for number in range(10**9):
                    conn.sendall(b"X-Field-%d: more\r\n" % number)
        else:
            while conn.recv(65536):  # silent: until the client gives up
                pass


def main() -> None:
    mode = sys.argv[1]
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        if mode == "wrong-port":
            with socket.create_server(("127.0.0.1", 0)) as other:
                port = other.getsockname()[1]  # closed again: nobody listens there
        print(f"LISTENING 127.0.0.1 {port}", flush=True)
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn, mode), daemon=True).start()


main()
