"""Every methods check fails on a server broken in the way it checks, and passes without.

The suite's test functions are called directly with a Conversation to a broken server
(tests/broken_server.py) through http.client, the client that sends requests as given.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.cases import CheckFailed, case_of
from harness.cells import Conversation
from harness.clients.http_client import HttpClientClient
from harness.launcher import ServerProcess
from suites import test_methods as methods

# Each check, and the defect that must make it fail.
BREAKS = {
    methods.test_get: "drop-query",
    methods.test_post: "truncate-body",
    methods.test_put: "truncate-body",
    methods.test_patch: "truncate-body",
    methods.test_delete: "wrong-method",
    methods.test_options: "wrong-method",
    methods.test_head_has_no_body: "head-body",
    methods.test_head_has_get_fields: "head-fields",
    methods.test_post_with_empty_content: "drop-content-length",
    methods.test_get_without_content_is_unframed: "add-content-length",
    methods.test_delete_without_content_is_unframed: "add-content-length",
    methods.test_large_body_arrives_intact: "truncate-body",
    methods.test_field_values_arrive_intact: "squash-whitespace",
    methods.test_repeated_fields_keep_order: "reverse-repeated",
    methods.test_unknown_method_is_refused: "any-method",
    methods.test_method_is_case_sensitive: "fold-method-case",
}
CHECKS = sorted(BREAKS, key=lambda check: case_of(check).id)

Check = Callable[[Conversation], None]


def _run(check: Check, server: ServerProcess) -> None:
    client = HttpClientClient()
    try:
        check(Conversation(server.target, client))
    finally:
        client.close()


def test_every_methods_case_has_a_breaking_defect() -> None:
    cases = {name: obj for name, obj in vars(methods).items() if case_of(obj) and callable(obj)}
    missing = sorted(name for name, check in cases.items() if check not in BREAKS)
    assert not missing, f"methods checks without a self-test defect: {missing}"


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: case_of(check).id)
def test_check_fails_on_broken_server(
    check: Check, broken_server: Callable[[str], ServerProcess]
) -> None:
    case = case_of(check)
    with pytest.raises(CheckFailed) as failure:
        _run(check, broken_server(BREAKS[check]))
    assert f"({case.rfc})" in str(failure.value), "a failure names the RFC section"
    assert str(failure.value).startswith("expected "), "a failure reads 'expected X (RFC), got Y'"


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: case_of(check).id)
def test_check_passes_on_unbroken_server(
    check: Check, broken_server: Callable[[str], ServerProcess]
) -> None:
    _run(check, broken_server("none"))


def test_case_sensitive_fails_when_get_is_served_as_sent(
    broken_server: Callable[[str], ServerProcess],
) -> None:
    """'get' that arrives as sent but is served like GET fails too, not only a folded 'GET'."""
    with pytest.raises(CheckFailed, match="not served as GET"):
        _run(methods.test_method_is_case_sensitive, broken_server("any-method"))
