"""Everyday phrasings the parser once missed (sms_fresh6's first run), each read generally."""

import json
from datetime import date
from pathlib import Path

import pytest

from notifications.parser import parse_sms

DATA = Path(__file__).resolve().parents[2] / "data"
GAZETTEER = json.loads((DATA / "demo_gazetteer.json").read_text(encoding="utf-8"))
TUESDAY = date(2027, 8, 10)


def parse(text: str) -> dict:
    return parse_sms(text, GAZETTEER, TUESDAY)


@pytest.mark.parametrize(
    "text,kind",
    [
        ("lam lai cccd bi mat, co lam online dc ko", "public_services"),
        ("căn cước hết hạn rồi, cấp lại sao", "public_services"),
        ("cmnd bi mat, muon lam lai", "public_services"),
        ("vneid bi khoa, cccd con day", "vneid"),  # the card alone is VNeID's
        ("lam sao phong chu to len, mat tui kem", "smartphone_basics"),
        ("chữ to dùm tui, mắt kém", "smartphone_basics"),
    ],
)
def test_identity_cards_and_font_size_name_their_kinds(text, kind):
    got = parse(text)
    assert (got["intent"], got["kind"]) == ("help_request", kind)


@pytest.mark.parametrize(
    "text,intent",
    [
        ("de e qua, toi nay 7h", "accept"),
        ("để em qua liền", "accept"),
        ("de tui ghe chieu mai", "accept"),
        ("de qua, cam on nha", "unknown"),  # "dễ quá" (so easy): no person, no offer
        ("ubnd xa lam viec thu 7 ko", "unknown"),  # opening hours asked, not a refusal
        ("dạ nhận việc ạ", "accept"),
        ("ko nhan viec", "decline"),
        ("bận việc rồi", "decline"),
    ],
)
def test_offers_to_come_and_office_hours(text, intent):
    assert parse(text)["intent"] == intent


def test_an_offer_keeps_its_time():
    got = parse("de e qua, toi nay 7h")
    assert got["when"] == {"day": "2027-08-10", "part": "evening"} and got["kind"] is None
