"""A server that cannot print the ready line: it listens on the port it is given, answers
every connection with one fixed response, and prints nothing.

    python silent_server.py PORT
"""

import socket
import sys

with socket.create_server(("127.0.0.1", int(sys.argv[1]))) as listener:
    while True:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
