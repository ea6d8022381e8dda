"""The wire-output cases: requests each client is asked to send, one per requirement on
senders and user agents (harness/wire.py describes a case); ``CASES`` is every one, in the
order the themes are listed here."""

from __future__ import annotations

from . import content, fields, host, target

CASES = (*host.CASES, *fields.CASES, *target.CASES, *content.CASES)
