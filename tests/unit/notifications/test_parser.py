import json
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifications.parser import INTENTS, parse_sms

DATA = Path(__file__).resolve().parents[2] / "data"
GAZETTEER = json.loads((DATA / "demo_gazetteer.json").read_text(encoding="utf-8"))
TUESDAY = date(2026, 12, 1)


def parse(text: str, today: date = TUESDAY) -> dict:
    return parse_sms(text, GAZETTEER, today)


@pytest.mark.parametrize(
    "text,kind",
    [
        ("ban xoai tren facebook, ap 2", "online_selling"),
        ("muon mo shop ban kho ca", "online_selling"),
        ("livestream ban hang cho con gai", "online_selling"),
        ("dang gia san pham len zalo", "online_selling"),
        ("vi momo bi khoa sau khi co nguoi huong dan qua zalo", "cyber_safety"),
        ("tk agribank bi tru tien sau khi lam theo huong dan qua dt", "cyber_safety"),
        ("nguoi ta goi huong dan, mat 5 trieu", "cyber_safety"),
        ("vneid bi khoa, nho mo lai", "vneid"),  # locked, but nobody else in the story
        ("khai tu cho ba tren dich vu cong", "civil_registration"),  # the document decides
        ("cai app agribank", "e_payment"),
        ("khai sanh cho con", "civil_registration"),  # southern spelling
        ("khai xinh cho be", "civil_registration"),  # s and x sound alike
        ("dang ky giam ho cho ong ngoai", "civil_registration"),
        ("app vss id bao sai mat khau", "health_insurance"),  # not "vs" (với)
        ("dung the bhyt tren vneid", "health_insurance"),  # the card, not the app it is in
        ("zalo cua me bi chiem roi", "cyber_safety"),
        ("ong bi nguoi ta gat, chuyen khoan roi ko nhan dc hang", "cyber_safety"),
        ("nguoi ben shopee goi hoan tien don hang, kiu lam theo, mat 5 trieu", "cyber_safety"),
        ("chi e chuyen khoan 5 trieu cho nguoi ta qua agribank", "e_payment"),
        ("quet ma qr tren cccd de kich hoat vneid", "vneid"),  # the card's code, not a payment
        ("lam ma so thue ca nhan tren mang", "public_services"),
        ("uy ban xa keu nop giay to online", "public_services"),  # ủy ban is no "bán"
        ("dang ky xe may moi mua", "public_services"),
        ("dang ky nhan cha con cho chau", "civil_registration"),
        ("con moi sinh chua lam giay to", "civil_registration"),
        ("thu tuc bao tu cho ong", "civil_registration"),  # the paper outweighs "thủ tục"
        ("tien dien thang nay tra online sao", "e_payment"),
        ("co nguoi xung cong an goi noi toi dinh vu an", "cyber_safety"),
        ("dat mua ao tren mang chuyen tien roi shop chan luon", "cyber_safety"),  # not Shopee
        ("me lo doc ma otp cho nguoi goi", "cyber_safety"),
        ("zalo cua toi bi nguoi khac dang nhap", "cyber_safety"),
        ("tat quang cao tren dien thoai", "smartphone_basics"),  # ads alone are no scam
        ("cai app nghe nhac cho ong", "smartphone_basics"),
        ("cai app ngan hang cho me", "e_payment"),  # the bank decides, not the app
        ("cuoc goi bao hang bi giu o hai quan, phai dong tien", "cyber_safety"),  # cuộc, cước
        ("vo toi moi de, can lam giay to cho con", "civil_registration"),  # a birth told
        ("nha co em be, chua lam giay to gi", "civil_registration"),
        ("tui voi ba no cuoi nhau lau roi ma chua dang ky", "civil_registration"),
        ("muon quang cao vuon buoi tren facebook", "online_selling"),
        ("the bao hiem cua ba tren vneid ko hien", "health_insurance"),
        ("zalo con tui bi hack, no dang bai ban hang lua dao", "cyber_safety"),
        ("dat mua giay online roi bi chan so luon", "cyber_safety"),
        ("mua dien thoai moi ma chan qua", "smartphone_basics"),  # chán (fed up), not chặn
        ("tin nhan bao the bhyt het han, bam link roi nhap so the", "cyber_safety"),
        ("ba toi bi nguoi ta lua cai app vay, bi khung bo", "cyber_safety"),
        ("con toi bi du dau tu tien ao", "cyber_safety"),
    ],
)
def test_kind_from_real_phrasing(text, kind):
    assert parse(text)["kind"] == kind


@pytest.mark.parametrize(
    "text",
    [
        "gia lua hom nay bao nhieu",
        "Mai trời có mưa không?",
        "em chao co a",
        "ban oi gia vang hom nay nhieu ko",
        "ap 3 co ai ban cay giong khong",
        "anh oi co so dien thoai cua truong ap ko",
        "mai co mua ko ta",  # "ta" ends a question; "không" asks, it does not refuse
        "chao chau, lau qua ko gap",  # "không gặp" negates meeting: no refusal
        "chieu nay cup dien ha e",  # small talk naming a time is no dialogue answer
        "gia tom su hom nay may",
        "Nhớ con quá, khi nào về thăm bà",  # nhớ (miss) is not nhờ (please)
    ],
)
def test_questions_and_greetings_that_ask_for_no_help_are_unknown(text):
    got = parse(text)
    assert (got["intent"], got["kind"]) == ("unknown", None)


@pytest.mark.parametrize(
    "text,kind",
    [
        ("vneid la gi ha em", "vneid"),
        ("lam ket hon online mat bao lau vay", "civil_registration"),
        ("bhyt 1 nam dong bao nhieu", "health_insurance"),
        ("chuyen khoan qua agribank co ton phi ko", "e_payment"),
        ("bay gio lua dao tren mang ghe qua ha", "cyber_safety"),  # a remark, nobody asks
    ],
)
def test_questions_after_a_fact_name_a_kind_but_ask_for_nothing(text, kind):
    assert (parse(text)["intent"], parse(text)["kind"]) == ("unknown", kind)


def test_a_fact_question_with_a_how_or_a_plea_is_a_request():
    assert parse("vneid la gi, tui muon lam")["intent"] == "help_request"
    assert parse("khai sinh online mat bao lau, nho chi giup")["intent"] == "help_request"
    assert parse("ap 2 co ai lam vneid ha")["intent"] == "help_request"
    assert parse("vneid cua tui bi khoa ha")["intent"] == "help_request"  # speaks for self


def test_volunteers_reports_regrets_and_residents_calling_off():
    assert parse("xong roi a, ba cai duoc zalo roi")["intent"] == "done"
    assert parse("da huong dan xong, chu dong duoc tien dien")["intent"] == "done"
    assert parse("lam xong vneid ma ko dang nhap dc")["intent"] == "help_request"
    assert parse("xin loi chi, mai em ko di dc")["intent"] == "decline"
    assert parse("thoi khoi, con tui lam roi")["intent"] == "cancel"
    assert parse("khoi can qua nha em")["intent"] == "cancel"
    assert parse("dong tien dien cho khoi ra buu dien")["intent"] == "help_request"
    assert parse("nho em nhieu lam")["intent"] == "unknown"  # nhớ (miss), not nhờ
    assert parse("nho em qua chi gium cai zalo")["intent"] == "help_request"


def test_a_time_that_suits_is_still_an_answer_and_a_decline_still_a_decline():
    assert parse("thu 5 duoc khong")["intent"] == "help_request"
    assert parse("ban roi, ko di dc")["intent"] == "decline"
    assert parse("khong")["intent"] == "decline"
    assert parse("ko kip, de nguoi khac")["intent"] == "decline"
    assert parse("Nhờ con qua chiều mai")["intent"] == "help_request"
    assert parse("gia han the ap 1")["intent"] == "help_request"  # gia hạn: renew, not a price


@pytest.mark.parametrize(
    "text,intent,codes",
    [
        ("1B", "accept", ["B"]),
        ("1b nha", "accept", ["B"]),
        ("2 C", "decline", ["C"]),
        ("XONG B", "done", ["B"]),
        ("Xong B rồi", "done", ["B"]),
        ("nhận D", "accept", ["D"]),
        ("1A 1B", "accept", ["A", "B"]),
        ("1", "accept", []),
        ("Xong a", "done", []),  # "xong ạ": politeness, not visit A
        ("nhan a", "accept", []),
        ("1h30 chieu mai", "help_request", []),  # a clock time, not a letter
        ("giup vneid ap 2a", "help_request", []),  # too long to be an answer by letter
    ],
)
def test_answers_by_letter(text, intent, codes):
    got = parse(text)
    assert (got["intent"], got["codes"]) == (intent, codes)


def test_mixed_answers_by_letter_are_not_guessed():
    assert parse("1A 2B")["codes"] == []


def test_output_shape_is_exact():
    got = parse("giup cai vneid, ap Minh Thuan B, sang mai")
    assert got == {
        "intent": "help_request",
        "kind": "vneid",
        "commune": "U Minh Thượng",
        "hamlet": "Minh Thuận B",
        "when": {"day": "2026-12-02", "part": "morning"},
        "codes": [],
    }
    assert json.loads(json.dumps(got)) == got


def test_nfd_nfc_and_plain_text_parse_the_same():
    text = "Giúp tôi cài VNeID, ấp Xẻo Đước, chiều thứ 5"
    nfc = parse(text)
    assert parse(unicodedata.normalize("NFD", text)) == nfc
    assert parse("giup toi cai vneid, ap xeo duoc, chieu thu 5") == nfc
    assert nfc["hamlet"] == "Xẻo Đước" and nfc["when"] == {"day": "2026-12-03", "part": "afternoon"}


@pytest.mark.parametrize(
    "text,intent",
    [
        ("1", "accept"), ("CO", "accept"), ("ok", "accept"), ("NHAN", "accept"),
        ("Đồng ý", "accept"), ("2", "decline"), ("KHONG", "decline"), ("ko", "decline"),
        ("BAN", "decline"), ("tu choi", "decline"), ("XONG", "done"), ("Đã xong", "done"),
        ("HOAN THANH", "done"), ("HUY", "cancel"), ("huỷ hẹn", "cancel"), ("STOP", "stop"),
        ("dừng", "stop"), ("NGUNG", "stop"), ("START", "start"), ("Bắt đầu", "start"),
        ("HELP", "help"), ("trợ giúp", "help"), ("alo", "unknown"), ("Yes", "accept"),
        ("No", "decline"), ("Done", "done"), ("Cancel", "cancel"),
    ],
)  # fmt: skip
def test_keywords_alone_any_case_and_accents(text, intent):
    assert parse(text)["intent"] == intent
    assert parse(text.lower())["intent"] == intent
    assert parse(text.upper())["intent"] == intent


def test_hamlet_numbers_and_days_are_not_read_as_answers():
    assert parse("ap 2")["intent"] == "help_request"
    assert parse("thu 2")["when"]["day"] == "2026-12-07"


def test_unaccented_toi_is_i_unless_a_day_follows():
    assert parse("toi can giup cai zalo")["when"]["part"] is None
    assert parse("cai zalo toi mai")["when"] == {"day": "2026-12-02", "part": "evening"}
    assert parse("Tôi cần cài Zalo, tối nay")["when"] == {"day": "2026-12-01", "part": "evening"}


def test_same_weekday_means_next_week_and_dates_roll_into_next_year():
    assert parse("thu 3")["when"]["day"] == "2026-12-08"
    assert parse("sang 2/1", date(2026, 12, 28))["when"]["day"] == "2027-01-02"
    assert parse("thu 5 tuan sau")["when"]["day"] == "2026-12-10"
    assert parse("5/12/2026")["when"]["day"] == "2026-12-05"
    assert parse("5/12/2025")["when"]["day"] is None  # in the past: asked again


def test_a_day_of_the_month_alone_is_this_month_or_the_next():
    assert parse("ngay 15 ap 2")["when"]["day"] == "2026-12-15"
    assert parse("mùng 5 nha", date(2026, 12, 20))["when"]["day"] == "2027-01-05"
    assert parse("ngay 31", date(2027, 4, 9))["when"]["day"] is None  # April has 30 days
    assert parse("uong thuoc ngay 2 lan")["when"]["day"] is None  # twice a day
    assert parse("mung 3 tet")["when"]["day"] is None  # a lunar date


def test_hamlet_numbers_written_as_words():
    assert parse("nha o ap Ba")["hamlet"] == "Ấp 3"
    assert parse("Ấp Hai, xã An Minh")["hamlet"] == "Ấp 2"
    got = parse("ap mot an minh")
    assert (got["hamlet"], got["when"]["day"]) == ("Ấp 1", None)  # "một", not "mốt"


def test_southern_and_vague_days_and_parts_read_from_neighbours():
    assert parse("bua nay ranh ko")["when"]["day"] == "2026-12-01"  # bữa nay: today
    assert parse("mai mot ranh ghe nha toi")["when"]["day"] is None  # some day soon
    assert parse("mai mốt")["when"]["day"] is None
    assert parse("7h toi moi ranh")["when"]["part"] == "evening"
    assert parse("7 gio toi ranh")["when"]["part"] == "evening"
    assert parse("gio toi ko biet lam sao")["when"]["part"] is None  # giờ tôi: now I
    assert parse("toi det chieu ban")["when"]["part"] is None  # dệt chiếu: weaving mats
    assert parse("xem chieu phim")["when"]["part"] is None
    assert parse("Chiếu mai")["when"]["part"] is None  # accented: a mat, not the afternoon
    assert parse("chieu mai")["when"]["part"] == "afternoon"
    # once mats are named, a bare "chieu" is a mat; a day after it still makes an afternoon
    assert parse("nha det chieu, muon ban chieu online")["when"]["part"] is None
    assert parse("nha det chieu, chieu mai ghe")["when"]["part"] == "afternoon"
    assert parse("co nguoi toi thu tien nuoc")["when"]["part"] is None  # tới thu: to collect
    assert parse("toi thu 7 ghe")["when"] == {"day": "2026-12-05", "part": "evening"}
    assert parse("be thu hai moi sinh, chu nhat ghe")["when"]["day"] == "2026-12-06"


def test_a_volunteer_passing_the_visit_on_declines():
    assert parse("mai e ve que, nho nguoi khac nha")["intent"] == "decline"
    assert parse("ko kip, de ai khac di")["intent"] == "decline"
    assert parse("nho nguoi khac lam vneid cho toi")["intent"] == "help_request"  # help named


def test_adverts_and_prize_texts_ask_for_nothing():
    prize = parse("Chuc mung quy khach trung thuong xe SH, lh 0912 345 678 nhan giai")
    assert (prize["intent"], prize["kind"]) == ("unknown", "cyber_safety")  # kind read anyway
    assert parse("Vay von khong can the chap, lh 0987.654.321")["intent"] == "unknown"
    # a resident forwarding such a text speaks for themselves: a request
    forwarded = parse("toi nhan tin trung thuong, lh 0912345678, co phai lua ko")
    assert (forwarded["intent"], forwarded["kind"]) == ("help_request", "cyber_safety")
    assert parse("lam vneid co mien phi ko, sdt 0912345678")["intent"] == "help_request"


def test_partial_hamlet_names_only_the_commune():
    assert parse("o ap minh thuan")["commune"] == "U Minh Thượng"
    assert parse("o ap minh thuan")["hamlet"] is None
    assert parse("ap xeo")["commune"] is None  # Xẻo Đước and Xẻo Nhàu are in two communes


def test_gazetteer_is_data_and_ties_use_the_default_commune():
    gazetteer = {"Xã Một": ["Ấp Chợ", "Bình An"], "Xã Hai": ["Ấp Chợ", "Tân Lập"]}
    assert parse_sms("ap cho", gazetteer, TUESDAY)["hamlet"] is None
    got = parse_sms("ap cho", gazetteer, TUESDAY, default_commune="Xã Hai")
    assert (got["commune"], got["hamlet"]) == ("Xã Hai", "Ấp Chợ")
    assert parse_sms("tan lap", gazetteer, TUESDAY)["commune"] == "Xã Hai"


ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậếềểễệốồổỗộớờởỡợứừửữựíìỉĩị 0123456789/,.?!h"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=60), offset=st.integers(0, 400))
def test_any_text_gives_a_well_formed_parse(text, offset):
    today = date(2026, 1, 1) + timedelta(days=offset)
    got = parse(text, today)
    assert set(got) == {"intent", "kind", "commune", "hamlet", "when", "codes"}
    assert got["intent"] in INTENTS
    assert all(isinstance(c, str) and c.isupper() for c in got["codes"])
    assert got["hamlet"] is None or got["hamlet"] in GAZETTEER[got["commune"]]
    assert got["when"]["part"] in (None, "morning", "afternoon", "evening")
    if got["when"]["day"] is not None:
        assert date.fromisoformat(got["when"]["day"]) >= today
    assert parse(unicodedata.normalize("NFD", text), today) == got
