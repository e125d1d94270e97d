"""What text may reach the database: one rule set for the JSON schemas and the web forms.

Three kinds of field:
* NAME  — a person's, unit's or category's name: one line, no control or format characters (zero-width
  spaces, direction overrides, soft hyphens…), and at least one visible character.
* LINE  — other one-line text (an address, an organ, a channel): one line, no control or format characters.
* TEXT  — several lines (a summary, a reason, an opinion): newlines and tabs allowed, other control characters
  not; no direction controls; if anything is written, something visible.

Direction controls let a name display differently from what is stored (an RLO turns "张三\u202eabc" around),
zero-width characters make two names that look the same differ, and both survive into printed documents."""
from __future__ import annotations

import unicodedata

NAME, LINE, TEXT = "name", "line", "text"

# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks LRM, RLM, ALM.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Letters and symbols that draw nothing: filler characters people paste to look "blank".
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
MULTILINE_ALLOWED = frozenset("\n\r\t")

MESSAGES = {
    "bidi": "不能包含改变文字方向的控制字符（如 U+202E）",
    "format": "不能包含零宽字符等不可见的格式字符",
    "control": "不能包含换行符或其他控制字符",
    "control_text": "不能包含控制字符（换行和制表符除外）",
    "surrogate": "包含无效的字符",
    "invisible": "须包含可见的文字",
}


def _bmp_class(refused) -> str:
    """A regex character class body of the Basic Multilingual Plane characters `refused` says no to, as
    \\uXXXX ranges, which Python and ECMA-262 (the OpenAPI `pattern` dialect) read alike."""
    parts, start = [], None
    for cp in range(0x10001):
        bad = cp <= 0xFFFF and not 0xD800 <= cp <= 0xDFFF and refused(chr(cp))
        if bad and start is None:
            start = cp
        elif not bad and start is not None:
            end = cp - 1
            parts.append(f"\\u{start:04x}" if start == end else f"\\u{start:04x}-\\u{end:04x}")
            start = None
    return "".join(parts)


def _pattern(kind: str, visible: bool) -> str:
    """The rule as an OpenAPI `pattern`, so a client (and a fuzzer) reads it from the document. Exact for the
    Basic Multilingual Plane; the few format characters above it are refused by the server all the same."""
    if kind == TEXT:
        bad = _bmp_class(lambda ch: ch in BIDI_CONTROLS or (unicodedata.category(ch) == "Cc"
                                                             and ch not in MULTILINE_ALLOWED))
    else:
        bad = _bmp_class(lambda ch: unicodedata.category(ch) in ("Cc", "Cf"))
    unseen = _bmp_class(lambda ch: unicodedata.category(ch) in ("Cc", "Cf") or ch in BLANK_LOOKING)
    something = f"[^{bad}]*[^{unseen}\\s][^{bad}]*"
    # Required (and any name): something visible. Optional: that, or nothing but spaces (stripped away).
    return f"^{something}$" if visible or kind == NAME else f"^(?:[^{bad}\\S]*|{something})$"


PATTERNS: dict[tuple[str, bool], str] = {}


def pattern(kind: str, visible: bool = False) -> str:
    """`visible`: the field must say something (a required name or text)."""
    if (kind, visible) not in PATTERNS:
        PATTERNS[(kind, visible)] = _pattern(kind, visible)
    return PATTERNS[(kind, visible)]


def _visible(ch: str) -> bool:
    # Letters, digits, punctuation and symbols draw something; marks, spaces and separators alone do not.
    return unicodedata.category(ch)[0] in "LNPS" and ch not in BLANK_LOOKING


def text_problem(value: str, kind: str = LINE) -> str | None:
    """None when `value` may be stored as a field of this kind, else the Chinese message for the field."""
    if not isinstance(value, str):
        return None  # the type check is the field's own
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            return MESSAGES["surrogate"]
        if ch in BIDI_CONTROLS:
            return MESSAGES["bidi"]
        if category == "Cc":
            if kind == TEXT and ch in MULTILINE_ALLOWED:
                continue
            return MESSAGES["control_text" if kind == TEXT else "control"]
        if category == "Cf" and kind != TEXT:
            return MESSAGES["format"]
    stripped = value.strip()
    if stripped and not any(_visible(ch) for ch in stripped):
        return MESSAGES["invisible"]
    if kind == NAME and value and not stripped:
        return MESSAGES["invisible"]
    return None


class TextRule:
    """The rule as a marshmallow validator (`validate=TextRule(NAME)`)."""

    def __init__(self, kind: str = LINE):
        self.kind = kind

    def __call__(self, value):
        from marshmallow import ValidationError

        problem = text_problem(value, self.kind) if value is not None else None
        if problem:
            raise ValidationError(problem)
        return value

    def __repr__(self):
        return f"<TextRule({self.kind})>"


def form_rule(kind: str = LINE):
    """The same rule as a WTForms validator."""

    def check(form, field):
        from wtforms.validators import ValidationError

        problem = text_problem(field.data, kind) if field.data else None
        if problem:
            raise ValidationError(problem)

    return check
