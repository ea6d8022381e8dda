"""docs/adding-an-implementation.md works as written: its ``sh`` blocks run in order from the
root of a fresh copy of the repository, as a reader who just cloned it would run them.

A block's ``<!-- doc-test: ... -->`` line just above it says how, directives separated by
``;``: ``background`` (a server: the block is one command, it must print its ready line and
is stopped with SIGTERM at the next heading, exiting 0), ``exits N`` (the status the doc
claims; 0 otherwise), ``prints "TEXT"`` (a JSON string its stdout must contain), ``file
PATH`` / ``append PATH`` (a non-shell block the reader saves as PATH).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness import deadlines
from harness.launcher import ServerProcess, launch
from tests.pytest_run import DEADLINE, ROOT

DOC = ROOT / "docs" / "adding-an-implementation.md"
_MARK = re.compile(r"<!-- doc-test: (?P<directives>.*) -->")
_FENCE = re.compile(r"```(?P<language>\S*)")
_DIRECTIVE = re.compile(
    r'(?P<name>background)|exits (?P<exits>\d+)|prints (?P<prints>".*")|'
    r"(?P<mode>file|append) (?P<path>\S+)"
)


@dataclass
class Block:
    """A fenced block of the doc and what its mark says to do with it."""

    line: int  # of its opening fence, for messages
    language: str
    text: str
    section: int  # how many headings come before it
    background: bool = False
    exits: int = 0
    prints: list[str] = field(default_factory=list)
    saved_as: str | None = None
    append: bool = False

    @property
    def where(self) -> str:
        return f"{DOC.relative_to(ROOT)}:{self.line}"


def _mark(block: Block, directives: str) -> None:
    for directive in (part.strip() for part in directives.split(";")):
        found = _DIRECTIVE.fullmatch(directive)
        if found is None:
            raise ValueError(
                f"{block.where}: unknown doc-test directive {directive!r}; valid: background, "
                'exits N, prints "TEXT", file PATH, append PATH'
            )
        if found["name"]:
            block.background = True
        elif found["exits"]:
            block.exits = int(found["exits"])
        elif found["prints"]:
            block.prints.append(json.loads(found["prints"]))
        else:
            block.saved_as, block.append = found["path"], found["mode"] == "append"


def blocks(text: str) -> Iterator[Block]:
    """The doc's fenced blocks, each with its mark applied."""
    lines = iter(enumerate(text.split("\n"), 1))
    section, mark = 0, None
    for number, line in lines:
        fence = _FENCE.match(line)
        if fence is None:
            if line.startswith("#"):
                section += 1
            if line.strip():
                mark = _MARK.fullmatch(line.strip())
            continue
        body = []
        for _, inner in lines:
            if inner.startswith("```"):
                break
            body.append(inner)
        block = Block(number, fence["language"], "\n".join(body) + "\n", section)
        if mark is not None:
            _mark(block, mark["directives"])
        mark = None
        yield block


def _fresh_copy(destination: Path) -> Path:
    """The repository's files as a fresh clone has them (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def _environment() -> dict[str, str]:
    """The reader's shell: ``python`` and ``pytest`` of this interpreter's environment, and
    nothing of the pytest run this test is part of."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _stop(server: ServerProcess, block: Block) -> None:
    status = server.stop()
    assert status == 0, f"{block.where}: {server.command} exited {status} on SIGTERM"


def test_the_doc_marks_its_blocks_correctly() -> None:
    found = list(blocks(DOC.read_text(encoding="utf-8")))
    runnable = [block for block in found if block.language == "sh"]
    assert any(block.background for block in runnable), "no server started by hand"
    assert any(block.saved_as for block in found), "no implementations file saved"
    for block in found:
        if block.background:
            assert block.language == "sh", f"{block.where}: only a sh block runs in background"
        if block.saved_as:
            assert block.language != "sh", f"{block.where}: a sh block is run, not saved"


def test_every_command_of_the_walk_through_works_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = _fresh_copy(tmp_path)
    monkeypatch.chdir(clone)  # the background servers' working directory too
    env = _environment()
    servers: list[tuple[ServerProcess, Block]] = []
    try:
        for block in blocks(DOC.read_text(encoding="utf-8")):
            while servers and servers[-1][1].section != block.section:
                _stop(*servers.pop())
            if block.saved_as:
                with (clone / block.saved_as).open("a" if block.append else "w") as file:
                    file.write(block.text)
            elif block.language == "sh" and block.background:
                commands = [line for line in block.text.splitlines() if line and line[0] != "#"]
                assert len(commands) == 1, f"{block.where}: a background block is one command"
                server = launch(
                    block.where,
                    shlex.split(commands[0]),
                    env=env,
                    ready_timeout=deadlines.SERVER_READY,
                )
                servers.append((server, block))
            elif block.language == "sh":
                done = subprocess.run(
                    ["bash", "-e", "-o", "pipefail", "-c", block.text],
                    cwd=clone,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=DEADLINE,
                    check=False,
                )
                output = f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
                assert done.returncode == block.exits, (
                    f"{block.where}: exited {done.returncode}, the doc says {block.exits}\n"
                    f"{block.text}{output}"
                )
                for text in block.prints:
                    assert text in done.stdout, f"{block.where}: printed no {text!r}\n{output}"
        while servers:
            _stop(*servers.pop())
    finally:
        for server, _ in servers:
            server.stop()
