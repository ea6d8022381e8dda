#!/usr/bin/env python3
"""Drive Debian's ``curl`` binary as an external client of the harness (docs/contract.md).

    python3 examples/curl-client/curl_client.py < request.json > result.json
    python3 examples/curl-client/curl_client.py --json-lines < requests.jsonl

Reads ONE request spec as JSON on stdin, runs ``curl`` once with options that express it, and
writes ONE result as JSON on stdout: ``{"exchange": {...}}`` for a response, ``{"error":
{"kind", "type", "text"}}`` for a failure, with ``kind`` one of harness.errors.ErrorKind's
values. Exits 0 either way; any other exit status is a bug of this program. With
``--json-lines`` it reads a request per line until its stdin ends and writes a result per
line, running curl once for each (the harness's "json-lines" protocol).

Standard library only, so that any python3 runs it. Like the harness's adapters it is thin:
curl sends, reads and frames; this program only maps the spec onto curl's options and
curl's exit code, error message and header dump onto the result. See README.md beside it
for what curl cannot express and how the deadlines differ.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
from typing import Any

CURL = "curl"  # the one on PATH (implementations.toml: program = "curl")
# curl keeps its own deadline (--max-time); the process gets this much longer before it is
# killed, so that even a curl that hangs cannot hold the harness.
PROCESS_GRACE = 5.0
VERSION_OPTIONS = {"HTTP/1.0": "--http1.0", "HTTP/1.1": "--http1.1"}


class Unexpressible(Exception):
    """The spec asks for something curl has no option for."""


def curl_arguments(spec: dict[str, Any], files: dict[str, str]) -> list[str]:
    """curl's command line for ``spec``; ``files`` are the paths of the head dump, the body,
    the request content and an empty certificate folder."""
    version = VERSION_OPTIONS.get(spec["http_version"])
    if version is None:
        raise Unexpressible(f"curl cannot send an {spec['http_version']} request line")
    timeouts = spec["timeouts"]
    # "defaults": curl as shipped, none of the settings below (docs/contract.md).
    settings = [
        *_proxy_arguments(spec.get("proxy")),
        version,  # also limits ALPN to http/1.1 over TLS
        "--connect-timeout",
        f"{timeouts['connect']}",
        # curl has no deadline per read: --max-time bounds the whole transfer (README.md).
        "--max-time",
        f"{timeouts['read']}",
    ]
    arguments = [
        CURL,
        "--disable",  # first, or it is ignored: no ~/.curlrc can change a verdict
        "--no-progress-meter",
        "--globoff",  # [ ] { } in a target are characters, not URL globs
        "--path-as-is",  # /../ and /./ go out as given, not squashed
        *([] if spec.get("defaults") else settings),
        "--dump-header",
        files["head"],
        "--write-out",
        "%{json}",
    ]
    if spec["method"] == "HEAD":
        # --head is curl's HEAD: --request HEAD would wait for content that never comes.
        # curl writes the head as the output then, so the output goes nowhere.
        arguments += ["--head", "--output", os.devnull]
    else:
        arguments += ["--request", spec["method"], "--output", files["body"]]
    arguments += _target_arguments(spec["url"], spec["target"])
    for name, value in spec["headers"]:
        # "Name;" is curl's way to send a field with an empty value ("Name:" removes one).
        arguments += ["--header", f"{name}: {value}" if value else f"{name};"]
    arguments += _content_arguments(spec, files["content"])
    arguments += _tls_arguments(spec, files)
    return arguments


def _proxy_arguments(proxy: dict[str, Any] | None) -> list[str]:
    if proxy is None:
        return ["--noproxy", "*"]  # loopback only: no proxy variable can divert the request
    # curl's own proxy options: an http:// proxy gets http requests in absolute-form and
    # https ones as a CONNECT tunnel; --noproxy "" lets no NO_PROXY variable bypass it.
    arguments = ["--proxy", f"http://{proxy['host']}:{proxy['port']}", "--noproxy", ""]
    credentials = proxy.get("credentials")
    if credentials:
        arguments += ["--proxy-user", f"{credentials['user']}:{credentials['password']}"]
    return arguments


def _target_arguments(url: str, target: str) -> list[str]:
    if target.startswith("/"):
        return [url]
    # Not origin-form (an absolute-form or asterisk-form target): curl sends the target it
    # is given with --request-target, to the server the URL names.
    return ["--request-target", target, url.removesuffix(target) + "/"]


def _content_arguments(spec: dict[str, Any], content_file: str) -> list[str]:
    body = spec["body"]
    if body is None:
        return []
    if "chunks_base64" in body:
        content = b"".join(base64.b64decode(chunk) for chunk in body["chunks_base64"])
        # curl's documented way to send content chunked (RFC 9112 §7.1): the field, and curl
        # frames the data itself, in chunks of its own sizes.
        arguments = ["--header", "Transfer-Encoding: chunked"]
    else:
        content = base64.b64decode(body["base64"])
        arguments = []
    with open(content_file, "wb") as file:
        file.write(content)
    arguments += ["--data-binary", f"@{content_file}"]
    if not any(name.lower() == "content-type" for name, _ in spec["headers"]):
        # --data-binary is curl's form POST, which adds "Content-Type:
        # application/x-www-form-urlencoded" unless told otherwise; the spec's content is not
        # a form, and "Content-Type:" is curl's documented way to leave the field out.
        arguments += ["--header", "Content-Type:"]
    return arguments


def _tls_arguments(spec: dict[str, Any], files: dict[str, str]) -> list[str]:
    if not spec["url"].startswith("https:") or spec.get("defaults"):
        return []
    arguments = []
    if spec["verify"] == "target-ca" and spec["ca_file"]:  # without one: curl's own trust
        # ca_file only (docs/contract.md): --cacert replaces curl's CA bundle, and an empty
        # --capath replaces the certificate folder it would also search (/etc/ssl/certs).
        arguments += ["--cacert", spec["ca_file"], "--capath", files["capath"]]
    elif spec["verify"] == "none":
        arguments.append("--insecure")
    certificate = spec.get("client_certificate")
    if certificate:
        arguments += ["--cert", certificate["cert_file"], "--key", certificate["key_file"]]
    return arguments


def final_head(dump: bytes) -> tuple[str, int, str, list[list[str]]]:
    """The version, status, reason and fields of the last response in curl's header dump.

    The dump holds every head curl read, interim 1xx ones first, each ending with an empty
    line, and any trailer section after the last; the final response is the last block
    that starts with a status line.
    """
    # curl accepts status lines the RFC does not ("http/1.1", two spaces before the code):
    # the dump holds them as curl read them, and this reads whatever curl accepted.
    blocks = [b for b in dump.split(b"\r\n\r\n") if b[:5].upper() == b"HTTP/"]
    status_line, *lines = blocks[-1].decode("latin-1").split("\r\n")
    version, code, reason = [*status_line.split(None, 2), ""][:3]
    fields: list[list[str]] = []
    for line in lines:
        if line[:1] in (" ", "\t") and fields:
            # An obs-fold continuation line (RFC 9112 §5.2), as curl hands it over: it
            # belongs to the field before it.
            fields[-1][1] += " " + line.strip(" \t")
            continue
        name, _, value = line.partition(":")
        fields.append([name, value.strip(" \t")])
    return version, int(code), reason, fields


# curl's exit code (libcurl-errors(3); None: any), a part of its message in lower case ("":
# any), what its --write-out report must say (None: anything) and the ErrorKind value. The
# first row that fits is the kind; none fits: "other".
ERROR_KINDS: list[tuple[int | None, str, str | None, str]] = [
    (7, "", None, "connect.refused"),  # CURLE_COULDNT_CONNECT: on loopback, only a refusal
    # CURLE_OPERATION_TIMEDOUT: connecting (TLS included) or after
    (28, "", "connected", "timeout.read"),
    (28, "", None, "timeout.connect"),
    # CURLE_PEER_FAILED_VERIFICATION, by the message (lib/vtls/openssl.c: the
    # X509_verify_cert_error_string of OpenSSL's error, or curl's own host name check)
    (60, "has expired", None, "tls.expired"),
    (60, "not yet valid", None, "tls.not_yet_valid"),
    (60, "does not match target host", None, "tls.hostname"),
    (60, "no alternative certificate subject name matches", None, "tls.hostname"),
    (60, "", None, "tls.untrusted"),
    # Alerts a client receives when the server refused its certificate or its lack of one
    # (RFC 8446 §4.4.2.4), as OpenSSL names them (harness/errors.py has the same list for
    # Python's ssl module).
    (None, "certificate required", None, "tls.client_cert_required"),
    (None, "unknown ca", None, "tls.client_cert_required"),
    (None, "bad certificate", None, "tls.client_cert_required"),
    (None, "reset by peer", None, "connection.reset"),
    (55, "", None, "connection.reset"),  # CURLE_SEND_ERROR
    (35, "unexpected eof", None, "connection.closed"),  # CURLE_SSL_CONNECT_ERROR
    (35, "", None, "tls.handshake"),
    # lib/transfer.c: readwrite_data, any chunk decoding error
    (None, "chunked-encod", None, "protocol.bad_chunk"),
    # CURLE_RECV_ERROR: a proxy answered CONNECT with a status other than 2xx
    # (lib/http_proxy.c: "CONNECT tunnel failed, response %d")
    (56, "connect tunnel failed", None, "proxy.refused"),
    (56, "", "responded", "protocol.incomplete_body"),  # CURLE_RECV_ERROR
    (56, "", None, "connection.closed"),
    (52, "", None, "connection.closed"),  # CURLE_GOT_NOTHING
    (18, "", None, "protocol.incomplete_body"),  # CURLE_PARTIAL_FILE
    # CURLE_UNSUPPORTED_PROTOCOL: a status line curl cannot read (HTTP/0.9 too)
    (1, "", None, "protocol.bad_status_line"),
    # CURLE_WEIRD_SERVER_REPLY for a field line: "Header without colon", "Nul byte in
    # header", "Invalid Content-Length: value" (lib/http.c)
    (8, "header", None, "protocol.invalid_header"),
    (8, "content-length", None, "protocol.invalid_header"),
    # CURLE_OUT_OF_MEMORY, once connected: the response head outgrew curl's buffer for it
    # (lib/url.c: Curl_dyn_init(&data->state.headerb, CURL_MAX_HTTP_HEADER), 100 KiB;
    # lib/dynbuf.c: Curl_dyn_addn returns CURLE_OUT_OF_MEMORY beyond it).
    (27, "", "connected", "protocol.invalid_header"),
]


def error_kind(code: int, message: str, report: dict[str, Any]) -> str:
    """The ErrorKind value of curl's exit ``code`` and its message (ERROR_KINDS)."""
    text = message.lower()
    said = {
        # TCP connected, and the TLS handshake done where there was one
        "connected": report.get("time_connect", 0) > 0
        and (report.get("scheme") != "HTTPS" or report.get("time_appconnect", 0) > 0),
        "responded": report.get("size_header", 0) > 0,
        None: True,
    }
    for row_code, part, state, kind in ERROR_KINDS:
        if row_code in (None, code) and part in text and said[state]:
            return kind
    return "other"


def run(spec: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="curl-client-") as folder:
        files = {name: os.path.join(folder, name) for name in ("head", "body", "content")}
        files["capath"] = os.path.join(folder, "no-certificates")
        os.mkdir(files["capath"])
        try:
            arguments = curl_arguments(spec, files)
        except Unexpressible as exc:
            return {"error": {"kind": "other", "type": "unexpressible", "text": str(exc)}}
        deadline = spec["timeouts"]["read"] + PROCESS_GRACE
        try:
            done = subprocess.run(
                arguments, stdin=subprocess.DEVNULL, capture_output=True, timeout=deadline
            )
        except subprocess.TimeoutExpired:
            text = f"curl did not end within {deadline:.1f} s, its --max-time and a grace"
            return {"error": {"kind": "other", "type": "curl killed", "text": text}}
        report = json.loads(done.stdout.decode("utf-8", "replace") or "{}")
        if done.returncode != 0:
            message = report.get("errormsg") or done.stderr.decode("utf-8", "replace").strip()
            kind = error_kind(done.returncode, message, report)
            return {
                "error": {"kind": kind, "type": f"curl exit {done.returncode}", "text": message}
            }
        with open(files["head"], "rb") as file:
            version, status, reason, fields = final_head(file.read())
        body = b""
        # curl creates the output file only when content arrives.
        if spec["method"] != "HEAD" and os.path.exists(files["body"]):
            with open(files["body"], "rb") as file:
                body = file.read()
    return {
        "exchange": {
            "status": status,
            "reason": reason,
            "http_version": version,
            "headers": fields,
            "body_base64": base64.b64encode(body).decode("ascii"),
            # A new process has a new connection, unless curl says it made none.
            "reused": report.get("num_connects", 1) == 0,
            "elapsed": report.get("time_total", 0.0),
        }
    }


def main() -> int:
    if sys.argv[1:] == ["--json-lines"]:
        for line in sys.stdin:
            print(json.dumps(run(json.loads(line))), flush=True)
        return 0
    if sys.argv[1:]:
        sys.exit(f"usage: {sys.argv[0]} [--json-lines] (not {' '.join(sys.argv[1:])})")
    print(json.dumps(run(json.load(sys.stdin))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
