"""Every static-files check fails on a static server broken in the way it checks, and passes
on simplehttp.

The broken servers are SimpleHTTPRequestHandler subclasses with one defect each, serving the
folder harness/servers/simplehttp.py generates, in this process; simplehttp itself runs as
the suites run it, out of process through its command.
"""

from __future__ import annotations

import http.server
import inspect
import os
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pytest

from harness.cases import CheckFailed, case_of
from harness.launcher import launch
from harness.model import Target
from harness.probe import ServerProbe
from harness.servers import simplehttp
from suites import test_static as static

Handler = http.server.SimpleHTTPRequestHandler
POLL = 0.05  # how often an in-process server looks whether it is asked to stop


class NoRedirect(Handler):
    """Answers a directory named without its trailing slash with its listing, no 301."""

    def send_head(self) -> BinaryIO | None:
        path = self.translate_path(self.path)
        if os.path.isdir(path) and not urllib.parse.urlsplit(self.path).path.endswith("/"):
            return self.list_directory(path)
        return super().send_head()


class FollowsDotDot(Handler):
    """Maps the percent-decoded path onto the folder as it is, '..' included."""

    def translate_path(self, path: str) -> str:
        decoded = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        return os.path.normpath(f"{self.directory}/{decoded}")


class IgnoresIfModifiedSince(Handler):
    """Answers every GET in full, as if If-Modified-Since had not been sent."""

    def send_head(self) -> BinaryIO | None:
        del self.headers["If-Modified-Since"]
        return super().send_head()


class ContentAfterNotModified(Handler):
    """Writes the file's content after a 304's head."""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.sent_status = code
        super().send_response(code, message)

    def end_headers(self) -> None:
        super().end_headers()
        if self.sent_status == 304:
            self.wfile.write(simplehttp.FILES[static.FILE])


class ContentOnHead(Handler):
    """Answers HEAD as GET, content included."""

    do_HEAD = Handler.do_GET


class NoLengthOnHead(Handler):
    """Leaves Content-Length out of HEAD responses."""

    def send_header(self, keyword: str, value: str) -> None:
        if self.command != "HEAD" or keyword.lower() != "content-length":
            super().send_header(keyword, value)


BREAKS: dict[Callable[..., None], type[Handler]] = {
    static.test_directory_redirects_to_the_slash_form: NoRedirect,
    static.test_no_path_reaches_outside_the_root: FollowsDotDot,
    static.test_if_modified_since_gets_304: IgnoresIfModifiedSince,
    static.test_not_modified_has_no_content: ContentAfterNotModified,
    static.test_head_has_no_content: ContentOnHead,
    static.test_head_has_the_content_length: NoLengthOnHead,
}
CHECKS = sorted(BREAKS, key=lambda check: case_of(check).id)


def _case_id(check: Callable[..., None]) -> str:
    return case_of(check).id


def _call(check: Callable[..., None], probe: ServerProbe) -> None:
    """Call a suite check with its cell (and a record_property that keeps nothing)."""
    if "record_property" in inspect.signature(check).parameters:
        check(probe, record_property=lambda name, value: None)
    else:
        check(probe)


@contextmanager
def broken(handler: type[Handler], folder: Path) -> Iterator[ServerProbe]:
    """``handler`` serving the generated folder on loopback, in this process."""
    server = simplehttp.build(simplehttp.make_tree(folder), "127.0.0.1", 0, None, None, handler)
    thread = threading.Thread(target=server.serve_forever, args=(POLL,), daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield ServerProbe(Target("http", host, port))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def simplehttp_server() -> Iterator[ServerProbe]:
    """The real simplehttp, started by its command as a run starts it."""
    command = [sys.executable, "-m", "harness.servers.simplehttp", "--host", "127.0.0.1"]
    server = launch("simplehttp", [*command, "--port", "0", "--stop-on-stdin-eof"])
    yield ServerProbe(server.target)
    server.stop()


def test_every_static_case_has_a_breaking_defect() -> None:
    cases = {name: obj for name, obj in vars(static).items() if case_of(obj) and callable(obj)}
    missing = sorted(name for name, check in cases.items() if check not in BREAKS)
    assert not missing, f"static checks without a self-test defect: {missing}"


@pytest.mark.parametrize("check", CHECKS, ids=_case_id)
def test_check_fails_on_broken_server(check: Callable[..., None], tmp_path: Path) -> None:
    case = case_of(check)
    with broken(BREAKS[check], tmp_path) as probe, pytest.raises(CheckFailed) as failure:
        _call(check, probe)
    assert f"({case.rfc})" in str(failure.value), "a failure names the RFC section"
    assert str(failure.value).startswith("expected "), "a failure reads 'expected X (RFC), got Y'"


@pytest.mark.parametrize("check", CHECKS, ids=_case_id)
def test_check_passes_on_simplehttp(
    check: Callable[..., None], simplehttp_server: ServerProbe
) -> None:
    _call(check, simplehttp_server)


@pytest.mark.parametrize("check", CHECKS, ids=_case_id)
def test_check_passes_on_the_unbroken_handler(check: Callable[..., None], tmp_path: Path) -> None:
    # The defects are all that differ: the same in-process set-up without one passes.
    with broken(Handler, tmp_path) as probe:
        _call(check, probe)


def test_simplehttp_keeps_the_secret_outside_what_it_serves(tmp_path: Path) -> None:
    root = simplehttp.make_tree(tmp_path)
    assert (root.parent / simplehttp.SECRET_NAME).read_bytes() == simplehttp.SECRET
    served = {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}
    assert served == set(simplehttp.FILES)
