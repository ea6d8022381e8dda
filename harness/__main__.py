"""``python -m harness``, the same as the ``http-interop`` command (harness/cli.py)."""

import sys

from harness.cli import main

sys.exit(main(prog="python -m harness"))
