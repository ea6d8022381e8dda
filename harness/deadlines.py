"""Named deadlines, in seconds. Every wait in the harness uses one of these.

CI machines are slower and busier than a developer's, so the values grow there (CI=true).
"""

from __future__ import annotations

import os

SCALE = 3.0 if os.environ.get("CI", "").lower() in ("1", "true", "yes") else 1.0

# From spawning a server process to its ready line: covers interpreter start and imports.
SERVER_READY = 20.0 * SCALE
# From SIGTERM to exit before the process group is killed.
SERVER_STOP_GRACE = 3.0 * SCALE
# After SIGKILL, how long to wait for the kernel to reap the process.
SERVER_KILL_WAIT = 5.0 * SCALE
# One client exchange with a well-behaved server on loopback (connect, then read).
CONNECT = 5.0 * SCALE
READ = 15.0 * SCALE
