"""The RFC sentences that more than one theme of the catalogue quotes, each written once."""

from __future__ import annotations

from harness.requirements import INTERPRET, Definition

GRAMMAR = (
    "When a server listening only for HTTP request messages, or processing what appears from "
    "the start-line to be an HTTP request message, receives a sequence of octets that does not "
    "match the HTTP-message grammar aside from the robustness exceptions listed above, the "
    "server SHOULD respond with a 400 (Bad Request) response and close the connection."
)

INVALID_CONTENT_LENGTH = (
    "If a message is received without Transfer-Encoding and with an invalid Content-Length "
    "header field, then the message framing is invalid and the recipient MUST treat it as an "
    "unrecoverable error, unless the field value can be successfully parsed as a "
    "comma-separated list (Section 5.6.1 of [HTTP]), all values in the list are valid, and all "
    "values in the list are the same (in which case, the message is processed with that single "
    "value used as the Content-Length field value). If the unrecoverable error is in a request "
    "message, the server MUST respond with a 400 (Bad Request) status code and then close the "
    "connection."
)

# Bound by RFC 9110 §5.5: "a field parsing implementation MUST exclude such whitespace prior to
# evaluating the field value."
OWS = Definition(
    "The field line value does not include that leading or trailing whitespace: OWS occurring "
    "before the first non-whitespace octet of the field line value, or after the last "
    "non-whitespace octet of the field line value, is excluded by parsers when extracting the "
    "field line value from a field line.",
    ("9110-5.5-1",),
)

# Rule 6 of RFC 9112 §6.3, a definition: each theme quotes it as a Definition bound to what its
# outcome enforces.
VALID_LENGTH = (
    "If a valid Content-Length header field is present without Transfer-Encoding, its decimal "
    "value defines the expected message body length in octets."
)

# Bound by the recipient's duty to read the coding a name names (RFC 9110 §2.4) and to decode
# chunked (RFC 9112 §7.1).
TRANSFER_CODING_NAMES = Definition(
    "All transfer-coding names are case-insensitive and ought to be registered within the HTTP "
    "Transfer Coding registry, as defined in Section 7.3.",
    (INTERPRET, "9112-7.1-2"),
)

NAME_COLON = (
    "A server MUST reject, with a response status code of 400 (Bad Request), any received "
    "request message that contains whitespace between a header field name and colon."
)

OBS_FOLD = (
    "A server that receives an obs-fold in a request message that is not within a "
    '"message/http" container MUST either reject the message by sending a 400 (Bad Request), '
    "preferably with a representation explaining that obsolete line folding is unacceptable, "
    "or replace each received obs-fold with one or more SP octets prior to interpreting the "
    "field value or forwarding the message downstream."
)

FIRST_LINE_WHITESPACE = (
    "A recipient that receives whitespace between the start-line and the first header field "
    "MUST either reject the message as invalid or consume each whitespace-preceded line without "
    "further processing of it (i.e., ignore the entire line, along with any subsequent lines "
    "preceded by whitespace, until a properly formed header field is received or the header "
    "section is terminated)."
)

NOT_FINAL = (
    "If a Transfer-Encoding header field is present in a request and the chunked transfer "
    "coding is not the final encoding, the message body length cannot be determined reliably; "
    "the server MUST respond with the 400 (Bad Request) status code and then close the "
    "connection."
)
