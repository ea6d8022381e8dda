"""tox's in-tree plugin: Pythons installed by pyenv count as installed.

tox finds ``python3.12`` and ``python3.13`` on PATH, and through a pyenv shim only the
versions pyenv has made active (usually one), so on a machine with pyenv the py312 and py313
environments would be skipped although the interpreters are there. This appends each pyenv
version's ``bin`` folder to PATH, after everything already on it, so the interpreter PATH
names first stays the default. A version that is still missing is listed as SKIP in tox's
final report.
"""

from __future__ import annotations

import os
from pathlib import Path

from tox.config.sets import ConfigSet
from tox.plugin import impl
from tox.session.state import State


def _pyenv_bins() -> list[str]:
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    return [str(path) for path in sorted((root / "versions").glob("3.*/bin")) if path.is_dir()]


@impl
def tox_add_core_config(core_conf: ConfigSet, state: State) -> None:
    path = os.environ.get("PATH", "").split(os.pathsep)
    os.environ["PATH"] = os.pathsep.join(path + [b for b in _pyenv_bins() if b not in path])
