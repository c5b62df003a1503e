"""Masks what identifies a person or an account before a text is kept in `llm_logs`: IBANs, card numbers,
email addresses and phone numbers keep their last four characters, the rest becomes `*`.

Amounts, dates and ids stay as they are: a card number needs 13 to 19 digits in groups, a phone number a
leading `+` or a national shape, and neither matches `2026-11-30`, `1234.56` or a UUID.
"""

import re

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(
    r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\w])"  # international: +44 20 7946 0958
    r"|(?<![\w-])\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}(?![\w-])"  # North American: (555) 123-4567
    r"|(?<![\w-])0\d{2,4}[ /]\d{5,8}(?![\w-])"  # national with a trunk 0: 030 1234567
)


def _keep_last_four(match: re.Match[str]) -> str:
    text = match.group(0)
    visible = 0
    masked: list[str] = []
    for char in reversed(text):
        if char.isalnum() and visible < 4:
            visible += 1
            masked.append(char)
        elif char.isalnum():
            masked.append("*")
        else:
            masked.append(char)
    return "".join(reversed(masked))


def redact(text: str) -> str:
    text = text.replace("\x00", "")  # what a server may send, and PostgreSQL's text cannot hold
    for pattern in (_EMAIL, _IBAN, _CARD, _PHONE):
        text = pattern.sub(_keep_last_four, text)
    return text
