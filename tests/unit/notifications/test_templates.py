from datetime import UTC, datetime

import pytest

from bench.template_segments import MODES, values_for
from notifications.segments import Encoding
from notifications.templates import (
    KIND_LABELS,
    TEMPLATES,
    TemplateError,
    format_when,
    placeholders,
    render,
)


def _values(name: str, lang: str, kind: str) -> dict[str, object]:
    return values_for(name, lang, kind)


@pytest.mark.parametrize("lang,fold", MODES)
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_fits_two_segments_with_long_values(name, lang, fold):
    for kind in KIND_LABELS:
        sms = render(name, lang, fold, **_values(name, lang, kind))
        assert sms.segments <= 2, (name, lang, fold, kind, len(sms.body), sms.body)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_both_languages_ask_for_the_same_values(name):
    assert placeholders(name, "vi") == placeholders(name, "en")


def test_vietnamese_with_diacritics_is_ucs2_and_folded_is_gsm7():
    accented = render("confirmation", "vi", False, **_values("confirmation", "vi", "vneid"))
    folded = render("confirmation", "vi", True, **_values("confirmation", "vi", "vneid"))
    assert accented.encoding is Encoding.UCS2
    assert folded.encoding is Encoding.GSM7
    assert folded.segments < accented.segments
    assert "Thanh Huong" in folded.body and "Đội" not in folded.body and "Doi" in folded.body


def test_confirmation_carries_time_name_code_and_the_otp_warning():
    body = render("confirmation", "vi", False, **_values("confirmation", "vi", "vneid")).body
    assert "10h30 T3 22/12" in body and "Thanh Hương" in body and "4821" in body
    assert "OTP" in body and "mật khẩu" in body
    en = render("confirmation", "en", False, **_values("confirmation", "en", "vneid")).body
    assert "10:30 Tue 22 Dec" in en and "OTP or password" in en


def test_offer_says_how_to_answer_with_its_letter():
    body = render("offer", "vi", False, **_values("offer", "vi", "e_payment")).body
    assert body.startswith("Việc mới B: thanh toán điện tử")
    assert "Nhắn 1B để nhận, 2B để từ chối" in body
    en = render("offer", "en", False, **_values("offer", "en", "e_payment")).body
    assert "Reply 1B to accept, 2B to decline" in en


def test_body_is_nfc_even_with_nfd_values():
    sms = render("ask_hamlet", "vi", hamlets="Xe\u0309o \u0110u\u031bo\u031b\u0301c")
    assert "Xẻo Đước" in sms.body


def test_missing_value_and_unknown_template_raise():
    with pytest.raises(TemplateError, match="needs code"):
        render("sign_in_code", "vi", minutes=5)
    with pytest.raises(TemplateError):
        render("nope", "vi")
    with pytest.raises(TemplateError):
        render("help", "fr")


def test_naive_datetime_is_refused():
    with pytest.raises(TemplateError):
        render("reminder_hour", "vi", time=datetime(2026, 1, 1, 8), volunteer="An", code="1")


def test_format_when_uses_local_time_and_short_weekdays():
    sunday_evening = datetime(2026, 12, 6, 11, 0, tzinfo=UTC)  # 18h00 Sunday local
    assert format_when(sunday_evening, "vi") == "18h00 CN 6/12"
    assert format_when(sunday_evening, "en") == "18:00 Sun 6 Dec"
