"""``python -m harness``: the report, diff, merge and list commands (harness/cli.py)."""

import sys

from harness.cli import main

sys.exit(main())
