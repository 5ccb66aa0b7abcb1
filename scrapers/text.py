"""Text as un.org pages give it: decoded whatever their encoding, mojibake mended."""

from __future__ import annotations

import ftfy


def decode_page(body: bytes) -> str:
    """Decode a un.org page: UTF-8 if it is valid, else Windows-1252 (a Latin-1 superset)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def clean_text(text: str) -> str:
    """Collapse whitespace and mend mojibake ("Peopleâs" -> "People's")."""
    if not text.isascii():
        text = ftfy.fix_text(text, normalization="NFC").replace("\u2019", "'")
    return " ".join(text.replace("\xa0", " ").split())
