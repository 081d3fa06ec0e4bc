"""A volunteer's answer that names visits by letter: "1B", "2 C", "XONG B", "nhận A", "1A 1B".

Offers and visits carry the volunteer's letter (``dispatch.models.requests.OFFER_LETTERS``).
A letter typed against the action ("1b", "2A") is read in any case; a letter apart from it
must be a capital ("XONG B"), because a lone lower-case "a", "e" or "c" after a word is
Vietnamese politeness or an address ("xong ạ", "nhận em"). The message may hold little else
("1A nha", "XONG B rồi"): a longer text ("giúp vneid ấp 2a") is no answer by letter.
"""

from __future__ import annotations

import re
import unicodedata

from dispatch.models.requests import OFFER_LETTERS
from notifications.text import fold

_ACTIONS = {"1": "accept", "nhan": "accept", "2": "decline", "tu choi": "decline", "xong": "done"}
_ATTACHED = re.compile(r"(?<![\w])([12])([a-zA-Z]{1,2})(?![\w])")
_APART = re.compile(r"(?<![\w])(?i:(1|2|nhan|tu choi|xong))\s*[:.,-]?\s*([A-Z]{1,2})(?![\w])")
_FILLER = {"a", "e", "nha", "nhe", "ne", "roi", "ok", "oke", "viec", "va", "voi", "da", "em", "anh"}
MAX_OTHER_WORDS = 2


def read_codes(text: str) -> tuple[str, list[str]] | None:
    """(intent, letters) when ``text`` answers by letter; None otherwise (or when it mixes
    answers, "1A 2B": that is asked again rather than guessed)."""
    folded = fold(unicodedata.normalize("NFC", text))
    found: list[tuple[str, str, tuple[int, int]]] = []
    for pattern in (_ATTACHED, _APART):
        for match in pattern.finditer(folded):
            letter = match.group(2).upper()
            if all(ch in OFFER_LETTERS for ch in letter):
                found.append((_ACTIONS[match.group(1).lower()], letter, match.span()))
    if not found:
        return None
    rest = folded
    for _, _, (start, end) in sorted(found, key=lambda f: f[2], reverse=True):
        rest = rest[:start] + " " + rest[end:]
    other = [w for w in re.findall(r"\w+", rest.lower()) if w not in _FILLER]
    intents = {intent for intent, _, _ in found}
    if len(other) > MAX_OTHER_WORDS or len(intents) != 1:
        return None
    letters = list(dict.fromkeys(letter for _, letter, _ in sorted(found, key=lambda f: f[2])))
    return intents.pop(), letters
