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

# Shorter still, for offers listed together in one SMS ("A) thanh toán, Công Sự, 8h30 T3").
KIND_SHORT: dict[str, dict[str, str]] = {
    "vneid": {"vi": "VNeID", "en": "VNeID"},
    "public_services": {"vi": "DV công", "en": "e-gov"},
    "civil_registration": {"vi": "hộ tịch", "en": "civil reg."},
    "e_payment": {"vi": "thanh toán", "en": "e-payment"},
    "online_selling": {"vi": "bán online", "en": "selling"},
    "health_insurance": {"vi": "BHYT", "en": "health ins."},
    "cyber_safety": {"vi": "lừa đảo", "en": "scam"},
    "smartphone_basics": {"vi": "điện thoại", "en": "phone"},
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
    # Each offer carries the volunteer's letter for it: "1B" accepts B whatever came since.
    "offer": {
        "vi": "Việc mới {letter}: {kind}, {hamlet}, {when}. Nhắn 1{letter} để nhận, "
        "2{letter} để từ chối.",
        "en": "New visit {letter}: {kind}, {hamlet}, {when}. Reply 1{letter} to accept, "
        "2{letter} to decline.",
    },
    # Several offers of one plan run in one SMS, when they fit in two segments ({items}:
    # "A) VNeID, Công Sự, 8h30 T3; B) ..."); a bare "1" then accepts every one listed.
    "offer_digest": {
        "vi": "Việc mới: {items}. Nhắn 1 nhận hết, 1{first} chỉ nhận {first}, 2{first} từ "
        "chối {first}",
        "en": "New visits: {items}. Reply 1 = all, 1{first} = {first} only, 2{first} = "
        "decline {first}",
    },
    # A bare "1" or "2" with several offers waiting and none of them listed last: which one?
    "offer_choice": {
        "vi": "Bạn có {count} việc chờ: {items}. Nhắn 1{first} để nhận {first}, 2{first} để "
        "từ chối {first}",
        "en": "{count} offers waiting: {items}. Reply 1{first} = accept {first}, 2{first} = "
        "decline {first}",
    },
    "done_choice": {
        "vi": "Việc nào đã xong? {items}. Nhắn XONG {first} cho việc {first}",
        "en": "Which visit is done? {items}. Reply XONG {first} for {first}",
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
        "vi": "Đã nhận {letter}: {kind}, {hamlet}, {when}. Người dân {resident} {phone}. Mã "
        "thăm {code}. Xong nhắn XONG {letter}",
        "en": "Accepted {letter}: {kind}, {hamlet}, {when}. {resident} {phone}. Visit code "
        "{code}. Reply XONG {letter} when done",
    },
    "decline_ack": {
        "vi": "Đã ghi nhận bạn từ chối việc {letter}: {kind} {when}. Cảm ơn bạn!",
        "en": "Noted: you declined {letter}, {kind} {when}. Thank you!",
    },
    "decline_all_ack": {
        "vi": "Đã ghi nhận bạn từ chối {count} việc: {letters}. Cảm ơn bạn!",
        "en": "Noted: you declined {count} visits: {letters}. Thank you!",
    },
    "done_ack": {
        "vi": "Đã ghi nhận hoàn thành việc {letter}: {kind} ({ref}). Cảm ơn bạn!",
        "en": "Marked done {letter}: {kind} ({ref}). Thank you!",
    },
    "offer_withdrawn": {
        "vi": "Việc {letter} ({kind} tại {hamlet} {when}) đã đổi, bạn không cần đến. Cảm ơn bạn!",
        "en": "Visit {letter} ({kind} at {hamlet} {when}) changed; you need not go. Thank you!",
    },
    # Nobody can come when the resident asked ({wished}: "sáng T3 2/12", "21h30-23h00 T3 2/12").
    "time_proposal": {
        "vi": "Chưa có ai đến được {wished}. Giờ gần nhất: {when}. Được thì nhắn 1, không thì "
        "nhắn 2 để chờ {wished}",
        "en": "Nobody can come {wished}. Nearest time: {when}. Reply 1 to take it, or 2 to wait "
        "for {wished}",
    },
    "proposal_accepted_ack": {
        "vi": "Đã ghi nhận giờ {when}. Khi có người nhận sẽ nhắn tên và mã thăm.",
        "en": "Noted: {when}. We will text the volunteer's name and visit code once confirmed.",
    },
    "proposal_refused_ack": {
        "vi": "Đã ghi nhận, giữ giờ {wished}. Có người rảnh sẽ nhắn ngay. Hủy: nhắn HUY",
        "en": "Noted: we keep {wished} and text you when someone is free. To cancel reply HUY",
    },
    # Door-to-door campaigns: walk lists for basic phones, split so each part fits in two
    # segments ({items}: "1) 7h05 Lê Văn Ba, tổ 3; 2) ..."), the answer key once a campaign.
    "walk_list": {
        "vi": "Đi hộ {day} ({part}): {items}",
        "en": "Doors {day} ({part}): {items}",
    },
    "walk_list_key": {
        "vi": "Báo kết quả đi hộ: số thứ tự + X xong, V vắng nhà, H hẹn lại giờ, T từ chối. "
        "Vd: 3 X, 4 V, 5 H 16h",
        "en": "Report doors: list number + X done, V nobody home, H come back at, T refused. "
        "E.g. 3 X, 4 V, 5 H 16h",
    },
    "door_ack": {
        "vi": "Đã ghi: {summary}. Cảm ơn bạn!",
        "en": "Noted: {summary}. Thank you!",
    },
    "door_unknown": {
        "vi": "Không có số {numbers} trong danh sách đi hộ {day}. Vd: 3 X, 4 V, 5 H 16h",
        "en": "No number {numbers} on your door list of {day}. E.g. 3 X, 4 V, 5 H 16h",
    },
    "when_past": {
        "vi": "{wished} đã qua. Bạn muốn được giúp khi nào? Vd: sáng mai, chiều thứ 5",
        "en": "{wished} has passed. When would you like the visit? E.g. tomorrow morning",
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
