"""The wire-output cases check themselves: every case is well formed, the validator finds
broken cases, and every case fails on a client that writes its request with the one defect
WIRE_DEFECTS names for it (tests/fake_clients.py: WireClient) and passes on the same client
without defects."""

from __future__ import annotations

import dataclasses

import pytest

from harness import wire
from harness.cases import CheckFailed, Level
from harness.cells import ScriptedClient
from harness.model import Exchange, RequestSpec, Target
from harness.wire import File, WireCase
from suites.wire import CASES
from tests.fake_clients import WireClient

# Each case and the defect of WireClient it must catch.
WIRE_DEFECTS = {
    "wire.host.present": "no_host",
    "wire.host.authority": "host_without_port",
    "wire.host.first": "host_last",
    "wire.host.caller_supplied": "second_host",
    "wire.request_line.grammar": "lower_version",
    "wire.user_agent.sent": "no_user_agent",
    "wire.accept_encoding.grammar": "bad_accept_encoding",
    "wire.field_value.crlf": "raw_values",
    "wire.field_value.lf": "raw_values",
    "wire.field_value.cr": "raw_values",
    "wire.field_value.nul": "raw_values",
    "wire.field_value.obs_fold": "raw_values",
    "wire.field_value.control": "raw_values",
    "wire.field_name.space": "raw_values",
    "wire.target.origin_form": "other_form",
    "wire.target.fragment": "raw_target",
    "wire.target.space": "raw_target",
    "wire.target.crlf": "raw_target",
    "wire.target.nul": "raw_target",
    "wire.target.non_ascii": "raw_target",
    "wire.target.absolute_form_to_proxy": "other_form",
    "wire.content_length.get": "length_always",
    "wire.content_length.head": "length_always",
    "wire.content_length.delete": "length_always",
    "wire.content_length.post_none": "no_length",
    "wire.content_length.post_empty": "no_length",
    "wire.content_length.put": "no_length",
    "wire.transfer_encoding.generator": "both",
    "wire.transfer_encoding.caller_length": "both",
    "wire.transfer_encoding.file": "both",
    "wire.chunked.framing": "decimal_chunk",
    "wire.chunked.empty_piece": "empty_chunk",
}
GOOD = CASES[0]
BY_ID = {case.id: case for case in CASES}


def test_every_case_is_well_formed() -> None:
    assert wire.problems(CASES) == []


def test_every_case_has_a_defect() -> None:
    assert set(WIRE_DEFECTS) == set(BY_ID)


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (dataclasses.replace(GOOD, id="host.present"), "does not begin"),
        (dataclasses.replace(GOOD, id="wire.Bad-Id"), "is not of the form"),
        (dataclasses.replace(GOOD, rfc="somewhere"), "names no RFC section"),
        (dataclasses.replace(GOOD, level="MUSTN'T"), "is not MUST, SHOULD or MAY"),
        (dataclasses.replace(GOOD, requirement=" "), "no requirement sentence"),
        (dataclasses.replace(GOOD, check="one Host"), "not callable"),
        (dataclasses.replace(GOOD, level=Level.SHOULD, refusable=True), "only for a MUST"),
        (dataclasses.replace(GOOD, body=File(b"x")), "without Capability.FILE_BODY"),
    ],
)
def test_validator_finds_broken_cases(broken: WireCase, problem: str) -> None:
    if broken.id == GOOD.id:  # a fresh id, so the case catalogue sees no twin
        broken = dataclasses.replace(broken, id=f"wire.selftest.row_{id(broken)}")
    found = wire.problems([broken])
    assert any(problem in text for text in found), found


def test_validator_finds_a_duplicate_id() -> None:
    assert any("used twice" in p for p in wire.problems([GOOD, GOOD]))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_fails_on_its_defect(case: WireCase) -> None:
    with pytest.raises(CheckFailed, match=rf"\({case.rfc}\)"):
        wire.run(case, ScriptedClient(WireClient(WIRE_DEFECTS[case.id])))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_passes_on_correct_client(case: WireCase) -> None:
    wire.run(case, ScriptedClient(WireClient()))


def test_a_refused_valid_request_fails() -> None:
    class Refusing(WireClient):
        def send(self, spec: RequestSpec, target: Target) -> Exchange:
            raise self._refuse("never sends")

    with pytest.raises(CheckFailed, match="refused"):
        wire.run(BY_ID["wire.host.present"], ScriptedClient(Refusing()))
    assert wire.run(BY_ID["wire.target.crlf"], ScriptedClient(Refusing())).startswith("refused")
