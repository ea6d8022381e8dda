"""The Flask adapter: a Flask app on Werkzeug's threaded development server.

Werkzeug does the protocol work here (HEAD bodies, 204/304 bodies, chunked request and
response bodies), so the views only return what the contract says.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Flask, Response, request
from werkzeug.serving import BaseWSGIServer, make_server

from harness import contract

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def create_app() -> Flask:
    app = Flask("http_interop_contract")

    # provide_automatic_options=False lets OPTIONS reach the view, as the contract's
    # "ANY /echo" requires, instead of Flask answering it with an Allow list.
    @app.route("/echo", methods=ALL_METHODS, provide_automatic_options=False)
    def echo() -> Response:
        body = request.get_data(cache=False)
        document = contract.echo_document(
            method=request.method,
            target=request.environ.get("REQUEST_URI", request.full_path),
            http_version=request.environ["SERVER_PROTOCOL"],
            headers=list(request.headers.items()),
            body=body,
        )
        return Response(document, status=200, content_type="application/json")

    @app.route("/status/<int:code>")
    def status(code: int) -> Response:
        if contract.route(f"/status/{code}").name != "status":
            return Response(b"not found\n", status=404, content_type="text/plain")
        return Response(contract.status_body(code), status=code, content_type="text/plain")

    @app.route("/bytes/<int:n>")
    def bytes_(n: int) -> Response:
        if contract.route(f"/bytes/{n}").name != "bytes":
            return Response(b"not found\n", status=404, content_type="text/plain")
        return Response(contract.deterministic_bytes(n), content_type="application/octet-stream")

    @app.route("/stream/<int:n>")
    @app.route("/chunked/<int:n>")
    def stream(n: int) -> Response:
        found = contract.route(request.path, request.query_string.decode("latin-1"))
        if found.name not in ("stream", "chunked"):
            return Response(b"not found\n", status=404, content_type="text/plain")
        # A generator and no Content-Length: Werkzeug chooses the framing itself.
        pieces = iter(contract.pieces(found.number, found.piece))
        return Response(pieces, content_type="application/octet-stream")

    @app.route("/drip/<int:n>")
    def drip(n: int) -> Response:
        found = contract.route(request.path, request.query_string.decode("latin-1"))
        if found.name != "drip":
            return Response(b"not found\n", status=404, content_type="text/plain")

        def slowly() -> Iterator[bytes]:
            for byte in contract.pieces(found.number, 1):
                time.sleep(found.interval_ms / 1000)
                yield byte

        response = Response(slowly(), content_type="application/octet-stream")
        response.headers["Content-Length"] = str(found.number)
        return response

    @app.route("/delay/<int:ms>")
    def delay(ms: int) -> Response:
        if contract.route(f"/delay/{ms}").name != "delay":
            return Response(b"not found\n", status=404, content_type="text/plain")
        time.sleep(ms / 1000)
        return Response(f"delayed {ms} ms\n".encode(), content_type="text/plain")

    @app.route("/close")
    def close() -> Response:
        response = Response(b"closing\n", content_type="text/plain")
        response.headers["Connection"] = "close"
        return response

    @app.route("/health")
    def health() -> Response:
        return Response(contract.HEALTH_BODY, content_type="text/plain")

    @app.route("/redirect/<int:code>")
    def redirect(code: int) -> Response:
        found = contract.route(request.path, request.query_string.decode("latin-1"))
        if found.name != "redirect":
            return Response(b"not found\n", status=404, content_type="text/plain")
        response = Response(contract.status_body(code), status=code, content_type="text/plain")
        response.headers["Location"] = found.location
        return response

    @app.route("/conn")
    def conn() -> Response:
        document = contract.conn_document(
            request.environ["REMOTE_ADDR"], int(request.environ["REMOTE_PORT"])
        )
        return Response(document, content_type="application/json")

    return app


def build(host: str, port: int, certfile: str | None, keyfile: str | None) -> BaseWSGIServer:
    # threaded=True is what app.run() uses by default.
    ssl_context = (certfile, keyfile) if certfile else None
    return make_server(host, port, create_app(), threaded=True, ssl_context=ssl_context)
