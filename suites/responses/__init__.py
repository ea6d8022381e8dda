"""The response catalogue's entries, one module per theme (harness/responses.py describes an
entry); ``ENTRIES`` is every entry, in the order the themes are listed here."""

from __future__ import annotations

from . import (
    chunked,
    connection,
    content_length,
    fields,
    interim,
    no_content,
    splits,
    status_line,
    transfer_encoding,
)

ENTRIES = (
    *status_line.ENTRIES,
    *fields.ENTRIES,
    *content_length.ENTRIES,
    *transfer_encoding.ENTRIES,
    *chunked.ENTRIES,
    *no_content.ENTRIES,
    *connection.ENTRIES,
    *interim.ENTRIES,
    *splits.ENTRIES,
)
