"""Installed, the plugin loads in every pytest run (its pytest11 entry point): it leaves a
user's other projects alone, and runs the suites from any folder with --pyargs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from tests.pytest_run import DEADLINE, ROOT
from tests.real_results import load_valid

# A user's own project: a test that reads an environment variable the cells' scrub removes,
# one that warns (a warning is no error there), and an unrelated fixture of its own.
UNRELATED = """
import os
import warnings

import pytest


@pytest.fixture
def server():
    return "theirs"


def test_environment_is_theirs():
    assert os.environ["REQUESTS_CA_BUNDLE"] == "/their/bundle.pem"


def test_a_warning_stays_a_warning():
    warnings.warn("old", DeprecationWarning)


def test_their_fixture(server):
    assert server == "theirs"
"""


def pytest_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest run in ``folder``, outside this checkout, as a user runs it there."""
    env = {**os.environ, "REQUESTS_CA_BUNDLE": "/their/bundle.pem"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        env=env,
        check=False,
    )


def _without_plugin_list_and_times(output: str) -> str:
    lines = [line for line in output.splitlines() if not line.startswith("plugins: ")]
    return re.sub(r" in [0-9.]+s", "", "\n".join(lines))


def test_an_unrelated_project_sees_no_trace_of_the_plugin(tmp_path: Path) -> None:
    (tmp_path / "test_theirs.py").write_text(textwrap.dedent(UNRELATED), encoding="utf-8")
    done = pytest_in(tmp_path, "-rA", "--strict-markers")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed, 1 warning" in done.stdout
    # Nothing written beside their test but Python's own bytecode cache.
    written = sorted(path.name for path in tmp_path.iterdir() if path.name != "__pycache__")
    assert written == ["test_theirs.py"]
    # The same run with the plugin turned off prints the same, but for pytest's list of
    # plugins in the header.
    alone = pytest_in(tmp_path, "-rA", "--strict-markers", "-p", "no:harness.plugin")
    assert "http-interop" not in alone.stdout
    assert _without_plugin_list_and_times(done.stdout) == _without_plugin_list_and_times(
        alone.stdout
    )
    # ...though it is loaded there: its options are in pytest's help.
    helped = pytest_in(tmp_path, "--help")
    assert "--impls=FILE" in helped.stdout and "--server=NAME" in helped.stdout


def test_the_suites_run_from_another_folder(tmp_path: Path) -> None:
    # No ini file here: the markers, the warning filter and the implementations files come
    # from the plugin and the package, not from this repository's pyproject.toml.
    impls = tmp_path / "with space" / "impls.toml"
    impls.parent.mkdir()
    command = f"{sys.executable} -m harness.serve stdlib-http11 --host {{host}} --port {{port}}"
    impls.write_text(
        f'[[server]]\nname = "mine"\ncommand = {command.split()!r}\n'.replace("'", '"')
    )
    results = tmp_path / "out" / "results.json"
    done = pytest_in(
        tmp_path,
        *("--pyargs", "harness.suites", "--impls", str(impls), "--strict-markers"),
        *("--server", "mine", "--client", "requests", "-m", "methods", "-q"),
        *("--results", str(results), "--junitxml", str(tmp_path / "junit.xml")),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    cells = load_valid(results)["cells"]
    assert cells and {cell["suite"] for cell in cells} == {"methods"}
    assert {cell["server"] for cell in cells} == {"mine"}
    assert "known" in {cell["outcome"] for cell in cells}, "the suites' expectation files"
    assert "http-interop" in done.stdout


def test_every_package_is_in_the_distribution() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {"harness": ROOT / "harness"}
    folders.update(
        {package: ROOT / folder for package, folder in setuptools["package-dir"].items()}
    )
    on_disk = {
        ".".join([package, *init.parent.relative_to(folder).parts])
        for package, folder in folders.items()
        for init in folder.rglob("__init__.py")
    }
    assert sorted(setuptools["packages"]) == sorted(on_disk)
