"""The probe catalogue's entries, one module per theme (harness/catalogue.py describes an
entry); ``ENTRIES`` is every entry, in the order the themes are listed here."""

from __future__ import annotations

from . import content_length, fields, request_line, transfer_encoding

ENTRIES = (
    *content_length.ENTRIES,
    *transfer_encoding.ENTRIES,
    *request_line.ENTRIES,
    *fields.ENTRIES,
)
