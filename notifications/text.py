"""Unicode helpers for Vietnamese SMS: NFC everywhere, and diacritic folding.

Folding serves two purposes: the parser compares words without accents (residents type both
ways, in NFC or NFD), and a commune may choose to send SMS folded to plain ASCII, which keeps
them in GSM-7 and halves the number of segments.
"""

from __future__ import annotations

import re
import unicodedata

# đ/Đ are letters of their own, not d + a combining mark, so NFD leaves them intact.
_STROKE_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Compose ``text`` to NFC: the form we store and send."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Remove Vietnamese diacritics: ``"Xẻo Đước"`` -> ``"Xeo Duoc"``.

    Works on NFC or NFD input; combining marks of any script are dropped.
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.translate(_STROKE_LETTERS))


def fold_key(text: str) -> str:
    """A comparison key: folded, lower case, runs of whitespace collapsed, trimmed."""
    return _SPACES.sub(" ", fold(text).lower()).strip()
