from __future__ import annotations

import pytest

from dispatch.catalogue import BY_KEY, KEYS, KINDS, UnknownKind, get_kind

EXPECTED = [
    "vneid",
    "public_services",
    "civil_registration",
    "e_payment",
    "online_selling",
    "health_insurance",
    "cyber_safety",
    "smartphone_basics",
]


def test_the_eight_kinds_in_order() -> None:
    assert list(KEYS) == EXPECTED
    assert len(BY_KEY) == len(KINDS) == 8


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_each_kind_is_complete(kind: object) -> None:
    from dispatch.catalogue import HelpKind

    assert isinstance(kind, HelpKind)
    assert kind.skill == kind.key
    assert 15 <= kind.minutes <= 120
    for text in (kind.label_vi, kind.label_en, kind.bring_vi, kind.bring_en):
        assert text.strip() == text and len(text) > 5
    assert kind.label("vi") == kind.label_vi and kind.label("en") == kind.label_en
    assert kind.bring("en") == kind.bring_en


def test_vneid_says_level_2_and_what_to_bring() -> None:
    vneid = get_kind("vneid")
    assert "2" in vneid.label_vi and "level 2" in vneid.label_en
    assert "CCCD" in vneid.bring_vi and "phone" in vneid.bring_en


def test_labels_are_unique_and_vietnamese_has_diacritics() -> None:
    assert len({k.label_vi for k in KINDS}) == 8
    assert len({k.label_en for k in KINDS}) == 8
    assert all(any(ord(ch) > 127 for ch in k.label_vi) for k in KINDS)


def test_unknown_kind() -> None:
    with pytest.raises(UnknownKind):
        get_kind("karaoke")
