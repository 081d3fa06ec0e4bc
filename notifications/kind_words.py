"""Which kind of help a message asks for: weighted phrases, and pairs of ideas that together
point to a kind when neither does alone.

Residents name the thing they want done (a birth certificate, a shop on Shopee) and, often,
the channel or tool as well (the public-service portal, Facebook, Zalo, the bank app). The
thing decides the kind, so names of documents and services weigh more than names of portals
and apps. Some kinds are read from two ideas together:

- selling online: a selling word (bán, shop, sản phẩm...) with a place to sell (Facebook,
  TikTok, Zalo, Shopee, "qua mạng"...): "bán xoài trên facebook";
- paying a bill: the bill (tiền điện, tiền nước, học phí) with paying or the channel
  (đóng, trả, online, app): "tiền nước tháng này đóng online được không";
- a public service: a file or paper (hồ sơ, giấy tờ, thủ tục) with "online" or "trên mạng";
- a scam: someone else at work (có người, người ta, tự xưng, làm theo hướng dẫn qua Zalo, a
  link...) with a harm (account locked, money taken): "ví bị khóa sau khi có người hướng dẫn"
  is a scam however many bank or wallet names it carries; so are goods paid for and never
  delivered (the seller blocks the buyer), and a one-time code read out or handed over.

Patterns are written naturally, with diacritics; they are compared on the same keys as the
message (``lexicon.key_of`` then ``collapse_repeats``).
"""

from __future__ import annotations

from notifications.lexicon import collapse_repeats, find_phrase, key_of

Phrase = list[str]


def _key(text: str) -> Phrase:
    return [collapse_repeats(word) for word in key_of(text).split()]


def _phrases(*items: tuple[str, int]) -> list[tuple[Phrase, int]]:
    return [(_key(text), weight) for text, weight in items]


def _group(*texts: str) -> list[Phrase]:
    return [_key(text) for text in texts]


# A kind needs a total weight of 2 or more; each phrase counts once.
KIND_PHRASES: dict[str, list[tuple[Phrase, int]]] = {
    "vneid": _phrases(
        ("vneid", 3), ("vn eid", 3), ("định danh", 3), ("mức 2", 2), ("căn cước", 1),
        ("cccd", 1),
    ),
    "public_services": _phrases(
        # The portal is the channel, not the errand: it weighs less than the document named.
        ("dịch vụ công", 2), ("dvc", 2), ("nộp hồ sơ", 2), ("hồ sơ", 1), ("thủ tục", 2),
        ("hành chính", 2), ("tạm trú", 2), ("tạm vắng", 2), ("thường trú", 2), ("cư trú", 2),
        ("hộ khẩu", 2), ("giấy phép", 2), ("trợ cấp", 2), ("thất nghiệp", 2), ("cấp đổi", 2),
        ("hộ kinh doanh", 3), ("đăng ký kinh doanh", 3), ("giấy phép kinh doanh", 3),
        ("lý lịch tư pháp", 3), ("đất đai", 2), ("sổ đỏ", 3), ("bằng lái", 2),
        ("mã số thuế", 3), ("quyết toán thuế", 3), ("thuế thu nhập", 3), ("đăng ký xe", 2),
    ),
    "civil_registration": _phrases(
        ("khai sinh", 4), ("khai tử", 4), ("kết hôn", 4), ("hộ tịch", 4), ("trích lục", 4),
        ("tình trạng hôn nhân", 4), ("độc thân", 3), ("giám hộ", 4),
        # Southern "khai sanh", and s/x written for each other as they are said alike.
        ("khai sanh", 4), ("khai xinh", 4),
        ("báo tử", 4), ("chứng sinh", 4), ("nhận cha con", 4), ("nhận cha mẹ", 4),
        ("con nuôi", 4),
        # A birth told rather than named: "con mới sinh, chưa làm giấy tờ gì".
        ("mới sinh", 2), ("mới sanh", 2), ("vừa sinh", 2), ("con sinh", 2),
        ("mới đẻ", 2), ("vừa đẻ", 2),
    ),
    "e_payment": _phrases(
        ("chuyển tiền", 2), ("chuyển khoản", 2), ("ngân hàng", 2), ("momo", 3),
        ("zalopay", 3), ("zalo pay", 3), ("ví điện tử", 3), ("thanh toán", 2),
        ("qr", 2), ("quét mã", 2), ("hóa đơn", 2), ("tiền điện", 1), ("tiền nước", 1),
        ("đóng tiền", 2), ("trả tiền", 2), ("nạp tiền", 2), ("rút tiền", 2), ("nhận tiền", 2),
        ("gửi tiền", 2), ("số dư", 3), ("agribank", 3), ("atm", 3), ("vietcombank", 3),
        ("bidv", 3), ("vietinbank", 3), ("techcombank", 3), ("sacombank", 3), ("mb bank", 3),
        ("viettel money", 3), ("bank", 2), ("banking", 3),
    ),
    "online_selling": _phrases(
        ("bán hàng", 3), ("bán online", 3), ("đăng bán", 3), ("shopee", 3), ("lazada", 3),
        ("tiktok shop", 3), ("livestream", 3), ("live stream", 3), ("gian hàng", 3),
        ("mở shop", 3), ("sản phẩm", 2), ("đơn hàng", 2), ("lên đơn", 2), ("nhận đơn", 2),
        ("chốt đơn", 3), ("giao hàng", 2), ("ship", 2), ("cod", 2), ("bán", 1),
        ("trên mạng", 1), ("online", 1),
    ),
    "health_insurance": _phrases(
        ("bhyt", 3), ("bảo hiểm y tế", 3), ("bảo hiểm", 2), ("vssid", 3), ("vss id", 3),
        ("bhxh", 3), ("thẻ bhyt", 1), ("thẻ bảo hiểm", 2),  # the card outweighs the app it is in
        ("khám bệnh", 2), ("nơi khám", 3), ("khám chữa bệnh", 2), ("sổ sức khỏe", 3),
    ),
    "cyber_safety": _phrases(
        ("bị lừa", 4), ("lừa đảo", 4), ("hack", 4), ("chiếm tài khoản", 4),
        ("mất tài khoản", 3), ("bị lộ", 3), ("link lạ", 4), ("tin nhắn lạ", 4), ("số lạ", 2),
        ("tự xưng", 4), ("xưng là", 4), ("giả danh", 4), ("mạo danh", 4), ("giả làm", 4),
        ("an toàn mạng", 4), ("trúng thưởng", 3), ("nhận quà", 3), ("mất tiền", 3),
        ("mượn tiền", 3), ("xin tiền", 3), ("nhận là", 3), ("cập nhật thông tin", 2),
        ("bảo mật", 3), ("virus", 4), ("quảng cáo", 1), ("tai nạn", 3), ("hải quan", 3),
        ("vụ án", 3), ("đe dọa", 3), ("bị trừ", 3), ("không giao dịch", 3), ("bị điều khiển", 3),
        ("bị đổi mật khẩu", 4), ("mất hết", 3), ("bị rút", 3), ("rút sạch", 3),
        ("bị khóa", 2), ("người lạ", 3), ("thật không", 2), ("mật khẩu", 1), ("otp", 1),
        ("rửa tiền", 4), ("bắt chuyển", 3), ("bị chiếm", 4), ("bị gạt", 4), ("lừa gạt", 4),
        ("người ta gạt", 4), ("hoàn tiền", 2),  # "refund" calls in a shop's name
        ("xưng công an", 4), ("giả công an", 4), ("người khác đăng nhập", 4),
        ("bị đăng nhập", 4), ("đăng nhập lạ", 4),
        # A hacked account is the harm whatever it is then used for ("bị hack, nó bán hàng
        # lừa đảo"); so is a link followed, and being lured ("bị dụ đầu tư tiền ảo").
        ("bị hack", 4), ("bấm link", 3), ("bấm vào link", 3), ("nhấn link", 3),
        ("nhấn vào link", 3), ("người ta lừa", 4), ("bị dụ", 4), ("lừa vay", 4),
        ("khủng bố", 3), ("tiền ảo", 3),
    ),
    "smartphone_basics": _phrases(
        ("điện thoại", 2), ("smartphone", 3), ("cảm ứng", 2), ("gọi video", 3),
        ("nghe gọi", 2), ("chụp hình", 2), ("chụp ảnh", 2), ("gửi hình", 2), ("gửi ảnh", 2),
        ("nhắn tin", 2), ("wifi", 2), ("zalo", 1), ("cài zalo", 3), ("xài điện thoại", 3),
        ("dùng điện thoại", 3), ("thông minh", 2), ("cài ứng dụng", 3), ("tải ứng dụng", 3),
        # "app" less than "ứng dụng": "cài app ngân hàng" is about the bank (a tie goes to it).
        ("cài app", 2), ("tải app", 2),
        ("ch play", 3), ("play store", 3), ("app store", 3), ("youtube", 2), ("google", 2),
        ("bộ nhớ", 3), ("màn hình", 2), ("danh bạ", 2), ("phóng to", 2), ("tiếng chuông", 2),
        # Not "cỡ chữ": unaccented it is "có chú" (there is an uncle).
        ("phóng chữ", 2), ("chữ to", 2), ("to chữ", 2),
    ),
}  # fmt: skip

# (kind, one idea, the other idea, weight added when both are in the message)
KIND_PAIRS: list[tuple[str, list[Phrase], list[Phrase], int]] = [
    (
        "online_selling",
        # Advertising one's own goods is selling ("muốn quảng cáo trên zalo cho người ta mua").
        _group("bán", "shop", "sản phẩm", "đăng bài", "đăng giá", "muốn quảng cáo",
               "đăng quảng cáo", "quảng cáo cho"),
        _group("facebook", "face", "fb", "tiktok", "zalo", "shopee", "lazada", "youtube",
               "mạng", "online", "trực tuyến"),
        3,
    ),
    (
        "e_payment",
        _group("tiền điện", "tiền nước", "học phí", "tiền học", "tiền mạng"),  # not "cước": cuộc
        _group("đóng", "trả", "online", "app", "ứng dụng", "qua mạng", "trên mạng"),
        2,
    ),
    (
        "public_services",
        _group("hồ sơ", "giấy tờ", "thủ tục", "giấy phép", "giấy xác nhận"),
        _group("online", "trên mạng", "qua mạng", "trực tuyến"),
        2,
    ),
    (
        # An identity card lost or expired is renewed at the office or on the portal
        # ("làm lại cccd bị mất"); the card alone points to VNeID, which outweighs this.
        "public_services",
        _group("cccd", "căn cước", "cmnd", "chứng minh nhân dân", "chứng minh thư"),
        _group("làm lại", "cấp lại", "bị mất", "làm mất", "đánh mất", "hết hạn", "đổi lại",
               "cấp mới"),
        3,
    ),
    (
        "cyber_safety",
        _group("có người", "người ta", "ai đó", "người lạ", "người khác", "số lạ", "làm theo",
               "theo hướng dẫn", "hướng dẫn qua", "tự xưng", "xưng là", "link", "gọi điện",
               "cuộc gọi", "người gọi"),
        _group("bị khóa", "khóa tài khoản", "mất tiền", "mất hết", "bị mất", "bị trừ",
               "trừ tiền", "bị rút", "rút sạch", "bị hack", "bị chiếm", "bị điều khiển",
               "mất quyền", "lấy facebook", "lấy zalo", "lấy nick", "lấy tài khoản",
               "đổi mật khẩu", "triệu"),
        4,
    ),
    (
        # Paid and never delivered outweighs the shop, the place it sells on and the
        # "giao hàng" of "không giao hàng" (3 + 1 + 2).
        "cyber_safety",
        _group("đặt hàng", "đặt mua", "mua hàng", "mua online", "mua trên mạng", "mua"),
        # Not a bare "chan": unaccented, "chán quá" (fed up) is written the same.
        _group("không giao", "không thấy giao", "chưa giao", "không nhận được hàng",
               "chưa nhận được hàng", "chặn luôn", "bị chặn", "chặn số", "chặn zalo",
               "chặn facebook", "shop chặn", "chặn tôi", "chặn tui", "chặn mình", "block"),
        7,
    ),
    (
        "cyber_safety",
        _group("otp", "mã xác nhận", "mã xác thực"),
        _group("đọc", "đưa", "lỡ", "cung cấp", "cho người"),
        4,
    ),
    (
        # A link followed and then a card number or password typed in.
        "cyber_safety",
        _group("link", "đường dẫn", "trang lạ"),
        _group("nhập số thẻ", "nhập mật khẩu", "nhập mã", "nhập thông tin", "nhập số tài khoản"),
        4,
    ),
    (
        # A birth told rather than named: "em bé mới, cần làm giấy tờ cho bé".
        "civil_registration",
        _group("em bé", "bé mới", "mới đẻ", "vừa đẻ", "mới sinh", "mới sanh", "vừa sinh"),
        _group("giấy tờ", "làm giấy", "giấy khai"),
        3,
    ),
    (
        # A marriage told rather than named: "cưới nhau 3 năm rồi mà chưa đăng ký".
        "civil_registration",
        _group("cưới nhau", "mới cưới", "đám cưới", "lấy nhau", "lấy chồng", "lấy vợ"),
        _group("đăng ký", "giấy"),
        3,
    ),
]  # fmt: skip

# Phrases that look like a kind's words but are not about it: "số điện thoại" is a phone
# number (not a smartphone lesson), "bạn bè" are friends and "ủy ban" the commune office
# (not "bán", selling). Their words are set aside before scoring.
NOT_A_KIND: list[Phrase] = _group("số điện thoại", "sđt", "bạn bè", "ủy ban")


def _without(keys: list[str], phrases: list[Phrase]) -> list[str]:
    kept = list(keys)
    for phrase in phrases:
        while (start := find_phrase(kept, phrase)) is not None:
            del kept[start : start + len(phrase)]
            kept.insert(start, "")  # keep the words around it apart
    return kept


def _has_any(keys: list[str], phrases: list[Phrase]) -> bool:
    return any(find_phrase(keys, phrase) is not None for phrase in phrases)


def kind_scores(keys: list[str]) -> dict[str, int]:
    """Each kind's weight in the message (expanded keys)."""
    keys = _without(keys, NOT_A_KIND)
    scores = {
        kind: sum(weight for words, weight in phrases if find_phrase(keys, words) is not None)
        for kind, phrases in KIND_PHRASES.items()
    }
    for kind, first, second, weight in KIND_PAIRS:
        if _has_any(keys, first) and _has_any(keys, second):
            scores[kind] += weight
    return scores


def find_kind(keys: list[str]) -> str | None:
    """The kind whose phrases weigh most in the message (first in the catalogue on a tie)."""
    best, best_score = None, 1
    for kind, score in kind_scores(keys).items():
        if score > best_score:
            best, best_score = kind, score
    return best
