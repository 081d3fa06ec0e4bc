"""What a door-to-door campaign works through at each door, and the words it counts with.

Checklist items are short door visits, not the full help visits of ``dispatch.catalogue``: a
volunteer checks and finishes each step with the family, so the minutes are smaller. The skill
is the catalogue key a volunteer needs. Difficulty codes are what the steering committee asks
about; the free text on the outcome carries the rest.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: str
    label_vi: str
    label_en: str
    minutes: int
    skill: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi


ITEMS: tuple[Item, ...] = (
    Item("vneid2", "VNeID định danh mức 2", "VNeID level 2", 15, "vneid"),
    Item("public_services", "Tài khoản dịch vụ công", "Public-service account", 10,
         "public_services"),
    Item("qr_payment", "Thanh toán QR", "QR payment", 8, "e_payment"),
    Item("scam_awareness", "Nhận biết lừa đảo", "Scam awareness", 5, "cyber_safety"),
)  # fmt: skip
ITEMS_BY_KEY = {item.key: item for item in ITEMS}
DEFAULT_CHECKLIST = tuple(item.key for item in ITEMS)
#: Greeting, finding the papers, writing the outcome: every door takes this much on top.
DOOR_BASE_MINUTES = 5
#: An elderly or disabled resident needs a slower pace.
SLOWER_PACE_MINUTES = 5

DIFFICULTIES: dict[str, tuple[str, str]] = {
    "no_smartphone": ("Không có điện thoại thông minh", "No smartphone"),
    "no_id_card": ("Chưa có CCCD gắn chip", "No chip ID card"),
    "weak_signal": ("Sóng yếu, không có mạng", "Weak signal or no internet"),
    "eyesight": ("Mắt kém, khó đọc màn hình", "Poor eyesight"),
    "language": ("Khó khăn tiếng Việt", "Difficulty with Vietnamese"),
    "fear_of_scams": ("Sợ bị lừa đảo", "Afraid of scams"),
    "no_bank_account": ("Chưa có tài khoản ngân hàng", "No bank account"),
    "other": ("Khác", "Other"),
}


def door_minutes(checklist: list[str] | tuple[str, ...], slower: bool) -> int:
    """The length of one door visit for this checklist."""
    items = sum(ITEMS_BY_KEY[key].minutes for key in checklist if key in ITEMS_BY_KEY)
    return DOOR_BASE_MINUTES + items + (SLOWER_PACE_MINUTES if slower else 0)


def door_skills(checklist: list[str] | tuple[str, ...], khmer: bool) -> frozenset[str]:
    """Skills a volunteer needs at the door: the headline item's (the campaign's first), and
    Khmer for a Khmer-speaking household. The other items are light enough for any volunteer
    of a digital technology team; requiring all of them would leave few volunteers able."""
    skills = (
        {ITEMS_BY_KEY[checklist[0]].skill} if checklist and checklist[0] in ITEMS_BY_KEY else set()
    )
    return frozenset(skills | ({"lang:km"} if khmer else set()))
