"""The wished visit time in an SMS: a day relative to ``today`` and a part of the day.

Days: hôm nay / bữa nay / nay, mai, mốt ("mai mốt" is "some day soon": no day), thứ 2-7 /
t2-t7 / thứ hai..bảy, CN / chủ nhật (the next one after today; ``tuần sau`` moves to next
week), dates 5/12 or 5/12/2026 (a past date means next year), ``ngày 5 tháng 12``;
``ngày 15`` or ``mùng 5`` alone is this month's, or next month's once it has passed.
Parts: sáng, trưa/chiều, tối, or a clock time (8h, 14h).
Ambiguous unaccented words are read from their neighbours: ``toi`` is "I" unless a day
follows or a clock time comes before (``7h toi``), ``sang nha`` is "come over", ``chi Mai``
is a name, ``mot chut`` is "a bit", ``det chieu`` is weaving mats (chiếu), not an afternoon
(and so is any other bare ``chieu`` of that message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from notifications.lexicon import Token

_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?$")
_CLOCK = re.compile(r"^(\d{1,2})(?:h|g)(\d{0,2})$")
_WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bai": 5}  # keys: y->i
_KIN = {"chi", "c", "anh", "em", "e", "co", "ba", "ong", "bac", "chu", "di", "cau", "ban"}
_PART_WORDS = {"sang": "morning", "trua": "afternoon", "chieu": "afternoon", "toi": "evening"}
_DAY_WORDS = {"nai", "mai", "mot", "thu", "cn", "chu", "ngai", "mung", "hom", "mia"}
_NOT_MORNING_AFTER = {"nha", "qua", "ben", "dai", "gio"}
# "dệt / trải / tấm / mảnh chiếu" is a sleeping mat, "chiếu phim" shows a film.
_NOT_AFTERNOON_BEFORE = {"det", "trai", "tam", "manh"}
_NOT_AFTERNOON_AFTER = {"phim"}
_ORDINAL_BEFORE = {"lan", "dua", "dot", "ki"}  # lần, đứa, đợt, kỳ thứ N
_CHILD_WORDS = {"con", "be", "chau", "thang"}  # con, bé, cháu, thằng (or tháng) thứ hai
_DATE_WORDS = {"ngai", "mung", "mong"}  # ngày, mùng, mồng 5
# "ngày 2 lần" is twice a day; "mùng 3 Tết" a lunar date, which this does not convert.
_NOT_A_DATE_AFTER = {"lan", "buoi", "tet"}


@dataclass(frozen=True)
class When:
    day: date | None
    part: str | None
    used: frozenset[int]  # token indexes read as time words


def _future(today: date, day: int, month: int, year: int | None) -> date | None:
    try:
        if year is not None:
            given = date(year + 2000 if year < 100 else year, month, day)
            return given if given >= today else None  # a past visit day is a typo: ask again
        found = date(today.year, month, day)
    except ValueError:
        return None
    return found if found >= today else date(today.year + 1, month, day)


def _day_of_month(today: date, day: int) -> date | None:
    """ "ngày 15" alone: the 15th of this month, or of next month once it has passed."""
    year, month = today.year, today.month
    if day < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _weekday_date(today: date, weekday: int, next_week: bool) -> date:
    if next_week:
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def _weekday_at(keys: list[str], i: int) -> tuple[int, int] | None:
    """(weekday 0=Monday, tokens used) for a weekday written at ``i``."""
    word = keys[i]
    nxt = keys[i + 1] if i + 1 < len(keys) else ""
    if word == "cn":
        return 6, 1
    if word == "chu" and nxt == "nhat":
        return 6, 2
    if re.fullmatch(r"t[2-7]", word):
        return int(word[1]) - 2, 1
    if word == "thu" and re.fullmatch(r"[2-7]", nxt):
        return int(nxt) - 2, 2
    if word == "thu" and nxt in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[nxt], 2
    return None


def _part_of_hour(hour: int) -> str | None:
    if 5 <= hour <= 11:
        return "morning"
    if 12 <= hour <= 17 or 1 <= hour <= 4:
        return "afternoon"  # "2h" means 14h when visiting people
    if 18 <= hour <= 22:
        return "evening"
    return None


class _Reader:
    def __init__(self, tokens: list[Token], today: date, accented: bool) -> None:
        self.tokens = tokens
        self.keys = [t.key for t in tokens]
        self.today = today
        self.accented = accented
        self.day: date | None = None
        self.part: str | None = None
        self.clock_part: str | None = None
        self.used: set[int] = set()

    def key(self, i: int) -> str:
        return self.keys[i] if 0 <= i < len(self.keys) else ""

    def set_day(self, found: date | None, *indexes: int) -> None:
        if found is not None and self.day is None:
            self.day = found
        if found is not None:
            self.used.update(indexes)

    def next_is_day(self, i: int) -> bool:
        nxt = self.key(i + 1)
        if nxt in {"thu", "chu"}:  # "tối thứ 6", but "người tới thu" (comes to collect)
            return _weekday_at(self.keys, i + 1) is not None
        return nxt in _DAY_WORDS or bool(_DATE.match(nxt)) or bool(re.fullmatch(r"t[2-7]", nxt))

    def read_day(self, i: int) -> int:
        """Read a day word at ``i``; return how many tokens it used (0: none)."""
        word, orig = self.keys[i], self.tokens[i].orig
        if match := _DATE.match(word):
            day, month, year = match.groups()
            year_number = int(year) if year else None
            self.set_day(_future(self.today, int(day), int(month), year_number), i)
            return 1
        if word == "thu" and self._is_ordinal(i):
            return 0
        if weekday := _weekday_at(self.keys, i):
            number, size = weekday
            next_week = self.key(i + size) == "tuan" and self.key(i + size + 1) in {"sau", "toi"}
            self.set_day(_weekday_date(self.today, number, next_week), *range(i, i + size))
            return size + (2 if next_week else 0)
        if word in {"hom", "bua"} and self.key(i + 1) == "nai":  # hôm nay, southern bữa nay
            self.set_day(self.today, i, i + 1)
            return 2
        if word == "hnai":  # "hnay", shorthand of hôm nay
            self.set_day(self.today, i)
            return 1
        if word == "nai" and self.key(i - 1) in _PART_WORDS:
            self.set_day(self.today, i)
            return 1
        if word == "mai" and orig == "mai" and self.key(i + 1) == "mot":
            self.used.update((i, i + 1))  # "mai mốt": some day soon, no day in particular
            return 2
        if word == "mai" and orig == "mai" and self.key(i - 1) not in _KIN:
            self.set_day(self.today + timedelta(days=1), i)  # after chị/anh... Mai is a name
            return 1
        if word == "mia" and self.key(i - 1) in _PART_WORDS:
            self.set_day(self.today + timedelta(days=1), i)
            return 1
        if word == "mot" and self._is_day_after_tomorrow(i):
            self.set_day(self.today + timedelta(days=2), i)
            return 1
        if word in _DATE_WORDS and self.key(i + 1).isdigit():
            return self._read_day_number(i)
        return 0

    def _read_day_number(self, i: int) -> int:
        """ "ngày 5 tháng 12", or "ngày 15" / "mùng 5" alone, at ``i``."""
        number = int(self.key(i + 1))
        if self.key(i + 2) == "thang" and self.key(i + 3).isdigit():
            self.set_day(_future(self.today, number, int(self.key(i + 3)), None), i)
            return 4
        if self.key(i + 2) in _NOT_A_DATE_AFTER:
            return 0
        self.set_day(_day_of_month(self.today, number), i, i + 1)
        return 2

    def _is_ordinal(self, i: int) -> bool:
        """ "lần thứ 2", "đứa thứ ba": the second time, the third child. After "con", "bé"...
        only a number in words ("bé thứ hai", the second baby): "cho con thứ 2" is more often
        "for my child, on Monday"."""
        before = self.key(i - 1)
        child = before in _CHILD_WORDS and self.key(i + 1) in _WEEKDAY_WORDS
        return before in _ORDINAL_BEFORE or child

    def _is_day_after_tomorrow(self, i: int) -> bool:
        orig = self.tokens[i].orig
        if orig == "mốt":
            return True
        if orig != "mot":
            return False  # "một" is "one"
        before, after = self.key(i - 1), self.key(i + 1)
        return before in _PART_WORDS or before == "ngai" or after in _PART_WORDS or after == ""

    def _is_afternoon(self, i: int) -> bool:
        if self.tokens[i].orig not in {"chieu", "chiều"}:
            return False  # chiếu (a mat, to show), chiêu: other words once accented
        if self.key(i - 1) in _NOT_AFTERNOON_BEFORE or self.key(i + 1) in _NOT_AFTERNOON_AFTER:
            return False
        # Once a message has named mats ("dệt chiếu"), a bare "chieu" is a mat too ("bán
        # chieu trên mạng"); "chiều mai", "chiều thứ 6" still name an afternoon.
        return self.next_is_day(i) or not self._names_mats()

    def _names_mats(self) -> bool:
        return any(
            key == "chieu" and self.key(j - 1) in _NOT_AFTERNOON_BEFORE
            for j, key in enumerate(self.keys)
        )

    def _after_clock(self, i: int) -> bool:
        """ "7h toi", "7 gio toi": evening after a clock time ("giờ tôi" alone is "now I")."""
        before = self.key(i - 1)
        return bool(_CLOCK.match(before)) or (before == "gio" and self.key(i - 2).isdigit())

    def read_part(self, i: int) -> None:
        word, orig = self.keys[i], self.tokens[i].orig
        part: str | None = None
        if match := _CLOCK.match(word):
            self.clock_part = self.clock_part or _part_of_hour(int(match.group(1)))
            self.used.add(i)
            return
        if word.isdigit() and self.key(i + 1) == "gio":
            self.clock_part = self.clock_part or _part_of_hour(int(word))
            return
        if word == "sang":
            if orig == "sáng" or (
                orig == "sang" and not self.accented and self.key(i + 1) not in _NOT_MORNING_AFTER
            ):
                part = "morning"
        elif word == "trua" or (word == "chieu" and self._is_afternoon(i)):
            part = _PART_WORDS[word]
        elif word == "chiu" and self.next_is_day(i):
            part = "afternoon"
        elif word == "toi":
            if orig == "tối" or (
                orig == "toi"
                and not self.accented
                and (self.next_is_day(i) or self.key(i - 1) == "buoi" or self._after_clock(i))
            ):
                part = "evening"
        if part is not None:
            self.used.add(i)
            self.part = self.part or part


def read_when(tokens: list[Token], today: date, *, accented: bool) -> When:
    reader = _Reader(tokens, today, accented)
    i = 0
    while i < len(tokens):
        used = reader.read_day(i)
        if used == 0:
            reader.read_part(i)
            used = 1
        i += used
    return When(reader.day, reader.part or reader.clock_part, frozenset(reader.used))
