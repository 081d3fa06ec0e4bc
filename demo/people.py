"""Made-up people for the demo: Vietnamese (and Khmer) names and unused mobile numbers."""

from __future__ import annotations

import random

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Lâm", "Dương")
MIDDLE_F = ("Thị", "Ngọc", "Thanh", "Kim", "Mỹ", "Bích")
MIDDLE_M = ("Văn", "Minh", "Hữu", "Quốc", "Thành", "Công")
GIVEN_F = ("Lan", "Hoa", "Trang", "Nhung", "Thảo", "Hằng", "Yến", "Tuyết", "Phượng", "Diễm")
GIVEN_M = ("Tùng", "Phúc", "Khang", "Tài", "Lộc", "Nghĩa", "Hiếu", "Sang", "Tâm", "Bảo")
KHMER = ("Thạch", "Danh", "Sơn", "Kiên")  # common Khmer family names in the Mekong delta
MOBILE_PREFIXES = ("90", "91", "93", "94", "96", "97", "98")  # VN mobile ranges, +84 9x

# Blocks of local time; they overlap so their union runs 07:00-21:00 without a gap.


def vietnamese_name(rng: random.Random, *, khmer: bool = False) -> str:
    female = rng.random() < 0.5
    family = rng.choice(KHMER if khmer else FAMILY)
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    return f"{family} {middle} {given}"


def mobile_number(rng: random.Random, used: set[str]) -> str:
    while True:
        phone = f"+84{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
        if phone not in used:
            used.add(phone)
            return phone
