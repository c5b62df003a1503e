"""What text Colony accepts: no control characters, and tab and line breaks only in multi-line fields.

A NUL cannot be stored by PostgreSQL at all, and the other control characters (C0, DEL, C1) have no
place in a name, an email or a search; lone surrogates (`"\\ud800"` in JSON) are not text that UTF-8 can
hold. Tab, line feed and carriage return are kept where people write prose: the fields named in
`MULTILINE_FIELDS`, wherever they appear. The rule is applied to every request's input in one place
(`core/routing.py`) and to the text cells of imported files.
"""

import re

MULTILINE_FIELDS = frozenset({"description", "notes", "note", "content"})
"""Fields that may hold tab, line feed and carriage return: notes, descriptions, an assistant message."""

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_EXCEPT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` is refused, or None when it is acceptable."""
    found = (_CONTROL_EXCEPT_LINES if multiline else _CONTROL).search(text)
    if found is None:
        return None
    code_point = ord(found.group())
    if 0xD800 <= code_point <= 0xDFFF:
        return f"must be valid Unicode text (a lone surrogate U+{code_point:04X} was found)"
    if multiline:
        return (f"must not contain control characters (U+{code_point:04X} was found); "
                "tab and line breaks are allowed")
    return f"must not contain control characters (U+{code_point:04X} was found)"


def is_multiline(field: str | None) -> bool:
    return field in MULTILINE_FIELDS
