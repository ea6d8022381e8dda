"""Start tinyproxy as the proxy suite does (harness/forward_proxy.py), its configuration in the
folder given, print the pid of its guard and of tinyproxy itself, then die by SIGKILL. Both
must notice and exit by themselves."""

import os
import signal
import sys
import time
from pathlib import Path

from harness import forward_proxy

process, _ = forward_proxy.start(Path(sys.argv[1]), authenticating=False)
guard = process.process.pid
children = Path(f"/proc/{guard}/task/{guard}/children")
deadline = time.monotonic() + 5
while not children.read_text().split() and time.monotonic() < deadline:
    time.sleep(0.05)
print(guard, *children.read_text().split(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
