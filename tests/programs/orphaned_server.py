"""Start a built-in server through the launcher, print its pid, then die by SIGKILL.

The server must notice (its stdin closes) and exit by itself.
"""

import os
import signal

from harness.launcher import launch, server_command

server = launch("stdlib-http11", server_command("stdlib-http11"))
print(server.process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
