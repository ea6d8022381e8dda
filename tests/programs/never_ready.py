"""A server that starts but never prints its ready line.

    python never_ready.py PIDFILE

Writes its pid to PIDFILE, so a test can check the launcher left no process behind.
"""

import os
import sys
import time
from pathlib import Path

Path(sys.argv[1]).write_text(str(os.getpid()), encoding="utf-8")
time.sleep(300)  # far past any ready_timeout a test passes
