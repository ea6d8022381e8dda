"""Where the files that ship with the package are: the suites' expectation files and the
examples' implementations file. Found through the packages (pyproject.toml maps suites/ and
examples/ to ``harness.suites`` and ``harness.examples``), so a checkout and an installed
wheel find the same files, whatever folder pytest runs in."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def _package_folder(package: str) -> Path:
    return Path(str(importlib.resources.files(package)))


def expectations() -> Path:
    """The folder of ``<implementation>.toml`` expectation files of the suites."""
    return _package_folder("harness.suites") / "expectations"


def regressions() -> Path:
    """The folder of the differential mode's replayable entries (``<digest>.json``)."""
    return _package_folder("harness.suites") / "regressions"


def implementations_file() -> Path:
    """The implementations file of the examples (node, curl), read by every run."""
    return _package_folder("harness.examples") / "implementations.toml"
