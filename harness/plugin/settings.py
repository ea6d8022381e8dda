"""What the suites need of pytest's settings, given by the plugin rather than by an ini
file: installed, the suites run from any folder (``pytest --pyargs harness.suites``), where
this repository's pyproject.toml is not read, and the plugin loads in every pytest run of
the user's other projects, which it must leave as they are. So the suite markers are
registered (a marker does nothing unless used), and the rest is put on the cells only.
"""

from __future__ import annotations

import re

import pytest

from harness.plugin.options import cell_of

# The suite marker a cell gets (``pytest -m methods``): one per module of harness.suites.
SUITE_MARKERS = {
    "methods": "request methods suite (RFC 9110 §9)",
    "keepalive": "persistent connections suite (RFC 9112 §9)",
    "chunked": "chunked transfer coding suite (RFC 9112 §7)",
    "errors": "status codes and malformed messages suite (RFC 9110 §15)",
    "timeouts": "connect, read and idle timeouts suite",
    "tls": "TLS verification suite (RFC 9110 §4.3.4, RFC 5280, RFC 6125)",
    "static": "static files suite (RFC 9110 §9.3.2, §13.1.3, §15.4.2, §17.3)",
    "probes": "exact-byte server probes catalogue (RFC 9110, RFC 9112)",
    "responses": "exact-byte scripted responses catalogue, at clients (RFC 9110, RFC 9112)",
    "defaults": "each client's defaults as shipped: redirects, timeout, retries, proxies, TLS",
    "wire": "what clients put on the wire, byte for byte (RFC 9110, RFC 9112)",
    "differential": "the differential mode's regressions replayed, observed only (RFC 9112)",
    "expect": "Expect: 100-continue at clients (RFC 9110 §10.1.1)",
    "proxy": "clients through an HTTP forward proxy and CONNECT tunnels (RFC 9110 §9.3.6)",
    "websocket": "the WebSocket opening handshake, servers, clients and interop (RFC 6455 §4)",
    "redirects": "what clients asked to follow redirects send after each 3xx (RFC 9110 §15.4)",
    "auth": "Basic credentials at clients: challenge, retry, giving up (RFC 9110 §11, RFC 7617)",
    "cookies": "cookies kept by client sessions: Path, Max-Age, Expires, Secure (RFC 6265 §5)",
}
# Cells too long for the default run: deselected unless ``-m`` names the marker
# (``pytest suites -m slow``), so that the conformance run's time does not grow with them.
SLOW = "slow"
SLOW_DESCRIPTION = "cells of a minute or more (long keep-alive timers), run only with -m slow"
# Backstop only: every wait in the harness has its own, shorter deadline (deadlines.py).
CELL_TIMEOUT_S = 300
CELL_WARNINGS = (
    # A warning in a cell is a harness bug to fix, not noise to scroll past.
    "error",
    # junit.xml in the xunit2 family (pytest's default) has no place for the observations a
    # cell records (record_property); results.json keeps them all the same. The conformance
    # run asks for xunit1 (pyproject.toml, ``http-interop run``).
    "ignore:record_property is incompatible with junit_family:pytest.PytestWarning",
)


def pytest_configure(config: pytest.Config) -> None:
    for name, description in SUITE_MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
    config.addinivalue_line("markers", f"{SLOW}: {SLOW_DESCRIPTION}")


def slow_by_default(config: pytest.Config, item: pytest.Item) -> bool:
    """Whether ``item`` is a slow cell left out because ``-m`` does not name the marker."""
    named = re.search(rf"\b{SLOW}\b", config.getoption("markexpr", "") or "")
    return not named and cell_of(item) is not None and item.get_closest_marker(SLOW) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept: list[pytest.Item] = []
    slow: list[pytest.Item] = []
    for item in items:
        (slow if slow_by_default(config, item) else kept).append(item)
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = kept
    for item in items:
        if cell_of(item) is None:
            continue
        item.add_marker(pytest.mark.filterwarnings(*CELL_WARNINGS))
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(CELL_TIMEOUT_S))
