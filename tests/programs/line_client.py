"""An external client of the json-lines protocol (docs/contract.md) that breaks it once.

    python line_client.py STATE answer|silent|garbage|once

The first process (STATE, a file path, does not exist yet: it creates it) plays the mode;
every later one answers, so a test sees the harness start a fresh process after the broken
one. Answering is a normalised connect.refused error whose text is the process id.
``silent`` reads a line and never answers, ``garbage`` answers a line that is not JSON,
``once`` answers one line and exits. Each line also writes "got a line" to stderr.
"""

import json
import os
import sys
import time

state, mode = sys.argv[1], sys.argv[2]
if os.path.exists(state):
    mode = "answer"
else:
    open(state, "w").close()
error = {"kind": "connect.refused", "type": "none", "text": str(os.getpid())}
for _ in sys.stdin:
    print("got a line", file=sys.stderr, flush=True)
    if mode == "silent":
        time.sleep(300)
    print("not json" if mode == "garbage" else json.dumps({"error": error}), flush=True)
    if mode == "once":
        sys.exit(0)
