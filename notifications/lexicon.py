"""Words for the SMS parser: tokens, comparison keys, typo tolerance, shorthand, and the
phrases that point to each kind of help.

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


def word_matches(typed: str, pattern: str) -> bool:
    """Words up to three letters must be exact; four-letter words forgive two swapped
    letters (tein/tien); longer words forgive one typo of any sort."""
    if typed == pattern:
        return True
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
}  # fmt: skip


def expand(keys: list[str]) -> list[str]:
    out: list[str] = []
    for key in keys:
        word = SHORTHAND.get(key) or SHORTHAND.get(collapse_repeats(key)) or collapse_repeats(key)
        out.extend(word.split())
    return out


def _phrases(*items: tuple[str, int]) -> list[tuple[list[str], int]]:
    return [(key_of(text).split(), weight) for text, weight in items]


# Phrases per kind of help with a weight: names of apps and unambiguous words weigh most,
# generic words (phone, password) least. A kind needs a total of 2 or more.
KIND_PHRASES: dict[str, list[tuple[list[str], int]]] = {
    "vneid": _phrases(
        ("vneid", 3), ("vn eid", 3), ("định danh", 3), ("mức 2", 2), ("căn cước", 1)
    ),
    "public_services": _phrases(
        ("dịch vụ công", 3), ("dvc", 3), ("nộp hồ sơ", 2), ("thủ tục", 2), ("hành chính", 2),
        ("tạm trú", 2), ("thường trú", 2), ("cư trú", 2), ("giấy phép", 2), ("trợ cấp", 2),
        ("hộ kinh doanh", 3), ("đăng ký kinh doanh", 3),
    ),
    "civil_registration": _phrases(
        ("khai sinh", 3), ("khai tử", 3), ("kết hôn", 3), ("hộ tịch", 3), ("trích lục", 3)
    ),
    "e_payment": _phrases(
        ("chuyển tiền", 2), ("chuyển khoản", 2), ("ngân hàng", 2), ("momo", 3),
        ("zalopay", 3), ("zalo pay", 3), ("ví điện tử", 3), ("thanh toán", 2), ("mã qr", 2),
        ("tiền điện", 2), ("tiền nước", 2), ("đóng tiền", 2), ("trả tiền", 2), ("agribank", 3),
        ("atm", 3), ("rút tiền", 2), ("nạp tiền", 2), ("vietcombank", 3), ("bidv", 3),
        ("vietinbank", 3), ("techcombank", 3), ("viettel money", 3), ("bank", 2),
    ),
    "online_selling": _phrases(
        ("bán hàng", 3), ("bán online", 3), ("đăng bán", 3), ("shopee", 3), ("tiktok shop", 3),
        ("livestream", 3), ("gian hàng", 3), ("bán", 1), ("trên mạng", 1), ("online", 1),
        ("giao hàng", 2), ("ship", 2), ("cod", 2),
    ),
    "health_insurance": _phrases(
        ("bhyt", 3), ("bảo hiểm y tế", 3), ("bảo hiểm", 2), ("vssid", 3)
    ),
    "cyber_safety": _phrases(
        ("bị lừa", 4), ("lừa đảo", 4), ("hack", 4), ("chiếm tài khoản", 4),
        ("mất tài khoản", 3), ("bị lộ", 3), ("link lạ", 4), ("tin nhắn lạ", 4), ("số lạ", 2),
        ("tự xưng", 4), ("giả danh", 4), ("an toàn mạng", 4), ("trúng thưởng", 3),
        ("mất tiền", 3), ("mượn tiền", 3), ("nhận là", 3), ("cập nhật thông tin", 2),
        ("bảo mật", 3), ("virus", 4), ("quảng cáo", 2), ("tai nạn", 3), ("mật khẩu", 1),
        ("otp", 1),
    ),
    "smartphone_basics": _phrases(
        ("điện thoại", 2), ("smartphone", 3), ("cảm ứng", 2), ("gọi video", 3),
        ("nghe gọi", 2), ("chụp hình", 2), ("chụp ảnh", 2), ("gửi hình", 2), ("gửi ảnh", 2),
        ("nhắn tin", 2), ("wifi", 2),
        ("zalo", 1), ("cài zalo", 3), ("xài điện thoại", 3), ("dùng điện thoại", 3),
        ("thông minh", 2),
    ),
}  # fmt: skip


def find_kind(keys: list[str]) -> str | None:
    """The kind whose phrases weigh most in the message (first in the catalogue on a tie)."""
    best, best_score = None, 1
    for kind, phrases in KIND_PHRASES.items():
        score = sum(weight for words, weight in phrases if find_phrase(keys, words) is not None)
        if score > best_score:
            best, best_score = kind, score
    return best
