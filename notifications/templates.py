"""Outgoing SMS texts in Vietnamese and English, rendered NFC with their segment count.

Texts are kept short on purpose: with diacritics a Vietnamese SMS is UCS-2 (67 characters per
part), and every template must fit in two parts with realistic long values, in each mode
(Vietnamese with diacritics, Vietnamese folded to ASCII, English). The unit tests check it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from notifications.segments import Encoding, count_segments
from notifications.text import fold as fold_text
from notifications.text import nfc

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LANGS = ("vi", "en")

# Short labels for SMS (the web uses the catalogue's longer ones).
KIND_LABELS: dict[str, dict[str, str]] = {
    "vneid": {"vi": "VNeID", "en": "VNeID"},
    "public_services": {"vi": "dịch vụ công", "en": "public services"},
    "civil_registration": {"vi": "hộ tịch", "en": "civil registration"},
    "e_payment": {"vi": "thanh toán điện tử", "en": "e-payment"},
    "online_selling": {"vi": "bán hàng online", "en": "online selling"},
    "health_insurance": {"vi": "BHYT", "en": "health insurance"},
    "cyber_safety": {"vi": "an toàn mạng", "en": "online safety"},
    "smartphone_basics": {"vi": "dùng điện thoại", "en": "smartphone basics"},
}

TEMPLATES: dict[str, dict[str, str]] = {
    "request_received": {
        "vi": "Đã nhận yêu cầu {kind}, mã {ref}. Sẽ nhắn giờ hẹn sớm. Hủy: nhắn HUY",
        "en": "We got your request for {kind}, ref {ref}. We will text the visit time soon. "
        "To cancel reply HUY",
    },
    # No sign-in link here: {public_url}/v/link/{token} is 70+ characters even on a short host,
    # and with diacritics (UCS-2, 67 per part) the offer would need 3 parts (163-181 characters
    # measured), so volunteers sign in on the web with a one-time SMS code instead.
    "offer": {
        "vi": "Việc mới: {kind}, {hamlet}, {when}. Nhắn 1 để nhận, 2 để từ chối.",
        "en": "New visit: {kind}, {hamlet}, {when}. Reply 1 to accept, 2 to decline.",
    },
    "confirmation": {
        "vi": "Hẹn {when}: {volunteer} giúp {kind}. Mã thăm {code}, người đến sẽ đọc. Đội "
        "không bao giờ hỏi OTP hay mật khẩu.",
        "en": "Visit {when}: {volunteer} for {kind}. Code {code}: said at your door. "
        "We never ask for your OTP or password.",
    },
    "reminder_evening": {
        "vi": "Nhắc: {when} {volunteer} đến giúp {kind}, mã thăm {code}. Không đưa OTP, mật "
        "khẩu cho ai. Hủy: nhắn HUY",
        "en": "Reminder: {volunteer} visits {when} ({kind}), code {code}. Never share your "
        "OTP or password. Cancel: HUY",
    },
    "reminder_hour": {
        "vi": "Khoảng {time} {volunteer} sẽ đến. Mã thăm {code}. Không đưa OTP cho ai.",
        "en": "{volunteer} will arrive around {time}. Visit code {code}. Never share your OTP.",
    },
    "reschedule": {
        "vi": "Lịch hẹn {ref} đổi sang {when}, người đến: {volunteer}, mã thăm {code}. Không "
        "tiện? Nhắn HUY",
        "en": "Visit {ref} moved to {when}, volunteer {volunteer}, visit code {code}. Not "
        "convenient? Reply HUY",
    },
    "cancellation": {
        "vi": "Lịch hẹn {ref} ({kind}) đã hủy. Cần giúp, cứ nhắn tin cho chúng tôi.",
        "en": "Visit {ref} ({kind}) is cancelled. Text us any time you need help.",
    },
    "thanks": {
        "vi": "Cảm ơn bạn! Việc {kind} ({ref}) đã xong. Cần giúp thêm, cứ nhắn tin.",
        "en": "Thank you! Your {kind} visit ({ref}) is done. Text us if you need more help.",
    },
    "help": {
        "vi": "Nhắn việc cần giúp và ấp, vd: giup VNeID ap 2 sang mai. TNV: 1 nhận, 2 từ chối, "
        "XONG. HUY: hủy hẹn. STOP: ngừng nhận tin",
        "en": "Text what you need and your hamlet, e.g. help VNeID ap 2 tomorrow morning. "
        "Volunteers: 1 accept, 2 decline, XONG done. HUY cancels, STOP opts out",
    },
    "stop": {
        "vi": "Bạn đã ngừng nhận tin. Nhắn START để nhận lại.",
        "en": "You will get no more messages. Reply START to opt back in.",
    },
    "start": {
        "vi": "Bạn sẽ nhận tin lại. Nhắn HELP để xem hướng dẫn.",
        "en": "You will get messages again. Reply HELP for instructions.",
    },
    "not_understood": {
        "vi": "Xin lỗi, chưa hiểu tin nhắn. Nhắn việc cần giúp và ấp, vd: giup VNeID ap 2. "
        "Nhắn HELP để xem hướng dẫn.",
        "en": "Sorry, we did not understand. Text what you need and your hamlet, e.g. help "
        "VNeID ap 2. Reply HELP for instructions.",
    },
    "ask_hamlet": {
        "vi": "Bạn ở ấp nào? Vd: {hamlets}",
        "en": "Which hamlet do you live in? E.g. {hamlets}",
    },
    "ask_kind": {
        "vi": "Bạn cần giúp việc gì? Vd: VNeID, dịch vụ công, hộ tịch, chuyển tiền, bán hàng "
        "online, BHYT, lừa đảo mạng, dùng điện thoại",
        "en": "What do you need help with? E.g. VNeID, public services, civil registration, "
        "e-payment, selling online, health insurance, scams, smartphone",
    },
    "ask_when": {
        "vi": "Bạn muốn được giúp khi nào? Vd: sáng mai, chiều thứ 5, 5/12",
        "en": "When would you like the visit? E.g. tomorrow morning, Thursday afternoon, 5/12",
    },
    "sign_in_code": {
        "vi": "Mã đăng nhập: {code}, hết hạn sau {minutes} phút. Đừng đưa mã này cho ai.",
        "en": "Your sign-in code: {code}, valid for {minutes} minutes. Never share this code.",
    },
    "accept_ack": {
        "vi": "Đã nhận việc: {kind}, {hamlet}, {when}. Người dân {resident} {phone}. Mã thăm "
        "{code}. Xong nhắn XONG",
        "en": "Accepted: {kind}, {hamlet}, {when}. {resident} {phone}. Visit code {code}. "
        "Reply XONG when done",
    },
    "decline_ack": {
        "vi": "Đã ghi nhận bạn từ chối việc {kind} {when}. Cảm ơn bạn!",
        "en": "Noted: you declined {kind} {when}. Thank you!",
    },
    "done_ack": {
        "vi": "Đã ghi nhận hoàn thành việc {kind} ({ref}). Cảm ơn bạn!",
        "en": "Marked done: {kind} ({ref}). Thank you!",
    },
    "offer_withdrawn": {
        "vi": "Việc {kind} tại {hamlet} {when} đã đổi, bạn không cần đến. Cảm ơn bạn!",
        "en": "The {kind} visit at {hamlet} {when} changed; you need not go. Thank you!",
    },
}

_WEEKDAYS = {
    "vi": ("T2", "T3", "T4", "T5", "T6", "T7", "CN"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS_EN = ("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec").split()


class TemplateError(KeyError):
    """Unknown template or language, or a value the template needs is missing."""


@dataclass(frozen=True)
class RenderedSms:
    body: str
    encoding: Encoding
    segments: int


def format_clock(moment: datetime, lang: str) -> str:
    local = moment.astimezone(LOCAL_TZ)
    if lang == "vi":
        return f"{local.hour}h{local.minute:02d}"
    return f"{local.hour}:{local.minute:02d}"


def format_when(moment: datetime, lang: str) -> str:
    """Local visit time, short: ``8h30 T3 2/12`` or ``8:30 Tue 2 Dec``."""
    local = moment.astimezone(LOCAL_TZ)
    day = _WEEKDAYS[lang][local.weekday()]
    if lang == "vi":
        return f"{format_clock(local, lang)} {day} {local.day}/{local.month}"
    return f"{format_clock(local, lang)} {day} {local.day} {_MONTHS_EN[local.month - 1]}"


def display_value(key: str, value: object, lang: str) -> str:
    """How a template shows ``value`` (times local, kinds by label, lists joined)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TemplateError(f"{key}: datetimes must be timezone-aware")
        return format_clock(value, lang) if key == "time" else format_when(value, lang)
    if key == "kind" and isinstance(value, str) and value in KIND_LABELS:
        return KIND_LABELS[value][lang]
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def placeholders(name: str, lang: str = "vi") -> set[str]:
    """The value names a template needs."""
    return {f for _, f, _, _ in string.Formatter().parse(TEMPLATES[name][lang]) if f}


def render(name: str, lang: str, fold: bool = False, **values: object) -> RenderedSms:
    """Fill template ``name`` in ``lang``; ``fold`` sends Vietnamese without diacritics.

    Datetimes are shown in local time (``time`` as a clock, anything else with the day),
    ``kind`` may be a catalogue key, lists are joined with commas.
    """
    try:
        pattern = TEMPLATES[name][lang]
    except KeyError:
        raise TemplateError(f"no template {name!r} in language {lang!r}") from None
    missing = placeholders(name, lang) - values.keys()
    if missing:
        raise TemplateError(f"template {name!r} needs {', '.join(sorted(missing))}")
    shown: Mapping[str, str] = {k: nfc(display_value(k, v, lang)) for k, v in values.items()}
    body = nfc(pattern.format_map(shown))
    if fold:
        body = fold_text(body)
    info = count_segments(body)
    return RenderedSms(body=body, encoding=info.encoding, segments=info.segments)
