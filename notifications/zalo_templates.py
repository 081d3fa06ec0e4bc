"""ZNS templates: the texts we register with Zalo, mapped to our SMS templates' values.

A ZNS template is approved by Zalo once and then filled with ``template_data``: each parameter
has a type with a maximum length (a name 30 characters, a code 30, an address 200...), and Zalo
refuses a send whose values are longer (-112). Values are rendered like the SMS ones (times in
local time, kinds by their label), put in NFC and cut to their limit, so a long hamlet or
volunteer name never costs a message. The texts are Vietnamese with diacritics: ZNS is not
charged by the character, so nothing is folded. Templates absent here (answers to an SMS, which
go back by SMS) never go by Zalo.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from notifications.templates import display_value
from notifications.text import nfc

# Zalo's parameter types we use, with their maximum length in characters.
NAME, CODE, LABEL, ADDRESS, TIME, OTP = 30, 30, 30, 200, 30, 10
MAX_TEXT = 400  # a ZNS text block, parameters filled


@dataclass(frozen=True)
class ZnsTemplate:
    text: str  # with <param> placeholders, as registered with Zalo
    params: Mapping[str, int]  # parameter -> maximum length


ZNS_TEMPLATES: dict[str, ZnsTemplate] = {
    "request_received": ZnsTemplate(
        "Doorstep đã nhận yêu cầu hỗ trợ <kind> của bạn, mã <ref>. Chúng tôi sẽ báo giờ hẹn "
        "sớm. Muốn hủy, nhắn HUY tới tổng đài SMS.",
        {"kind": LABEL, "ref": CODE},
    ),
    "offer": ZnsTemplate(
        "Việc mới <letter> cho bạn: hỗ trợ <kind> tại <hamlet>, lúc <when>. Trả lời bằng SMS: "
        "1<letter> để nhận, 2<letter> để từ chối, hoặc mở trang Việc của tôi.",
        {"letter": CODE, "kind": LABEL, "hamlet": ADDRESS, "when": TIME},
    ),
    "confirmation": ZnsTemplate(
        "Lịch hẹn <when>: tình nguyện viên <volunteer> đến hỗ trợ <kind>. Mã thăm <code>, "
        "người đến sẽ đọc mã này. Đội không bao giờ hỏi mã OTP hay mật khẩu của bạn.",
        {"when": TIME, "volunteer": NAME, "kind": LABEL, "code": CODE},
    ),
    "reminder_evening": ZnsTemplate(
        "Nhắc lịch: <when> tình nguyện viên <volunteer> đến hỗ trợ <kind>, mã thăm <code>. "
        "Không đưa mã OTP, mật khẩu cho ai. Muốn hủy, nhắn HUY tới tổng đài SMS.",
        {"when": TIME, "volunteer": NAME, "kind": LABEL, "code": CODE},
    ),
    "reminder_hour": ZnsTemplate(
        "Khoảng <time> tình nguyện viên <volunteer> sẽ đến. Mã thăm <code>. Không đưa mã OTP "
        "cho ai.",
        {"time": TIME, "volunteer": NAME, "code": CODE},
    ),
    "reschedule": ZnsTemplate(
        "Lịch hẹn <ref> đổi sang <when>, người đến: <volunteer>, mã thăm <code>. Không tiện? "
        "Nhắn HUY tới tổng đài SMS.",
        {"ref": CODE, "when": TIME, "volunteer": NAME, "code": CODE},
    ),
    "cancellation": ZnsTemplate(
        "Lịch hẹn <ref> (hỗ trợ <kind>) đã hủy. Khi cần giúp, bạn cứ nhắn tin cho chúng tôi.",
        {"ref": CODE, "kind": LABEL},
    ),
    "thanks": ZnsTemplate(
        "Cảm ơn bạn! Việc hỗ trợ <kind> (mã <ref>) đã xong. Cần giúp thêm, bạn cứ nhắn tin.",
        {"kind": LABEL, "ref": CODE},
    ),
    "offer_withdrawn": ZnsTemplate(
        "Việc <letter> (hỗ trợ <kind> tại <hamlet> lúc <when>) đã thay đổi, bạn không cần "
        "đến. Cảm ơn bạn!",
        {"letter": CODE, "kind": LABEL, "hamlet": ADDRESS, "when": TIME},
    ),
    "sign_in_code": ZnsTemplate(
        "Mã đăng nhập Doorstep của bạn: <code>, hết hạn sau <minutes> phút. Đừng đưa mã này "
        "cho ai.",
        {"code": OTP, "minutes": CODE},
    ),
}

_PARAM = re.compile(r"<([a-z_]+)>")


class ZnsDataError(ValueError):
    """A value is missing or too long for its parameter (Zalo would answer -112)."""


def _fit(value: str, limit: int) -> str:
    value = nfc(value.strip()) or "-"  # Zalo refuses empty parameters
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def template_data(template: str, values: Mapping[str, object]) -> dict[str, str]:
    """The ``template_data`` of ``template`` from the values its SMS template takes."""
    spec = ZNS_TEMPLATES[template]
    missing = [name for name in spec.params if name not in values]
    if missing:
        raise ZnsDataError(f"ZNS template {template!r} needs {', '.join(missing)}")
    return {
        name: _fit(display_value(name, values[name], "vi"), limit)
        for name, limit in spec.params.items()
    }


def check_data(template: str, data: Mapping[str, str]) -> None:
    """Zalo's own check of a send: every parameter present and within its length."""
    spec = ZNS_TEMPLATES.get(template)
    if spec is None:
        raise ZnsDataError(f"unknown ZNS template {template!r}")
    for name, limit in spec.params.items():
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise ZnsDataError(f"parameter {name} is missing")
        if len(value) > limit:
            raise ZnsDataError(f"parameter {name} is {len(value)} characters (at most {limit})")


def render_text(template: str, data: Mapping[str, str]) -> str:
    """The text the person reads in Zalo (the simulator and the sandbox show it)."""
    spec = ZNS_TEMPLATES[template]
    return nfc(_PARAM.sub(lambda m: data.get(m.group(1), m.group(0)), spec.text))
