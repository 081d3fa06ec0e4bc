"""Words for the SMS parser: tokens, comparison keys, typo tolerance and shorthand (the
phrases of each kind of help are in ``notifications.kind_words``).

Everything is compared on a *key*: folded (no diacritics), lower case, and with ``y`` written
``i`` (Vietnamese spells quy/qui, ký/kí both ways). Patterns go through the same function,
so they can be written naturally, with diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from notifications.text import fold

# Dates (5/12, 05-12-2026), clock times (8h, 7h30, 14g) and words (letters and digits).
_TOKEN = re.compile(r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{1,2}(?:h|g)\d{0,2}(?![^\W\d_])|\w+")
_AP_NUMBER = re.compile(r"^(ap|ấp)(\d{1,2})$")


@dataclass(frozen=True)
class Token:
    orig: str  # NFC, lower case, as typed
    key: str  # comparison key


@lru_cache(maxsize=65536)
def key_of(word: str) -> str:
    return fold(word).lower().replace("y", "i")


def tokenize(text: str) -> list[Token]:
    lowered = unicodedata.normalize("NFC", text).lower()
    tokens: list[Token] = []
    for word in _TOKEN.findall(lowered):
        if word == "_":
            continue
        split = _AP_NUMBER.match(word)
        parts = [split.group(1), split.group(2)] if split else [word]
        tokens.extend(Token(p, key_of(p)) for p in parts)
    # "ấp số 2" is "ấp 2"
    return [
        t
        for i, t in enumerate(tokens)
        if not (
            t.key == "so"
            and 0 < i < len(tokens) - 1
            and tokens[i - 1].key == "ap"
            and tokens[i + 1].key.isdigit()
        )
    ]


def has_diacritics(text: str) -> bool:
    return fold(text) != unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def osa_distance(a: str, b: str, limit: int = 2) -> int:
    """Edit distance counting an adjacent swap as one edit (``limit + 1`` at once when the
    lengths alone differ by more than ``limit``)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


#: Words of their own, never typos of a longer pattern: a "shop" is no "Shopee".
WHOLE_WORDS = {"shop"}


def word_matches(typed: str, pattern: str) -> bool:
    """Words up to three letters must be exact; four-letter words forgive two swapped
    letters (tein/tien); longer words forgive one typo of any sort."""
    if typed == pattern:
        return True
    if typed in WHOLE_WORDS:
        return False
    if len(pattern) == 4 and len(typed) == 4:
        return sorted(typed) == sorted(pattern) and osa_distance(typed, pattern, 1) <= 1
    return len(pattern) >= 5 and len(typed) >= 4 and osa_distance(typed, pattern, 1) <= 1


def find_phrase(keys: list[str], phrase: list[str]) -> int | None:
    """Index where ``phrase`` (keys) starts in ``keys``, allowing one typo per long word."""
    size = len(phrase)
    for start in range(len(keys) - size + 1):
        if all(word_matches(keys[start + i], phrase[i]) for i in range(size)):
            return start
    return None


def collapse_repeats(word: str) -> str:
    """``xongg`` -> ``xong``, ``okkk`` -> ``ok``: people lean on keys."""
    return re.sub(r"(.)\1+", r"\1", word)


# Shorthand and variants, by key, used to read intents (not places).
SHORTHAND = {
    "ko": "khong", "k": "khong", "kg": "khong", "khg": "khong", "hok": "khong",
    "hong": "khong", "hk": "khong", "kh": "khong", "khog": "khong", "kô": "khong",
    "dc": "duoc", "dk": "duoc", "đc": "duoc", "duoc": "duoc",
    "gium": "giup", "jup": "giup", "jum": "giup", "zup": "giup", "giupp": "giup",
    "oke": "ok", "okie": "ok", "okai": "ok", "okei": "ok", "oki": "ok",
    "dongi": "dong i", "vs": "voi", "dt": "dien thoai",
    "mik": "minh", "mjk": "minh", "bik": "biet", "ntn": "nhu the nao", "tk": "tai khoan",
    "ng": "nguoi", "sp": "san pham", "fb": "facebook", "hs": "ho so", "yte": "y te",
    "ck": "chuyen khoan", "stk": "so tai khoan",
    # "vss id" (VssID typed apart) is not "vs" (với) once its doubled letter is collapsed:
    # keep it as the collapsed key the kind phrases are written in.
    "vss": "vs",
}  # fmt: skip


def expand(keys: list[str]) -> list[str]:
    out: list[str] = []
    for key in keys:
        word = SHORTHAND.get(key) or SHORTHAND.get(collapse_repeats(key)) or collapse_repeats(key)
        out.extend(word.split())
    return out


#: "để em qua", "để tui ghé": an offer to come (unaccented, a bare "de qua" is "dễ quá").
_OFFERERS, _COMING = "em e con chau tui toi minh anh chi".split(), "qua toi ghe xuong di".split()
OFFER_TO_COME = [["de", who, verb] for who in _OFFERERS for verb in _COMING]
#: Particles and forms of address that carry no meaning of their own in a short reply. Not
#: "việc" (work): "xã làm việc thứ 7 không" asks whether the office opens, no refusal.
POLITE = {
    key_of(w) for w in "a ạ à nha nhé nhen ne nè oi ơi em e anh chi chị c rồi vậy ha ta".split()
}
