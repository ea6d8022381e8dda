"""toxfile.py, tox's in-tree plugin: pyenv's Pythons are found after everything on PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import toxfile


def test_pyenv_versions_are_appended_to_path_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("3.12.1", "3.13.0"):
        (tmp_path / "versions" / version / "bin").mkdir(parents=True)
    (tmp_path / "versions" / "3.13.0-venv").mkdir()  # a folder without bin/ is no interpreter
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", "/usr/bin")

    toxfile.tox_add_core_config(None, None)  # type: ignore[arg-type]
    toxfile.tox_add_core_config(None, None)  # type: ignore[arg-type]

    bins = [str(tmp_path / "versions" / v / "bin") for v in ("3.12.1", "3.13.0")]
    assert os.environ["PATH"].split(os.pathsep) == ["/usr/bin", *bins]


def test_without_pyenv_path_is_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "absent"))
    monkeypatch.setenv("PATH", "/usr/bin")
    toxfile.tox_add_core_config(None, None)  # type: ignore[arg-type]
    assert os.environ["PATH"] == "/usr/bin"
