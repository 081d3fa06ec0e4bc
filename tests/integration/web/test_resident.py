"""Resident pages: the form (every bad field), submit, double submit, rate limits, status page."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dispatch.models import Event, HelpRequest
from tests.fixtures.web import WebWorld
from tests.integration.web.helpers import (
    offer_to,
    resident_form,
    submit_request,
    the_request,
    token,
)


def test_the_form_offers_communes_hamlets_and_kinds_with_icons(
    client: FlaskClient, web_world: WebWorld
) -> None:
    html = client.get("/request").get_data(as_text=True)
    assert "U Minh Thượng" in html and "Vân Khánh" in html
    assert 'data-commune="UMT"' in html and "Minh Thuận A" in html
    assert html.count('<svg class="icon"') >= 8  # one icon per kind of help
    assert "Tài khoản VNeID" in html  # catalogue labels in Vietnamese
    assert 'name="parts"' in html and 'name="days"' in html


def test_every_bad_field_gets_its_own_message(client: FlaskClient, web_world: WebWorld) -> None:
    data = resident_form(name="", phone="01234", commune="", hamlet="", kind="", note="x" * 501)
    data["csrf_token"] = token(client, "/request")
    answer = client.post("/request", data=data)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    for message in [
        "Vui lòng nhập họ tên.",
        "Số di động không hợp lệ",
        "Vui lòng chọn xã.",
        "Vui lòng chọn ấp.",
        "Vui lòng chọn việc cần hỗ trợ.",
        "Ghi chú quá dài",
    ]:
        assert message in html, message


def test_old_eleven_digit_numbers_get_a_specific_message(
    client: FlaskClient, web_world: WebWorld
) -> None:
    data = resident_form(phone="01662345678")
    data["csrf_token"] = token(client, "/request")
    html = client.post("/request", data=data).get_data(as_text=True)
    assert "Số 11 chữ số này đã đổi từ năm 2018" in html


def test_a_hamlet_of_another_commune_is_refused(client: FlaskClient, web_world: WebWorld) -> None:
    data = resident_form(commune="UMT", hamlet="VK-01")
    data["csrf_token"] = token(client, "/request")
    answer = client.post("/request", data=data)
    assert answer.status_code == 400
    assert "Vui lòng chọn một ấp thuộc xã đã chọn." in answer.get_data(as_text=True)


def test_submit_stores_request_and_event_then_shows_the_status_page(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    path = submit_request(client)
    assert path.startswith("/r/") and len(path) > 30  # an unguessable token
    req = the_request(app, path)
    assert req.kind == "vneid" and req.hamlet_code == "UMT-01" and req.channel == "web"
    assert req.resident.phone == "+84912345678"
    assert len(req.preferred_windows) == 14  # 7 days x morning + afternoon
    with app.extensions["doorstep.runtime"].sessions() as session:
        types = session.scalars(select(Event.type)).all()
    assert "request.submitted" in types
    html = client.get(path).get_data(as_text=True)
    assert req.reference in html and "Đang tìm tình nguyện viên" in html


def test_a_double_submit_stores_one_request(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    first = submit_request(client)
    second = submit_request(client)
    assert first == second
    with app.extensions["doorstep.runtime"].sessions() as session:
        assert session.scalar(select(func.count()).select_from(HelpRequest)) == 1


def test_submissions_are_rate_limited_per_phone(client: FlaskClient, web_world: WebWorld) -> None:
    kinds = ["vneid", "e_payment", "cyber_safety", "health_insurance", "online_selling"]
    for kind in kinds:
        submit_request(client, kind=kind)
    data = resident_form(kind="smartphone_basics")
    data["csrf_token"] = token(client, "/request")
    answer = client.post("/request", data=data)
    assert answer.status_code == 429
    assert "Retry-After" in answer.headers


def test_submissions_are_rate_limited_per_ip(client: FlaskClient, web_world: WebWorld) -> None:
    for n in range(10):
        submit_request(client, phone=f"09123450{n:02d}")
    data = resident_form(phone="0912345099")
    data["csrf_token"] = token(client, "/request")
    assert client.post("/request", data=data).status_code == 429


def test_the_status_page_shows_time_first_name_and_visit_code_once_accepted(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    path = submit_request(client)
    req = the_request(app, path)
    offered = offer_to(app, req.id, web_world.volunteer_a)
    html = client.get(path).get_data(as_text=True)
    assert offered.visit_code not in html  # an offer is not a promise yet
    accepted = offer_to(app, req.id, web_world.volunteer_a, accept=True)
    html = client.get(path).get_data(as_text=True)
    assert accepted.visit_code in html
    assert "An" in html and "Nguyễn Văn An" not in html  # first name only
    assert "Đã hẹn lịch thăm" in html


def test_the_resident_can_cancel(app: Flask, client: FlaskClient, web_world: WebWorld) -> None:
    path = submit_request(client)
    answer = client.post(f"{path}/cancel", data={"csrf_token": token(client, path)})
    assert answer.status_code == 302
    assert str(the_request(app, path).status) == "cancelled"
    html = client.get(path).get_data(as_text=True)
    assert "Đã hủy" in html and "/cancel" not in html


def test_the_resident_can_ask_for_another_time(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    path = submit_request(client)
    html = client.get(path).get_data(as_text=True)
    day = html.split('name="days" type="checkbox" value="')[1].split('"')[0]
    data = {"csrf_token": token(client, path), "days": [day], "parts": ["evening"]}
    assert client.post(f"{path}/reschedule", data=data).status_code == 302
    windows = the_request(app, path).preferred_windows
    assert len(windows) == 1
    assert windows[0]["start"] == f"{day}T10:00:00+00:00"  # 17:00 in Ho Chi Minh is 10:00 UTC


def test_an_unknown_status_link_is_404(client: FlaskClient, web_world: WebWorld) -> None:
    assert client.get("/r/not-a-real-token").status_code == 404
    assert client.post("/r/not-a-real-token/cancel", data={"csrf_token": token(client, "/")})


def test_times_are_shown_in_ho_chi_minh_time(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    from datetime import UTC, datetime, timedelta

    from dispatch.clock import utcnow

    path = submit_request(client)
    req = the_request(app, path)
    tomorrow = (utcnow() + timedelta(days=1)).date()
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 1, 30, tzinfo=UTC)
    offer_to(app, req.id, web_world.volunteer_a, start=start, accept=True)
    html = client.get(path).get_data(as_text=True)
    assert "08:30 " in html  # 01:30 UTC is 08:30 in Asia/Ho_Chi_Minh
    english = client.get(f"{path}?lang=en").get_data(as_text=True)
    assert "Visit scheduled" in english and "08:30 " in english
