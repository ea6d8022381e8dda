"""Implementations from outside the built-in registry: implementation files, command-line
options, entry points, command-template servers and external clients, and what a broken one
gets (a clear error naming it; every other cell unaffected)."""

from __future__ import annotations

import json
import sys
import textwrap
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from harness import deadlines, extensions
from harness.clients.external import ExternalClient, ExternalClientFailure, request_document
from harness.errors import ClientError, ErrorKind
from harness.extensions import ExtensionError
from harness.implementation import Capability, ClientProtocol, Implementation, Kind, Ready
from harness.launcher import LaunchError, free_port, launch, start_server
from harness.model import ClientCertificate, Proxy, RequestSpec, Target, Timeouts, Verify
from harness.registry import Registry
from tests.leak_probe import kill_all, left_after_stop
from tests.pytest_run import ROOT, run_pytest

PY = sys.executable
PROGRAMS = Path(__file__).parent / "programs"
SILENT = (PY, str(ROOT / "tests" / "programs" / "silent_server.py"), "{port}")
SERVE = [PY, "-m", "harness.serve", "stdlib-threading", "--host", "{host}", "--port", "{port}"]


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_an_implementations_file_declares_servers_and_clients(tmp_path: Path) -> None:
    path = write(
        tmp_path / "impls.toml",
        """
        [[server]]
        name = "thing"
        command = ["thing-server", "--port", "{port}"]
        tls_args = ["--cert", "{certfile}"]
        ready = "port"
        program = "thing-server"
        lacks = { "chunked-response" = "writes no chunked coding" }

        [[client]]
        name = "thing-client"
        command = ["thing-client"]
        provides = []
        """,
    )
    server, client = extensions.load_file(path)
    assert (server.kind, server.name, server.ready) == (Kind.SERVER, "thing", Ready.PORT)
    assert server.command == ("thing-server", "--port", "{port}")
    assert server.lacks == {Capability.CHUNKED_RESPONSE: "writes no chunked coding"}
    assert server.origin == str(path)
    # Every external client runs once per request: no connection outlives it; and it is
    # given no proxy unless its file says it provides "proxy".
    assert {Capability.PERSISTENT_CONNECTIONS, Capability.PROXY} <= set(client.lacks)


def test_a_client_providing_proxy_is_given_one(tmp_path: Path) -> None:
    path = write(
        tmp_path / "impls.toml",
        '[[client]]\nname = "c"\ncommand = ["c"]\nprovides = ["proxy"]\n',
    )
    (client,) = extensions.load_file(path)
    assert client.cannot(Capability.PROXY) is None
    assert client.cannot(Capability.PERSISTENT_CONNECTIONS) is not None


def test_a_client_declares_its_protocol(tmp_path: Path) -> None:
    path = write(
        tmp_path / "impls.toml",
        '[[client]]\nname = "a"\ncommand = ["a"]\n\n'
        '[[client]]\nname = "b"\ncommand = ["b"]\nprotocol = "json-lines"\n',
    )
    one_shot, lines = extensions.load_file(path)
    assert (one_shot.protocol, lines.protocol) == (
        ClientProtocol.ONE_SHOT,
        ClientProtocol.JSON_LINES,
    )
    # Neither keeps a connection from one request to the next (docs/contract.md).
    assert lines.cannot(Capability.PERSISTENT_CONNECTIONS) is not None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[[server]]\nname = 1\n", "'name' is missing"),
        ('[[server]]\nname = "a"\n', "(a): 'command' must be a non-empty array"),
        ('[[server]]\nname = "a"\ncommand = "a b"\n', "'command' must be a non-empty array"),
        ('[[client]]\nname = "a"\ncommand = ["a"]\nflavour = 1\n', "unknown key(s) ['flavour']"),
        ('[[server]]\nname = "a"\ncommand = ["a"]\nready = "soon"\n', "'ready' must be one of"),
        (
            '[[client]]\nname = "a"\ncommand = ["a"]\nprotocol = "lines"\n',
            "(a): 'protocol' must be one of one-shot, json-lines",
        ),
        (
            '[[server]]\nname = "a"\ncommand = ["a"]\nprotocol = "json-lines"\n',
            "'protocol' is for a [[client]] only",
        ),
        (
            '[[server]]\nname = "a"\ncommand = ["a"]\nlacks = { "teleport" = "no" }\n',
            "'teleport' is not a capability; capabilities are: persistent-connections",
        ),
        ('[[servers]]\nname = "a"\n', "unknown table(s) ['servers']"),
        ("[[server]\n", "not valid TOML"),
    ],
)
def test_a_malformed_implementations_file_says_where_and_what(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = write(tmp_path / "impls.toml", text)
    with pytest.raises(ExtensionError) as caught:
        extensions.load_file(path)
    assert str(caught.value).startswith(str(path))
    assert fragment in str(caught.value)


def test_a_missing_implementations_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ExtensionError, match=r"nowhere\.toml: cannot be read"):
        extensions.load_file(tmp_path / "nowhere.toml")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("noequals", "expected NAME=COMMAND"),
        ("a=", "expected NAME=COMMAND"),
        ("a[chunked-request]", "expected NAME=COMMAND"),
        ("a='x", "split"),
    ],
)
def test_a_malformed_command_option_is_refused(text: str, fragment: str) -> None:
    with pytest.raises(ExtensionError, match=fragment):
        extensions.from_option(Kind.SERVER, text)


def test_a_command_option_declares_what_it_lacks() -> None:
    client = extensions.from_option(Kind.CLIENT, "mini[chunked-request, http11-server]=a --b=c")
    assert (client.name, client.command) == ("mini", ("a", "--b=c"))
    assert client.cannot(Capability.CHUNKED_REQUEST) == "declared lacking by --client-cmd"
    assert client.cannot(Capability.HTTP11_SERVER) == "declared lacking by --client-cmd"
    assert client.cannot(Capability.PERSISTENT_CONNECTIONS)  # run once per request
    assert client.cannot(Capability.DUPLICATE_REQUEST_HEADERS) is None


def test_an_unknown_capability_in_a_command_option_lists_the_valid_ones() -> None:
    with pytest.raises(ExtensionError) as caught:
        extensions.from_option(Kind.CLIENT, "mini[chunked-upload]=a")
    message = str(caught.value)
    assert message.startswith("--client-cmd 'mini[chunked-upload]=a': 'chunked-upload' is not")
    assert "capabilities are: " in message and "chunked-request" in message
    assert "\n" not in message


def test_a_duplicate_name_names_both_origins() -> None:
    registry = Registry()
    with pytest.raises(ExtensionError, match=r"'flask' \(--server-cmd\) is already registered"):
        extensions.register_all(registry, [], {Kind.SERVER: ["flask=python -m x"]})


def test_entry_points_of_installed_packages_are_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A package installed on sys.path, as pip would leave it: a module and its dist-info.
    write(
        tmp_path / "fake_adapter.py",
        """
        from harness.implementation import Implementation, Kind

        CLIENT = Implementation(
            name="fake", kind=Kind.CLIENT, description="a fake", package="fake-adapter",
            factory="fake_adapter:FakeClient",
        )
        NOT_AN_IMPLEMENTATION = 42
        """,
    )
    info = tmp_path / "fake_adapter-1.0.dist-info"
    info.mkdir()
    write(info / "METADATA", "Metadata-Version: 2.1\nName: fake-adapter\nVersion: 1.0\n")
    entry_points = "[http_interop.clients]\nfake = fake_adapter:CLIENT\n"
    write(info / "entry_points.txt", entry_points)
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry()
    extensions.register_all(registry, [], {})
    assert registry.get(Kind.CLIENT, "fake").version() == "1.0"

    write(info / "entry_points.txt", entry_points + "broken = fake_adapter:NOT_AN_IMPLEMENTATION\n")
    with pytest.raises(ExtensionError, match=r"entry point 'broken'.*must name a harness"):
        extensions.register_all(Registry(), [], {})


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> Registry:
    """The process's registry, restored after the test."""
    from harness import registry as module

    fresh = Registry()
    monkeypatch.setattr(module, "REGISTRY", fresh)
    monkeypatch.setattr("harness.launcher.REGISTRY", fresh)
    return fresh


@pytest.mark.parametrize("ready", list(Ready))
def test_a_command_server_starts_by_its_ready_line_its_port_or_its_health(
    declared: Registry, ready: Ready
) -> None:
    command = SILENT if ready is Ready.PORT else tuple(SERVE)
    declared.add(Implementation("cmd", Kind.SERVER, "", "", command=command, ready=ready))
    server = start_server("cmd")
    try:
        assert server.target.host == "127.0.0.1" and server.target.port > 0
    finally:
        server.stop()


def test_a_port_server_that_never_listens_fails_within_its_deadline() -> None:
    never = [PY, "-c", "import time; time.sleep(60)"]
    with pytest.raises(
        LaunchError, match="'mute' could not start: did not accept connections on port"
    ):
        launch("mute", never, ready_port=free_port(), ready_timeout=1.0)


def test_a_health_server_that_never_answers_200_fails_within_its_deadline() -> None:
    port = free_port()
    silent = [part.format(port=port) for part in SILENT]  # it answers 204 to everything
    with pytest.raises(LaunchError, match=r"did not answer GET /health .* with 200 \(last: 204\)"):
        launch("mute", silent, ready_port=port, ready=Ready.HEALTH, ready_timeout=1.0)


def test_an_unknown_placeholder_is_named(declared: Registry) -> None:
    declared.add(Implementation("typo", Kind.SERVER, "", "", command=(PY, "{prot}")))
    with pytest.raises(LaunchError, match=r"placeholder .*'prot'.*use \{python\}"):
        start_server("typo")


def test_the_request_document_carries_the_whole_spec() -> None:
    spec = RequestSpec(
        "POST",
        "/echo?x=1",
        headers=[("X-A", "1"), ("X-A", "2")],
        body=iter([b"ab", b"c"]),
        verify=Verify.NONE,
        client_certificate=ClientCertificate("c.pem", "k.pem"),
        http_version="HTTP/1.0",
        proxy=Proxy("127.0.0.1", 3128, ("u", "p")),
    )
    document = request_document(spec, Target("https", "127.0.0.1", 8443, "ca.pem"))
    assert document == {
        "method": "POST",
        "url": "https://127.0.0.1:8443/echo?x=1",
        "target": "/echo?x=1",
        "headers": [["X-A", "1"], ["X-A", "2"]],
        "body": {"chunks_base64": ["YWI=", "Yw=="]},
        "timeouts": {"connect": deadlines.CONNECT, "read": deadlines.REQUEST_READ},
        "verify": "none",
        "ca_file": "ca.pem",
        "client_certificate": {"cert_file": "c.pem", "key_file": "k.pem"},
        "http_version": "HTTP/1.0",
        "defaults": False,
        "proxy": {"host": "127.0.0.1", "port": 3128, "credentials": {"user": "u", "password": "p"}},
    }
    assert request_document(replace(spec, proxy=None), TARGET)["proxy"] is None


def _program(tmp_path: Path, output: str, status: int = 0) -> ExternalClient:
    """An external client that prints ``output`` and exits with ``status``."""
    script = write(
        tmp_path / "client.py",
        f"import sys\nsys.stdin.read()\nprint({output!r})\n"
        f"print('a line of stderr', file=sys.stderr)\nsys.exit({status})\n",
    )
    return ExternalClient("prog", [PY, str(script)])


TARGET = Target("http", "127.0.0.1", 9)


def test_an_external_client_reports_an_exchange(tmp_path: Path) -> None:
    exchange = {
        "status": 200,
        "reason": "OK",
        "http_version": "HTTP/1.1",
        "headers": [["A", "1"]],
        "body_base64": "aGk=",
        "reused": None,
    }
    client = _program(tmp_path, json.dumps({"exchange": exchange}))
    result = client.send(RequestSpec(), TARGET)
    assert (result.status, result.headers, result.body, result.reused) == (
        200,
        [("A", "1")],
        b"hi",
        None,
    )


def test_an_external_client_reports_a_normalised_error(tmp_path: Path) -> None:
    error = {"kind": "tls.hostname", "type": "curl exit 60", "text": "no alternative name"}
    with pytest.raises(ClientError) as caught:
        _program(tmp_path, json.dumps({"error": error})).send(RequestSpec(), TARGET)
    assert caught.value.kind is ErrorKind.TLS_HOSTNAME
    assert (caught.value.original_type, caught.value.original_text) == (
        "curl exit 60",
        "no alternative name",
    )


@pytest.mark.parametrize(
    ("output", "status", "fragment"),
    [
        ("not json", 0, "printed no valid result"),
        ('{"error": {"kind": "tls.weird", "type": "t", "text": "x"}}', 0, "printed no valid"),
        ('{"exchange": {"status": 200}}', 0, "printed no valid result"),
        ("{}", 3, "exited with status 3"),
    ],
)
def test_a_broken_external_client_fails_with_a_clear_reason(
    tmp_path: Path, output: str, status: int, fragment: str
) -> None:
    with pytest.raises(ExternalClientFailure) as caught:
        _program(tmp_path, output, status).send(RequestSpec(), TARGET)
    message = str(caught.value)
    assert message.startswith(f"client 'prog' {fragment}")
    assert "(command: " in message and "a line of stderr" in message


def test_an_external_client_that_cannot_start_is_named() -> None:
    client = ExternalClient("ghost", ["/no/such/client"])
    with pytest.raises(ExternalClientFailure, match="client 'ghost' could not be started"):
        client.send(RequestSpec(), TARGET)


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize(
    ("mode", "raised"),
    [("hang", ExternalClientFailure), ("answer", ClientError)],
)
def test_an_external_client_leaves_no_descendant(mode: str, raised: type[Exception]) -> None:
    """The program's child dies with it, when it overran its deadline and when it answered
    (tests/programs/client_leaving_a_child.py)."""
    marker = f"http-interop-leak-check-{uuid.uuid4()}"
    command = [PY, str(PROGRAMS / "client_leaving_a_child.py"), marker, mode]
    quick = RequestSpec(timeouts=Timeouts(connect=0.1, read=0.1))
    try:
        with pytest.raises(raised):
            ExternalClient("leaver", command).send(quick, TARGET)
        assert left_after_stop(marker) == []
    finally:  # a failed check leaves nothing running either
        kill_all(marker)


def test_broken_implementations_fail_their_own_cells_only(tmp_path: Path) -> None:
    """A server that never starts and a client that prints garbage fail their own cells
    with the reason; the built-in cells of the same run pass."""
    results = tmp_path / "results.json"
    done = run_pytest(
        "suites/test_methods.py",
        "-k",
        "test_get and not content",
        "--server",
        "stdlib-threading",
        "--server",
        "crashing",
        "--server-cmd",
        f"crashing={PY} -c 'import sys; sys.exit(4)'",
        "--client",
        "requests",
        "--client",
        "garbage",
        "--client-cmd",
        f"garbage={PY} -c 'print(\"<html>\")'",
        "--transport",
        "http",
        f"--results={results}",
    )
    cells = json.loads(results.read_text(encoding="utf-8"))["cells"]
    outcome = {(c["server"], c["client"]): (c["outcome"], c["message"]) for c in cells}
    assert outcome[("stdlib-threading", "requests")][0] == "pass", done.stdout
    assert outcome[("crashing", "requests")][0] == "error"
    assert (
        "server 'crashing' could not start: exited with status 4"
        in outcome[("crashing", "requests")][1]
    )
    assert outcome[("stdlib-threading", "garbage")][0] == "fail"
    assert "client 'garbage' printed no valid result" in outcome[("stdlib-threading", "garbage")][1]


def test_a_declared_lack_skips_its_cells_with_the_reason(tmp_path: Path) -> None:
    """A client that cannot send a chunked upload says so; the chunked upload cell is
    skipped with the reason instead of failing on it."""
    results = tmp_path / "results.json"
    done = run_pytest(
        "suites/test_chunked.py",
        "-k",
        "test_chunked_request_body",
        "--server",
        "stdlib-threading",
        "--client",
        "mini",
        "--client-cmd",
        f"mini[chunked-request]={PY} -c 'print(\"<html>\")'",
        "--transport",
        "http",
        f"--results={results}",
    )
    (cell,) = json.loads(results.read_text(encoding="utf-8"))["cells"]
    assert (cell["case"], cell["outcome"]) == ("chunked.request.body", "skip"), done.stdout
    assert cell["message"] == (
        "not applicable: mini cannot do chunked-request: declared lacking by --client-cmd"
    )
