"""Segments per SMS template in each mode, with realistic long values:
``python bench/template_segments.py`` prints a Markdown table (the tests assert <= 2)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from notifications.templates import KIND_LABELS, TEMPLATES, placeholders, render

VISIT = datetime(2026, 12, 22, 3, 30, tzinfo=UTC)  # 10h30 Tuesday in Asia/Ho_Chi_Minh
# The longest kind label, long hamlet names with diacritics, a two-syllable given name (the
# volunteer's first name), a full resident name and a formatted phone number.
LONG_VALUES: dict[str, object] = {
    "kind": "civil_registration",
    "ref": "DS-48213",
    "hamlet": "Minh Thuận B",
    "when": VISIT,
    "time": VISIT,
    "volunteer": "Thanh Hương",
    "code": "4821",
    "hamlets": ["Minh Thuận A", "Minh Thuận B", "Công Sự"],
    "minutes": 10,
    "resident": "Huỳnh Thị Tuyết",
    "phone": "0912 345 678",
    "letter": "B",
    "first": "A",
    "count": 2,
    "letters": "A, B",
    # Lists of offers as notifications.offer_texts builds them; a longer list that does not
    # fit in two segments is sent another way (one SMS per offer, or shorter items).
    "items": "A) thanh toán, Minh Thuận B, 10h30 T3; B) bán online, Xẻo Đước, 14h45 T3",
    "wished": "21h30-23h00 T3 22/12",
    "day": "T3 22/12",
    "part": "2/3",
    "summary": "3 xong, 4 vắng, 5 hẹn 16h30, 6 từ chối, 7 xong, 8 xong, 9 vắng",
    "numbers": "12, 14",
}
MODES = (("vi", False), ("vi", True), ("en", False), ("en", True))


def values_for(name: str, lang: str, kind: str | None = None) -> dict[str, object]:
    picked = {k: LONG_VALUES[k] for k in placeholders(name, lang)}
    if kind is not None and "kind" in picked:
        picked["kind"] = kind
    return picked


def worst_case(name: str, lang: str, fold: bool) -> tuple[int, int, str]:
    """(segments, characters, encoding) of the longest rendering over every kind."""
    renders = [render(name, lang, fold, **values_for(name, lang, k)) for k in KIND_LABELS]
    worst = max(renders, key=lambda r: (r.segments, len(r.body)))
    return worst.segments, len(worst.body), str(worst.encoding)


def main() -> int:
    head = " | ".join(f"{lang}{' folded' if fold else ''}" for lang, fold in MODES)
    print(f"| template | {head} |")
    print("|---" * (len(MODES) + 1) + "|")
    over = 0
    for name in TEMPLATES:
        cells = []
        for lang, fold in MODES:
            segments, chars, encoding = worst_case(name, lang, fold)
            over += segments > 2
            cells.append(f"{segments} ({chars} ch, {encoding})")
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
