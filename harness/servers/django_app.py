"""The behaviour contract as a minimal Django project in one module (settings in code).

Served by Django's development server (harness/servers/django_runserver.py) and by gunicorn
(harness/servers/django_gunicorn.py). The views answer with Django's own response objects
(HttpResponse; StreamingHttpResponse for a body of unknown length or sent slowly) and read
content as ``request.body``, so what the suites measure is Django and the server under it.
Like a plain WSGI app (harness/servers/wsgi_app.py), a response to HEAD and one with status
204, 205 or 304 is handed over with its content: leaving it out is Django's or the
server's job, not the view's.

The settings are a project's from ``django-admin startproject`` (Django 5.2) with what
needs a database or an app left out: no sessions, auth, messages or admin (no
INSTALLED_APPS, no DATABASES), and no CsrfViewMiddleware, since a contract app has no forms
and /echo takes every method. The middleware kept is what a Django user runs by default.
CommonMiddleware stays: it is what gives a fixed response its Content-Length (Django's
HttpResponse does not), and its APPEND_SLASH redirect cannot fire, as it redirects only a
path without a trailing slash that matches none of the routes but would match with one, and
no route here ends with "/". DEBUG is off, as in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.urls import path
from django.views.decorators.http import require_http_methods

from harness import contract

settings.configure(
    DEBUG=False,
    # Signs nothing here (no sessions, no forms); Django refuses to start without one.
    SECRET_KEY="http-interop contract app: nothing is signed with this key",
    # The hosts Django itself allows when DEBUG is on and ALLOWED_HOSTS is empty
    # (django/http/request.py: HttpRequest.get_host): the loopback names and addresses.
    ALLOWED_HOSTS=[".localhost", "127.0.0.1", "[::1]"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    DATABASES={},
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    USE_TZ=True,
)
django.setup(set_prefix=False)

View = Callable[[HttpRequest, contract.Route], HttpResponseBase]


def _serves(name: str) -> Callable[[View], Callable[..., HttpResponseBase]]:
    """A view of the contract route ``name``: the path's parameters are checked by the
    contract (a value out of its limits is 404), and a method the route does not answer gets
    Django's 405 with Allow (require_http_methods; RFC 9110 §15.5.6)."""

    def wrap(view: View) -> Callable[..., HttpResponseBase]:
        def checked(request: HttpRequest, **parameters: object) -> HttpResponseBase:
            found = contract.route(request.path_info, request.META.get("QUERY_STRING", ""))
            if found.name != name:
                raise Http404
            return view(request, found)

        return require_http_methods(list(contract.methods(name)))(checked)

    return wrap


@_serves("echo")
def echo(request: HttpRequest, found: contract.Route) -> HttpResponse:
    document = contract.echo_document(
        method=request.method or "",
        target=_target(request),
        http_version=request.META["SERVER_PROTOCOL"],
        headers=list(request.headers.items()),
        body=request.body,
    )
    return HttpResponse(document, content_type="application/json")


@_serves("status")
def status(request: HttpRequest, found: contract.Route) -> HttpResponse:
    body = contract.status_body(found.number)
    return HttpResponse(body, status=found.number, content_type="text/plain")


@_serves("bytes")
def bytes_(request: HttpRequest, found: contract.Route) -> HttpResponse:
    body = contract.deterministic_bytes(found.number)
    return HttpResponse(body, content_type="application/octet-stream")


@_serves("stream")
def stream(request: HttpRequest, found: contract.Route) -> StreamingHttpResponse:
    return _unknown_length(found)


@_serves("chunked")
def chunked(request: HttpRequest, found: contract.Route) -> StreamingHttpResponse:
    return _unknown_length(found)


def _unknown_length(found: contract.Route) -> StreamingHttpResponse:
    # An iterator and no Content-Length: the server chooses the framing.
    pieces = iter(contract.pieces(found.number, found.piece))
    return StreamingHttpResponse(pieces, content_type="application/octet-stream")


@_serves("drip")
def drip(request: HttpRequest, found: contract.Route) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_drip(found), content_type="application/octet-stream")
    response.headers["Content-Length"] = str(found.number)
    return response


def _drip(found: contract.Route) -> Iterator[bytes]:
    for byte in contract.pieces(found.number, 1):
        time.sleep(found.interval_ms / 1000)
        yield byte


@_serves("delay")
def delay(request: HttpRequest, found: contract.Route) -> HttpResponse:
    time.sleep(found.number / 1000)
    return HttpResponse(f"delayed {found.number} ms\n".encode(), content_type="text/plain")


@_serves("close")
def close(request: HttpRequest, found: contract.Route) -> HttpResponse:
    # Without Connection: close: a WSGI application may not send hop-by-hop fields
    # (PEP 3333), and both servers hold Django to it (harness/registry.py, their lacks).
    return HttpResponse(b"closing\n", content_type="text/plain")


@_serves("health")
def health(request: HttpRequest, found: contract.Route) -> HttpResponse:
    return HttpResponse(contract.HEALTH_BODY, content_type="text/plain")


@_serves("redirect")
def redirect(request: HttpRequest, found: contract.Route) -> HttpResponse:
    body = contract.status_body(found.number)
    response = HttpResponse(body, status=found.number, content_type="text/plain")
    response.headers["Location"] = found.location
    return response


@_serves("conn")
def conn(request: HttpRequest, found: contract.Route) -> HttpResponse:
    document = contract.conn_document(request.META["REMOTE_ADDR"], int(request.META["REMOTE_PORT"]))
    return HttpResponse(document, content_type="application/json")


def _target(request: HttpRequest) -> str:
    """The request-target as received, where the server reports it (gunicorn's RAW_URI);
    else Django's own rebuilding of it (the development server keeps only the decoded path
    and the query, as wsgiref does)."""
    return request.META.get("RAW_URI") or request.get_full_path()


# Path converters only dispatch; the contract decides what a parameter may be (_serves).
urlpatterns = [
    path("echo", echo),
    path("status/<int:code>", status),
    path("bytes/<int:n>", bytes_),
    path("stream/<int:n>", stream),
    path("chunked/<int:n>", chunked),
    path("drip/<int:n>", drip),
    path("delay/<int:ms>", delay),
    path("close", close),
    path("health", health),
    path("redirect/<int:code>", redirect),
    path("conn", conn),
]

application: WSGIHandler = get_wsgi_application()
