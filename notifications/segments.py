"""SMS segment counting: GSM-7 (basic table + extension table) versus UCS-2.

A single GSM-7 SMS holds 160 septets, a concatenated part 153 (the user data header takes 7).
UCS-2 holds 70 UTF-16 code units, a concatenated part 67. Extension characters cost two
septets and are never split across parts; neither are UTF-16 surrogate pairs. Any Vietnamese
diacritic other than the few in the GSM table (é, è, ì, ò, ù, à...) forces UCS-2 for the
whole message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# 3GPP TS 23.038 default alphabet (basic table); ESC (0x1B) is not a printable character.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs an escape septet plus itself.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE_LIMIT = {"GSM-7": 160, "UCS-2": 70}
PART_LIMIT = {"GSM-7": 153, "UCS-2": 67}


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class SegmentInfo:
    encoding: Encoding
    segments: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _unit_costs(text: str, encoding: Encoding) -> list[int]:
    if encoding is Encoding.GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _pack(costs: list[int], part_limit: int) -> int:
    """Parts needed when no character may straddle two parts."""
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part_limit:
            parts, used = parts + 1, 0
        used += cost
    return parts


def count_segments(text: str) -> SegmentInfo:
    """Encoding and number of SMS parts for ``text`` (an empty text is one segment)."""
    encoding = Encoding.GSM7 if is_gsm7(text) else Encoding.UCS2
    costs = _unit_costs(text, encoding)
    units = sum(costs)
    if units <= SINGLE_LIMIT[encoding.value]:
        return SegmentInfo(encoding, 1, units)
    return SegmentInfo(encoding, _pack(costs, PART_LIMIT[encoding.value]), units)
