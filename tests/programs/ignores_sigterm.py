"""A server whose process group outlives SIGTERM.

    python ignores_sigterm.py CHILD_PIDFILE [--leader-obeys-sigterm]

Binds a loopback socket, spawns a child that ignores SIGTERM, writes the child's pid to
CHILD_PIDFILE, prints a valid ready line and answers every connection with one fixed
response (204). The leader ignores SIGTERM too, unless --leader-obeys-sigterm: then it
exits at once, and only the child holds out.
"""

import contextlib
import signal
import socket
import subprocess
import sys
from pathlib import Path

# Set before spawning: an ignored signal stays ignored in the child across exec, so only
# SIGKILL sent to the whole process group can stop the child.
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
Path(sys.argv[1]).write_text(str(child.pid), encoding="utf-8")
if "--leader-obeys-sigterm" in sys.argv[2:]:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

with socket.create_server(("127.0.0.1", 0)) as listener:
    print(f"LISTENING 127.0.0.1 {listener.getsockname()[1]}", flush=True)
    while True:
        conn, _ = listener.accept()
        with conn, contextlib.suppress(OSError):  # the launcher's look sends nothing
            conn.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
