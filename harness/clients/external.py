"""The adapter for a client in any language: a program that reads a request spec as JSON on
stdin and writes an exchange, or a normalised error, as JSON on stdout.

The formats are in docs/contract.md ("External clients"). In the ``one-shot`` protocol the
program runs once per request; in ``json-lines`` one long-lived program per worker takes a
request per line (harness/clients/line_programs.py). Either way each exchange has the same
deadline, and a program that cannot be started, crashes, overruns it or prints something
that is not the format raises :class:`ExternalClientFailure`, which names the client, the
command, its exit status and the end of its stderr. That fails the cell as the adapter's
fault, never as a verdict on HTTP; a long-lived program is then killed, and the next request
starts a new one.
"""

from __future__ import annotations

import base64
import json
import shlex
import signal
import subprocess
import time
from collections.abc import Sequence
from typing import Any

from harness import deadlines, launcher
from harness.clients.line_programs import LINE_PROGRAMS, ProgramBroke
from harness.errors import ClientError, ErrorKind
from harness.implementation import ClientProtocol
from harness.model import Exchange, RequestSpec, Target

STDERR_TAIL = 2000  # characters of a failing program's stderr kept in the message
# Beyond the spec's own connect and read deadlines: process start-up, and a busy machine.
SLACK = 5.0 * deadlines.SCALE


class ExternalClientFailure(RuntimeError):
    """The external client program broke its side of the protocol (not an HTTP failure)."""


def request_document(spec: RequestSpec, target: Target) -> dict[str, Any]:
    """The JSON request an external client reads (docs/contract.md)."""
    if spec.body is None:
        body: dict[str, Any] | None = None
    elif isinstance(spec.body, bytes | bytearray):
        body = {"base64": base64.b64encode(spec.body).decode("ascii")}
    else:
        body = {"chunks_base64": [base64.b64encode(c).decode("ascii") for c in spec.body]}
    cert = spec.client_certificate
    proxy = spec.proxy
    return {
        "method": spec.method,
        "url": target.base_url + spec.target,
        "target": spec.target,
        "headers": [[name, value] for name, value in spec.headers],
        "body": body,
        "timeouts": {"connect": spec.timeouts.connect, "read": spec.timeouts.read},
        "verify": spec.verify.value,
        "ca_file": target.ca_file,
        "client_certificate": cert and {"cert_file": cert.cert_file, "key_file": cert.key_file},
        "http_version": spec.http_version,
        "defaults": spec.defaults,
        "proxy": proxy
        and {
            "host": proxy.host,
            "port": proxy.port,
            "credentials": proxy.credentials
            and {"user": proxy.credentials[0], "password": proxy.credentials[1]},
        },
    }


class ExternalClient:
    def __init__(
        self, name: str, command: Sequence[str], protocol: ClientProtocol = ClientProtocol.ONE_SHOT
    ) -> None:
        self.name = name
        self.command = list(command)
        self.protocol = protocol

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        document = json.dumps(request_document(spec, target))
        deadline = spec.timeouts.connect + spec.timeouts.read + SLACK
        started = time.perf_counter()
        if self.protocol is ClientProtocol.JSON_LINES:
            return self._send_line(document.encode() + b"\n", deadline, started)
        stdout, stderr, status = self._run(document.encode(), deadline)
        if status != 0:
            raise self._failure(f"exited with status {status}", stderr)
        return self._parsed(stdout, stderr, started)

    def _send_line(self, line: bytes, deadline: float, started: float) -> Exchange:
        """One exchange with this client's long-lived program; one that broke it is killed."""
        try:
            program = LINE_PROGRAMS.take(self.command)
        except OSError as exc:
            raise self._failure(f"could not be started: {exc}") from None
        healthy = False
        try:
            answer = program.exchange(line, deadline)
            # A reported error (ClientError) is the format too: the program stays.
            healthy = True
            return self._parsed(answer, program.stderr_tail(STDERR_TAIL), started)
        except ProgramBroke as exc:
            raise self._failure(str(exc), program.stderr_tail(STDERR_TAIL)) from None
        except ExternalClientFailure:
            healthy = False
            raise
        finally:
            if healthy:
                LINE_PROGRAMS.give_back(program)
            else:
                LINE_PROGRAMS.discard(program)

    def _parsed(self, stdout: bytes, stderr: bytes, started: float) -> Exchange:
        """The exchange of a result document; ClientError for a reported error."""
        try:
            return self._result(json.loads(stdout), time.perf_counter() - started)
        except (ValueError, KeyError, TypeError) as exc:
            shown = stdout[:300].decode("utf-8", "replace")
            raise self._failure(
                f"printed no valid result ({exc!r}; stdout began {shown!r})", stderr
            ) from None

    def _run(self, document: bytes, deadline: float) -> tuple[bytes, bytes, int]:
        """Run the program once: its stdout, stderr and exit status. It leads its own process
        group, killed once it has answered or overrun ``deadline``, so that nothing it spawned
        (curl, under the curl adapter) outlives the request, re-parented to init."""
        try:
            process = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise self._failure(f"could not be started: {exc}") from None
        with process:  # closes the pipes and reaps the program on the way out
            try:
                stdout, stderr = process.communicate(document, timeout=deadline)
            except subprocess.TimeoutExpired as exc:
                raise self._failure(
                    f"did not answer within {deadline:.1f}s", exc.stderr or b""
                ) from None
            finally:
                launcher.signal_group(process, signal.SIGKILL)
        return stdout, stderr, process.returncode

    def _result(self, result: dict[str, Any], elapsed: float) -> Exchange:
        if set(result) == {"error"}:
            error = result["error"]
            raise ClientError.reported(ErrorKind(error["kind"]), error["type"], error["text"])
        exchange = result["exchange"]
        reused = exchange.get("reused")
        if reused not in (True, False, None):
            raise TypeError(f"'reused' must be true, false or null, not {reused!r}")
        return Exchange(
            status=int(exchange["status"]),
            reason=str(exchange["reason"]),
            http_version=str(exchange["http_version"]),
            headers=[(str(name), str(value)) for name, value in exchange["headers"]],
            body=base64.b64decode(exchange["body_base64"], validate=True),
            reused=reused,
            elapsed=float(exchange.get("elapsed", elapsed)),
        )

    def _failure(self, why: str, stderr: bytes = b"") -> ExternalClientFailure:
        tail = stderr.decode("utf-8", "replace").strip()[-STDERR_TAIL:]
        return ExternalClientFailure(
            f"client {self.name!r} {why} (command: {shlex.join(self.command)})"
            + (f"\n--- stderr (last lines) ---\n{tail}" if tail else "\n--- stderr: empty ---")
        )

    def close(self) -> None:
        """Nothing to close: a program keeps no connection from one request to the next, and
        a long-lived one stays for the next cell (stopped at the session's end)."""
