"""Volunteer pages: sign-in by SMS code or signed link, My visits, answers, availability."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dispatch.models import Event, Message
from tests.fixtures.web import WebWorld
from tests.integration.web.helpers import offer_to, submit_request, the_request, token


def _ask_code(client: FlaskClient, phone: str) -> None:
    data = {"phone": phone, "csrf_token": token(client, "/v/sign-in")}
    answer = client.post("/v/sign-in", data=data)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/v/code")


def _sent_code(app: Flask, phone: str) -> str:
    with app.extensions["doorstep.runtime"].sessions() as session:
        message = session.scalars(
            select(Message).where(Message.peer_phone == phone).order_by(Message.id.desc())
        ).first()
    assert message is not None and message.template == "sign_in_code"
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None
    return found.group(1)


def test_sign_in_with_a_code_sent_by_sms(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    _ask_code(client, "0912 000 001")
    code = _sent_code(app, web_world.volunteer_a_phone)
    wrong = "000000" if code != "000000" else "111111"
    answer = client.post("/v/code", data={"code": wrong, "csrf_token": token(client, "/v/code")})
    assert "Mã chưa đúng" in answer.get_data(as_text=True)
    answer = client.post("/v/code", data={"code": code, "csrf_token": token(client, "/v/code")})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/v/")
    assert "Chào An." in client.get("/v/").get_data(as_text=True)


def test_an_unknown_number_gets_the_same_answer_and_no_sms(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    _ask_code(client, "0977 111 222")
    with app.extensions["doorstep.runtime"].sessions() as session:
        assert session.scalars(select(Message)).first() is None
    answer = client.post("/v/code", data={"code": "123456", "csrf_token": token(client, "/v/code")})
    assert "Mã chưa đúng" in answer.get_data(as_text=True)


def test_too_many_wrong_codes_end_the_attempt(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    _ask_code(client, web_world.volunteer_a_phone)
    code = _sent_code(app, web_world.volunteer_a_phone)
    wrong = "000000" if code != "000000" else "111111"
    for _try in range(5):
        client.post("/v/code", data={"code": wrong, "csrf_token": token(client, "/v/code")})
    answer = client.post("/v/code", data={"code": code, "csrf_token": token(client, "/v/code")})
    assert answer.headers["Location"].endswith("/v/sign-in")  # even the right code is too late


def test_a_bad_or_forged_link_signs_nobody_in(client: FlaskClient, web_world: WebWorld) -> None:
    assert client.get("/v/link/not-a-token").status_code == 400
    assert client.get("/v/").status_code == 302


def test_sessions_expire(app: Flask, volunteer_client: FlaskClient) -> None:
    assert volunteer_client.get("/v/").status_code == 200
    with volunteer_client.session_transaction() as session:
        session["volunteer_until"] = 0
    answer = volunteer_client.get("/v/")
    assert answer.status_code == 302 and "/v/sign-in" in answer.headers["Location"]


def test_my_visits_hide_the_phone_until_accepted_then_accept_start_finish(
    app: Flask, client: FlaskClient, volunteer_client: FlaskClient, web_world: WebWorld
) -> None:
    req = the_request(app, submit_request(client))
    offered = offer_to(app, req.id, web_world.volunteer_a)
    html = volunteer_client.get("/v/").get_data(as_text=True)
    assert "Minh Thuận A" in html and "geo:9.610000,105.110000" in html
    assert "+84912345678" not in html and "Hiện sau khi bạn nhận việc." in html
    csrf = token(volunteer_client, "/v/")
    answer = volunteer_client.post(
        f"/v/visits/{offered.id}/accept", data={"csrf_token": csrf, "version": offered.version}
    )
    assert answer.status_code == 302
    html = volunteer_client.get("/v/").get_data(as_text=True)
    assert "+84912345678" in html and offered.visit_code in html
    volunteer_client.post(f"/v/visits/{offered.id}/start", data={"csrf_token": csrf})
    answer = volunteer_client.post(
        f"/v/visits/{offered.id}/finish",
        data={"csrf_token": csrf, "outcome": "resolved", "note": "VNeID mức 2 đã kích hoạt"},
    )
    assert answer.status_code == 302
    assert str(the_request(app, f"/r/{req.status_token}").status) == "done"


def test_decline_needs_a_reason(
    app: Flask, client: FlaskClient, volunteer_client: FlaskClient, web_world: WebWorld
) -> None:
    req = the_request(app, submit_request(client))
    offered = offer_to(app, req.id, web_world.volunteer_a)
    csrf = token(volunteer_client, "/v/")
    volunteer_client.post(f"/v/visits/{offered.id}/decline", data={"csrf_token": csrf})
    assert str(the_request(app, f"/r/{req.status_token}").status) == "offered"
    data = {"csrf_token": csrf, "reason": "far", "detail": "xe hỏng"}
    volunteer_client.post(f"/v/visits/{offered.id}/decline", data=data)
    assert str(the_request(app, f"/r/{req.status_token}").status) == "open"


def test_a_volunteer_cannot_read_or_answer_another_volunteers_visit(
    app: Flask, client: FlaskClient, volunteer_client: FlaskClient, web_world: WebWorld
) -> None:
    req = the_request(app, submit_request(client))
    someone_elses = offer_to(app, req.id, web_world.volunteer_a2)
    html = volunteer_client.get("/v/").get_data(as_text=True)
    assert f"visit-{someone_elses.id}" not in html and req.resident.phone not in html
    csrf = token(volunteer_client, "/v/")
    for action in ["accept", "decline", "start", "finish"]:
        data = {"csrf_token": csrf, "reason": "busy", "outcome": "resolved"}
        answer = volunteer_client.post(f"/v/visits/{someone_elses.id}/{action}", data=data)
        assert answer.status_code == 404, action
    assert str(the_request(app, f"/r/{req.status_token}").status) == "offered"


def test_availability_and_days_off_trigger_a_replan(
    app: Flask, volunteer_client: FlaskClient, web_world: WebWorld
) -> None:
    html = volunteer_client.get("/v/availability").get_data(as_text=True)
    assert 'value="07:00"' in html
    csrf = token(volunteer_client, "/v/availability")
    data = {"csrf_token": csrf, "d0s0start": "08:00", "d0s0end": "11:00"}
    data |= {"d0s1start": "14:00", "d0s1end": "17:00", "d5s0start": "07:00"}
    bad = volunteer_client.post("/v/availability", data=data)
    assert bad.status_code == 400 and "Thứ Bảy: nhập cả giờ bắt đầu" in bad.get_data(as_text=True)
    data["d5s0end"] = "12:00"
    assert volunteer_client.post("/v/availability", data=data).status_code == 302
    html = volunteer_client.get("/v/availability").get_data(as_text=True)
    assert 'value="14:00"' in html and 'value="07:00"' in html
    answer = volunteer_client.post("/v/days-off", data={"csrf_token": csrf, "day": "2099-01-02"})
    assert answer.status_code == 302
    assert "02/01/2099" in volunteer_client.get("/v/availability").get_data(as_text=True)
    with app.extensions["doorstep.runtime"].sessions() as session:
        events = session.scalars(
            select(Event).where(Event.type == "volunteer.availability_changed")
        ).all()
    assert len(events) == 2 and events[0].payload["volunteer_id"] == web_world.volunteer_a


def test_remove_a_day_off_and_sign_out(
    app: Flask, volunteer_client: FlaskClient, web_world: WebWorld
) -> None:
    csrf = token(volunteer_client, "/v/availability")
    volunteer_client.post("/v/days-off", data={"csrf_token": csrf, "day": "2099-03-04"})
    html = volunteer_client.get("/v/availability").get_data(as_text=True)
    found = re.search(r"/v/days-off/(\d+)/remove", html)
    assert found is not None
    answer = volunteer_client.post(found.group(0), data={"csrf_token": csrf})
    assert answer.status_code == 302
    assert "04/03/2099" not in volunteer_client.get("/v/availability").get_data(as_text=True)
    assert volunteer_client.post(found.group(0), data={"csrf_token": csrf}).status_code == 302
    volunteer_client.post("/v/sign-out", data={"csrf_token": csrf})
    assert volunteer_client.get("/v/").status_code == 302


def test_a_stale_or_impossible_answer_is_refused_with_nothing_saved(
    app: Flask, client: FlaskClient, volunteer_client: FlaskClient, web_world: WebWorld
) -> None:
    req = the_request(app, submit_request(client))
    offered = offer_to(app, req.id, web_world.volunteer_a)
    csrf = token(volunteer_client, "/v/")
    stale = {"csrf_token": csrf, "version": str(offered.version - 1)}
    answer = volunteer_client.post(f"/v/visits/{offered.id}/accept", data=stale)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/v/")
    html = volunteer_client.get("/v/").get_data(as_text=True)
    assert "Lượt thăm này vừa thay đổi" in html
    assert str(the_request(app, f"/r/{req.status_token}").status) == "offered"
    # Finishing a visit that was never accepted is a move the state machine refuses.
    data = {"csrf_token": csrf, "outcome": "resolved"}
    answer = volunteer_client.post(f"/v/visits/{offered.id}/finish", data=data)
    assert answer.status_code == 302
    assert "Không thể làm việc này" in volunteer_client.get("/v/").get_data(as_text=True)
    assert str(the_request(app, f"/r/{req.status_token}").status) == "offered"
