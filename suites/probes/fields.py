"""Field line syntax at the server: RFC 9112 §5 (field lines), §5.1 (parsing), §5.2 (obs-fold),
§2.2 (what does not match the grammar); RFC 9110 §5.1 (names), §5.5 (values).

Every probe is ``GET /echo`` (``POST /echo`` with ``hello`` where a framing field is probed)
with one odd field line, followed on the connection by ``GET /echo?next``. A line that is no
field-line gets 400 and a close (§2.2; a 400 without the close passes with a warn); a value
with CR, LF or NUL is rejected or the octet replaced with SP (RFC 9110 §5.5), which /echo
shows; a folded line is rejected or unfolded.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import After, Entry, Served, Status, message

from .sentences import GRAMMAR as NOT_GRAMMAR
from .sentences import NAME_COLON, OBS_FOLD

CR_LF_NUL = (
    "Field values containing CR, LF, or NUL characters are invalid and dangerous, due to the "
    "varying ways that implementations might parse and interpret those characters; a recipient "
    "of CR, LF, or NUL within a field value MUST either reject the message or replace each of "
    "those characters with SP before further processing or forwarding of that message."
)
OTHER_CTL = (
    "Field values containing other CTL characters are also invalid; however, recipients MAY "
    "retain such characters for the sake of robustness when they appear within a safe context "
    "(e.g., an application-specific quoted string that will not be processed by any downstream "
    "HTTP parser)."
)
EDGE_WHITESPACE = (
    "A field value does not include leading or trailing whitespace. When a specific version of "
    "HTTP allows such whitespace to appear in a message, a field parsing implementation MUST "
    "exclude such whitespace prior to evaluating the field value."
)

CONTENT = b"hello"
REJECTED = Status((400,), After.ANY)


def _get(*field_lines: str) -> bytes:
    return message("GET /echo HTTP/1.1", *field_lines)


def _served(*values: str) -> Served:
    """GET /echo served, X-Probe holding exactly ``values``."""
    return Served(b"", method="GET", fields=(("X-Probe", values),))


def _not_field_line(name: str, line: str, note: str) -> Entry:
    """A line that is no field-line (field-name ":" OWS field-value OWS, the name a token):
    400 and a close; a 400 with the connection left open is what §2.2 advises against."""
    return Entry(
        f"probes.fields.{name}",
        "RFC 9112 §2.2, §5; RFC 9110 §5.1",
        Level.SHOULD,
        NOT_GRAMMAR,
        _get(line),
        (Status((400,), After.CLOSE),),
        note,
        discouraged=(REJECTED,),
    )


def _bad_name(name: str, octet: str, note: str) -> Entry:
    return _not_field_line(name, f"X-Pr{octet}obe: a", f"{note} is no tchar: no token")


def _cr_lf_nul(name: str, value: str, replaced: str, note: str) -> Entry:
    return Entry(
        f"probes.fields.{name}",
        "RFC 9110 §5.5",
        Level.MUST,
        CR_LF_NUL,
        _get(f"X-Probe: {value}"),
        (REJECTED, _served(replaced)),
        note,
    )


def _other_ctl(name: str, octet: str, note: str) -> Entry:
    """Another CTL inside a value: invalid (§2.2: 400), or retained as it is."""
    return Entry(
        f"probes.fields.{name}",
        "RFC 9110 §5.5; RFC 9112 §2.2",
        Level.MAY,
        OTHER_CTL,
        _get(f"X-Probe: a{octet}b"),
        (REJECTED, _served(f"a{octet}b")),
        f"{note}: rejected, or kept as it is (never dropped, never something else)",
    )


def _folded(name: str, *lines: str, values: tuple[str, ...], note: str) -> Entry:
    return Entry(
        f"probes.fields.{name}",
        "RFC 9112 §5.2",
        Level.MUST,
        OBS_FOLD,
        _get(*lines),
        (REJECTED, *(_served(value) for value in values)),
        note,
    )


def _spaces(first: str, second: str, most: int = 4) -> tuple[str, ...]:
    """``first`` and ``second`` joined by one to ``most`` SP: an obs-fold replaced with SP."""
    return tuple(f"{first}{' ' * n}{second}" for n in range(1, most + 1))


ENTRIES = (
    _bad_name("name_paren", "(", "'('"),
    _bad_name("name_at", "@", "'@'"),
    _bad_name("name_comma", ",", "','"),
    _bad_name("name_semicolon", ";", "';'"),
    _bad_name("name_equals", "=", "'='"),
    _bad_name("name_slash", "/", "'/'"),
    _bad_name("name_brackets", "[", "'['"),
    _bad_name("name_quote", '"', "DQUOTE"),
    _bad_name("name_space", " ", "SP inside the name"),
    _bad_name("name_tab", "\t", "HTAB inside the name"),
    _bad_name("name_nul", "\x00", "NUL"),
    _bad_name("name_del", "\x7f", "DEL"),
    _bad_name("name_non_ascii", "\xf6", "an octet above %x7F"),
    _not_field_line("empty_name", ": a", "field-name is a token: at least one tchar"),
    _not_field_line("no_colon", "X-Probe a", "a line without a colon is no field-line"),
    _not_field_line("colon_only", ":", "nothing but the colon"),
    _cr_lf_nul("nul_in_value", "a\x00b", "a b", "NUL inside: rejected, or replaced with SP"),
    _cr_lf_nul("nul_then_space", "a\x00 b", "a  b", "NUL before SP: the SP stays"),
    _other_ctl("soh_in_value", "\x01", "SOH (%x01)"),
    _other_ctl("bel_in_value", "\x07", "BEL (%x07)"),
    _other_ctl("backspace_in_value", "\x08", "BS (%x08)"),
    _other_ctl("vt_in_value", "\x0b", "VT (%x0B)"),
    _other_ctl("ff_in_value", "\x0c", "FF (%x0C)"),
    _other_ctl("esc_in_value", "\x1b", "ESC (%x1B)"),
    _other_ctl("del_in_value", "\x7f", "DEL (%x7F)"),
    Entry(
        "probes.fields.whitespace_around_value",
        "RFC 9110 §5.5; RFC 9112 §5.1",
        Level.MUST,
        EDGE_WHITESPACE,
        _get("X-Probe: \t a b \t"),
        (_served("a b"),),
        "SP and HTAB before and after the value are no part of it; the SP inside is",
    ),
    Entry(
        "probes.fields.tab_before_colon",
        "RFC 9112 §5.1",
        Level.MUST,
        NAME_COLON,
        _get("X-Probe\t: a"),
        (REJECTED,),
        "HTAB between name and colon (errors.request.field_name_whitespace sends SP)",
    ),
    Entry(
        "probes.fields.content_length_space_before_colon",
        "RFC 9112 §5.1",
        Level.MUST,
        NAME_COLON,
        message("POST /echo HTTP/1.1", "Content-Length : 5", body=CONTENT),
        (REJECTED,),
        "a framing field with SP before its colon: one reader frames 'hello', another does not",
    ),
    _folded(
        "obs_fold_tab",
        "X-Probe: first",
        "\tsecond",
        values=_spaces("first", "second"),
        note="folded with HTAB: the whole obs-fold, HTAB too, becomes SP",
    ),
    _folded(
        "obs_fold_many_spaces",
        "X-Probe: first",
        "   second",
        values=_spaces("first", "second"),
        note="folded with three SP: one or more SP in its place",
    ),
    _folded(
        "obs_fold_empty_first_line",
        "X-Probe:",
        " second",
        values=("second",),
        note="the value begins on the folded line: once unfolded, the leading SP is OWS",
    ),
    _folded(
        "obs_fold_two_folds",
        "X-Probe: first",
        " second",
        " third",
        values=tuple(f"first{a}second{b}third" for a in (" ", "  ") for b in (" ", "  ")),
        note="two folds in one value",
    ),
    Entry(
        "probes.fields.obs_fold_content_length",
        "RFC 9112 §5.2, §6.3",
        Level.MUST,
        OBS_FOLD,
        message("POST /echo HTTP/1.1", "Content-Length:", " 5", body=CONTENT),
        # Unfolded, the value is '5' and frames 'hello'; a reader that drops the folded line
        # sees an empty Content-Length.
        (REJECTED, Served(CONTENT)),
        "Content-Length folded onto a second line",
    ),
)
