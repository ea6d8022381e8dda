"""An external client that spawns a sleeping child, then hangs or answers at once.

    python client_leaving_a_child.py MARKER hang|answer|lines

``hang`` never answers (the harness kills it at its deadline); ``answer`` prints a
normalised error and exits while the child sleeps on; ``lines`` speaks the json-lines
protocol, a new sleeping child and that error for every line, until its stdin ends. The
child's command line ends with MARKER, so a test finds it in /proc whoever its parent has
become.
"""

import json
import subprocess
import sys
import time

marker, mode = sys.argv[1], sys.argv[2]
error = {"kind": "connect.refused", "type": "none", "text": "left a child behind"}


def leave_a_child() -> None:
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)", marker],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


if mode == "lines":
    for _ in sys.stdin:
        leave_a_child()
        print(json.dumps({"error": error}), flush=True)
    sys.exit(0)
leave_a_child()
sys.stdin.read()
if mode == "answer":
    print(json.dumps({"error": error}))
    sys.exit(0)
time.sleep(300)
