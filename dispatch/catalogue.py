"""The help kinds a resident can ask for. The key is also the skill a volunteer needs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HelpKind:
    key: str
    label_vi: str
    label_en: str
    minutes: int  # typical visit length
    bring_vi: str
    bring_en: str

    @property
    def skill(self) -> str:
        return self.key

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi

    def bring(self, lang: str) -> str:
        return self.bring_en if lang == "en" else self.bring_vi


KINDS: tuple[HelpKind, ...] = (
    HelpKind(
        "vneid",
        "Tài khoản VNeID (định danh mức 2)",
        "VNeID account (level 2)",
        45,
        "Căn cước công dân (CCCD) và điện thoại thông minh đang dùng",
        "Citizen ID card (CCCD) and your smartphone",
    ),
    HelpKind(
        "public_services",
        "Dịch vụ công trực tuyến",
        "Online public-service applications",
        40,
        "CCCD, điện thoại, giấy tờ liên quan đến hồ sơ",
        "Citizen ID card, phone, the papers for the application",
    ),
    HelpKind(
        "civil_registration",
        "Đăng ký hộ tịch trực tuyến (khai sinh, kết hôn, khai tử)",
        "Civil registration online (birth, marriage, death)",
        45,
        "CCCD, giấy tờ gốc (giấy chứng sinh, giấy báo tử...), điện thoại",
        "Citizen ID card, original papers (birth or death notice...), phone",
    ),
    HelpKind(
        "e_payment",
        "Thanh toán điện tử (ứng dụng ngân hàng, QR, tiền điện nước)",
        "E-payment (bank app, QR payment, electricity/water bills)",
        30,
        "Điện thoại, thẻ ngân hàng hoặc số tài khoản, hóa đơn điện/nước",
        "Phone, bank card or account number, electricity/water bill",
    ),
    HelpKind(
        "online_selling",
        "Bán hàng trên mạng xã hội",
        "Selling on social networks",
        60,
        "Điện thoại, hình ảnh và giá sản phẩm",
        "Phone, product photos and prices",
    ),
    HelpKind(
        "health_insurance",
        "Bảo hiểm y tế (VssID, sổ sức khỏe điện tử)",
        "Health insurance (VssID, health records)",
        30,
        "CCCD, thẻ bảo hiểm y tế, điện thoại",
        "Citizen ID card, health insurance card, phone",
    ),
    HelpKind(
        "cyber_safety",
        "An toàn trên mạng (lừa đảo, chiếm đoạt tài khoản)",
        "Cyber safety (scams and fraud)",
        30,
        "Điện thoại và tin nhắn hoặc cuộc gọi đáng ngờ (đừng xóa)",
        "Phone, and the suspicious messages or calls (do not delete them)",
    ),
    HelpKind(
        "smartphone_basics",
        "Sử dụng điện thoại thông minh, cài ứng dụng",
        "Smartphone basics, installing apps",
        30,
        "Điện thoại thông minh đã sạc pin, mật khẩu tài khoản Google/Apple nếu có",
        "Your charged smartphone, Google/Apple account password if you have one",
    ),
)

BY_KEY: dict[str, HelpKind] = {kind.key: kind for kind in KINDS}
KEYS: tuple[str, ...] = tuple(BY_KEY)


class UnknownKind(KeyError):
    pass


def get_kind(key: str) -> HelpKind:
    try:
        return BY_KEY[key]
    except KeyError:
        raise UnknownKind(key) from None
