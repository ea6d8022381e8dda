"""An external client that spawns a sleeping child, then hangs or answers at once.

    python client_leaving_a_child.py MARKER hang|answer

``hang`` never answers (the harness kills it at its deadline); ``answer`` prints a
normalised error and exits while the child sleeps on. The child's command line ends with
MARKER, so a test finds it in /proc whoever its parent has become.
"""

import json
import subprocess
import sys
import time

marker, mode = sys.argv[1], sys.argv[2]
subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(300)", marker],
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
sys.stdin.read()
if mode == "answer":
    error = {"kind": "connect.refused", "type": "none", "text": "left a child behind"}
    print(json.dumps({"error": error}))
    sys.exit(0)
time.sleep(300)
