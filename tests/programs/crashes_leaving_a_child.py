"""A server that spawns a worker, then crashes before its ready line.

    python crashes_leaving_a_child.py CHILD_PIDFILE

The worker does not share stdout, so the launcher sees the crash at once (stdout closes)
while the worker lives on in the process group; its pid goes to CHILD_PIDFILE.
"""

import subprocess
import sys
from pathlib import Path

worker = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(300)"], stdout=subprocess.DEVNULL
)
Path(sys.argv[1]).write_text(str(worker.pid), encoding="utf-8")
sys.exit(3)
