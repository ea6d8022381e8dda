"""The probe catalogue's entries, one module per theme (harness/catalogue.py describes an
entry); ``ENTRIES`` is every entry, in the order the themes are listed here."""

from __future__ import annotations

from . import (
    bodies,
    chunk_lines,
    connection,
    content_length,
    expect,
    fields,
    host,
    request_line,
    responses,
    smuggling,
    smuggling_chunks,
    smuggling_te,
    transfer_encoding,
)

ENTRIES = (
    *content_length.ENTRIES,
    *transfer_encoding.ENTRIES,
    *chunk_lines.ENTRIES,
    *host.ENTRIES,
    *request_line.ENTRIES,
    *fields.ENTRIES,
    *smuggling.ENTRIES,
    *smuggling_te.ENTRIES,
    *smuggling_chunks.ENTRIES,
    *responses.ENTRIES,
    *bodies.ENTRIES,
    *expect.ENTRIES,
    *connection.ENTRIES,
)
