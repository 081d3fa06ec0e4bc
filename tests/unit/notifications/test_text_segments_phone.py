import unicodedata

import pytest

from notifications.phone import InvalidPhone, parse_phone, to_e164
from notifications.segments import Encoding, count_segments
from notifications.text import fold, fold_key, nfc


def test_fold_removes_diacritics_and_stroke_d():
    assert fold("Xẻo Đước, đường Công Sự") == "Xeo Duoc, duong Cong Su"
    assert fold(unicodedata.normalize("NFD", "Minh Hòa Ấp")) == "Minh Hoa Ap"


def test_fold_key_collapses_case_and_space():
    assert fold_key("  Minh   THUẬN  b ") == "minh thuan b"


def test_nfc_composes():
    assert nfc("Ho\u0300a") == "Hòa"


@pytest.mark.parametrize(
    "text,encoding,segments",
    [
        ("", Encoding.GSM7, 1),
        ("a" * 160, Encoding.GSM7, 1),
        ("a" * 161, Encoding.GSM7, 2),
        ("a" * 306, Encoding.GSM7, 2),
        ("a" * 307, Encoding.GSM7, 3),
        ("€" * 80, Encoding.GSM7, 1),  # extension characters cost two septets
        ("€" * 81, Encoding.GSM7, 2),
        ("ư" * 70, Encoding.UCS2, 1),
        ("ư" * 71, Encoding.UCS2, 2),
        ("ư" * 134, Encoding.UCS2, 2),
        ("ư" * 135, Encoding.UCS2, 3),
        ("Hòa", Encoding.GSM7, 1),  # ò is in the GSM basic table
        ("Hoà bình ạ", Encoding.UCS2, 1),
        ("😀" * 35, Encoding.UCS2, 1),  # surrogate pairs count twice
        ("😀" * 36, Encoding.UCS2, 2),
    ],
)
def test_count_segments(text, encoding, segments):
    info = count_segments(text)
    assert (info.encoding, info.segments) == (encoding, segments)


def test_extension_character_is_not_split_across_parts():
    # 152 plain septets then a 2-septet character: the escape pair moves to part two.
    assert count_segments("a" * 152 + "€" + "a" * 152).segments == 3
    assert count_segments("a" * 153 + "a" * 153).segments == 2


@pytest.mark.parametrize(
    "raw,e164",
    [
        ("0912345678", "+84912345678"),
        ("091 234 5678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0381234567", "+84381234567"),
        ("0701234567", "+84701234567"),
        ("0084912345678", "+84912345678"),
        ("(+84) 912.345.678", "+84912345678"),
    ],
)
def test_mobile_numbers_become_e164(raw, e164):
    assert to_e164(raw) == e164


@pytest.mark.parametrize(
    "raw,reason,words",
    [
        ("01681234567", "old_mobile", "0381234567"),
        ("0120 123 4567", "old_mobile", "0701234567"),
        ("+84 168 123 4567", "old_mobile", "0381234567"),
        ("0084 1681234567", "old_mobile", "0381234567"),
        ("0297 3862 123", "landline", "landline"),
        ("+14155550100", "foreign", "not a Vietnamese"),
        ("091234567", "invalid", "not a valid"),
        ("hello", "unparseable", "not a phone"),
        ("", "empty", "no phone"),
    ],
)
def test_bad_numbers_are_rejected_with_a_reason(raw, reason, words):
    with pytest.raises(InvalidPhone, match=words) as caught:
        parse_phone(raw)
    assert caught.value.reason == reason


def test_national_format_is_kept_for_display():
    assert parse_phone("0912345678").national == "0912 345 678"
