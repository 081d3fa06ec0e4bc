"""Coordinator panel: login, scope per commune, queue, request page, overrides and conflicts."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dispatch.models import AuditLog, Event, HelpRequest
from dispatch.services.unit_of_work import unit_of_work
from tests.fixtures.web import WebWorld, csrf_token_from, login_coordinator
from tests.integration.web.helpers import offer_to, submit_request, the_request, token


def _request_in_a(app: Flask, client: FlaskClient, **changes: str) -> HelpRequest:
    return the_request(app, submit_request(client, **changes))


def test_login_refuses_a_wrong_password_and_is_rate_limited(
    client: FlaskClient, web_world: WebWorld
) -> None:
    for _attempt in range(10):
        data = {"username": "coord_a", "password": "wrong", "csrf_token": token(client, "/c/login")}
        answer = client.post("/c/login", data=data)
        assert answer.status_code == 200
        assert "Sai tên đăng nhập hoặc mật khẩu." in answer.get_data(as_text=True)
    data = {"username": "coord_a", "password": "wrong", "csrf_token": token(client, "/c/login")}
    assert client.post("/c/login", data=data).status_code == 429


def test_pages_need_a_signed_in_coordinator(client: FlaskClient, web_world: WebWorld) -> None:
    for path in ["/c/", "/c/board", "/c/dashboard", "/c/volunteers", "/c/requests/1"]:
        answer = client.get(path)
        assert answer.status_code == 302 and "/c/login" in answer.headers["Location"], path


def test_queue_lists_own_communes_with_filters_counts_and_live_json(
    app: Flask, client: FlaskClient, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    mine = _request_in_a(app, client)
    other = _request_in_a(app, client, phone="0987654321", commune="VK", hamlet="VK-01")
    html = coordinator_client.get("/c/").get_data(as_text=True)
    assert mine.reference in html and other.reference not in html
    assert 'data-count="open">1<' in html
    filtered = coordinator_client.get("/c/?kind=e_payment").get_data(as_text=True)
    assert mine.reference not in filtered
    by_status = coordinator_client.get("/c/?status=open&age=1h").get_data(as_text=True)
    assert mine.reference not in by_status  # not an hour old yet
    live = coordinator_client.get("/c/queue.json").get_json()
    assert live["ids"] == [mine.id] and live["counts"] == {"open": 1}
    assert mine.reference in live["html"]


def test_another_communes_request_cannot_be_seen_or_touched(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    req = _request_in_a(app, client)  # commune A
    other = app.test_client()
    login_coordinator(other, web_world.coordinator_b)
    assert other.get(f"/c/requests/{req.id}").status_code == 404
    csrf = token(other, "/c/")
    for action, data in [
        ("reassign", {"volunteer_id": web_world.volunteer_b, "start": "2030-01-01T09:00"}),
        ("unassign", {}),
        ("merge", {"duplicate_id": req.id}),
    ]:
        data.update({"csrf_token": csrf, "reason": "x", "version": "1"})
        assert other.post(f"/c/requests/{req.id}/{action}", data=data).status_code == 404
    assert other.post("/c/communes/UMT/replan", data={"csrf_token": csrf}).status_code == 404
    assignment = offer_to(app, req.id, web_world.volunteer_a)
    data = {"csrf_token": csrf, "locked": "0", "version": str(assignment.version)}
    assert other.post(f"/c/assignments/{assignment.id}/lock", data=data).status_code == 404
    assert other.get(f"/c/volunteers/{web_world.volunteer_a}").status_code == 404
    assert req.reference not in other.get("/c/queue.json").get_json()["html"]


def test_admin_sees_every_commune(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    a = _request_in_a(app, client)
    b = _request_in_a(app, client, phone="0987654321", commune="VK", hamlet="VK-01")
    html = admin_client.get("/c/").get_data(as_text=True)
    assert a.reference in html and b.reference in html


def test_request_page_shows_ranked_candidates_with_reasons(
    app: Flask, client: FlaskClient, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    req = _request_in_a(app, client, kind="civil_registration")
    html = coordinator_client.get(f"/c/requests/{req.id}").get_data(as_text=True)
    ranks = re.findall(r'data-volunteer="(\d+)"', html)
    # Only volunteers of the request's commune; the one with the skill ranks first.
    assert ranks == [str(web_world.volunteer_a), str(web_world.volunteer_a2)]
    assert "có kỹ năng" in html and "thiếu: civil_registration" in html
    assert "km" in html and "rảnh lúc" in html
    assert "request.submitted" in html  # the timeline
    assert "request.submit" in html  # the audit


def test_reassign_then_a_stale_second_coordinator_gets_a_conflict(
    app: Flask, client: FlaskClient, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    req = _request_in_a(app, client)
    second = app.test_client()
    login_coordinator(second, web_world.admin)
    page_1 = coordinator_client.get(f"/c/requests/{req.id}").get_data(as_text=True)
    page_2 = second.get(f"/c/requests/{req.id}").get_data(as_text=True)
    start = re.search(r'name="start" value="([^"]+)"', page_1)
    assert start is not None
    data = {
        "csrf_token": csrf_token_from(page_1),
        "version": str(req.version),
        "volunteer_id": str(web_world.volunteer_a),
        "start": start.group(1),
        "reason": "she knows the family",
    }
    answer = coordinator_client.post(f"/c/requests/{req.id}/reassign", data=data)
    assert answer.status_code == 302
    data.update(csrf_token=csrf_token_from(page_2), volunteer_id=str(web_world.volunteer_a2))
    conflict = second.post(f"/c/requests/{req.id}/reassign", data=data)
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Người khác vừa thay đổi yêu cầu này" in html
    assert "Nguyễn Văn An" in html  # shows the request as it is now
    refreshed = the_request(app, f"/r/{req.status_token}")
    with app.extensions["doorstep.runtime"].sessions() as session:
        fresh = session.get(HelpRequest, refreshed.id)
        assert fresh is not None
        live = fresh.live_assignment()
        assert live is not None and live.volunteer_id == web_world.volunteer_a and live.locked


def test_lock_unlock_and_unassign(
    app: Flask, client: FlaskClient, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    req = _request_in_a(app, client)
    assignment = offer_to(app, req.id, web_world.volunteer_a)
    assert assignment.locked  # a coordinator's reassignment is a lock
    csrf = token(coordinator_client, f"/c/requests/{req.id}")
    data = {"csrf_token": csrf, "locked": "0", "version": str(assignment.version)}
    assert (
        coordinator_client.post(f"/c/assignments/{assignment.id}/lock", data=data).status_code
        == 302
    )
    stale = coordinator_client.post(
        f"/c/assignments/{assignment.id}/lock", data=data | {"locked": "1"}
    )
    assert stale.status_code == 409
    fresh = the_request(app, f"/r/{req.status_token}")
    data = {"csrf_token": csrf, "reason": "resident called", "version": str(fresh.version)}
    assert coordinator_client.post(f"/c/requests/{req.id}/unassign", data=data).status_code == 302
    assert str(the_request(app, f"/r/{req.status_token}").status) == "open"
    with app.extensions["doorstep.runtime"].sessions() as session:
        actions = set(session.scalars(select(AuditLog.action)))
    assert {"assignment.unlock", "request.unassign"} <= actions


def test_possible_duplicates_can_be_merged(
    app: Flask, client: FlaskClient, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    keep = _request_in_a(app, client, kind="vneid")
    duplicate = _request_in_a(app, client, kind="public_services", note="cũng cần nộp hồ sơ")
    html = coordinator_client.get(f"/c/requests/{keep.id}").get_data(as_text=True)
    assert duplicate.reference in html
    data = {"csrf_token": csrf_token_from(html), "duplicate_id": str(duplicate.id), "version": "1"}
    assert coordinator_client.post(f"/c/requests/{keep.id}/merge", data=data).status_code == 302
    merged = the_request(app, f"/r/{duplicate.status_token}")
    assert str(merged.status) == "cancelled"
    assert "cũng cần nộp hồ sơ" in the_request(app, f"/r/{keep.status_token}").text


def test_replan_now_records_an_event(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    csrf = token(coordinator_client, "/c/")
    answer = coordinator_client.post("/c/communes/UMT/replan", data={"csrf_token": csrf})
    assert answer.status_code == 302
    with app.extensions["doorstep.runtime"].sessions() as session:
        event = session.scalar(select(Event).where(Event.type == "replan.requested"))
    assert event is not None and event.payload["commune_code"] == "UMT"


def test_board_escalations_and_dashboard(
    app: Flask, client: FlaskClient, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    req = _request_in_a(app, client)
    assignment = offer_to(app, req.id, web_world.volunteer_a)
    day = assignment.start_at.astimezone().date().isoformat()
    board = coordinator_client.get("/c/board").get_data(as_text=True)
    assert "<svg" in board and "Nguyễn Văn An" in board and "Lê Văn Cường" not in board
    assert coordinator_client.get(f"/c/board?day={day}").status_code == 200
    for reason in ["first", "second"]:
        fresh = offer_to(app, req.id, web_world.volunteer_a)
        from dispatch.clock import utcnow
        from dispatch.services import offers

        with app.extensions["doorstep.runtime"].sessions() as session:
            with unit_of_work(session):
                offers.decline(
                    session, offers.DeclineOffer(fresh.id, "volunteer:x", reason), utcnow()
                )
    escalations = coordinator_client.get("/c/escalations").get_data(as_text=True)
    assert req.reference in escalations and "Bị từ chối từ hai lần trở lên" in escalations
    dashboard = coordinator_client.get("/c/dashboard").get_data(as_text=True)
    assert dashboard.count("<svg") >= 4
    csv_text = coordinator_client.get("/c/dashboard.csv").get_data(as_text=True)
    assert "requests_by_kind,vneid,1" in csv_text


def test_a_failed_sms_escalates_its_request(
    app: Flask, client: FlaskClient, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    from dispatch.models import Message

    req = _request_in_a(app, client)
    with app.extensions["doorstep.runtime"].sessions() as session:
        session.add(
            Message(
                direction="out",
                channel="twilio",
                peer_phone="+84912345678",
                body="Đã nhận yêu cầu",
                status="failed",
                error_code="30003",
                commune_code="UMT",
                request_id=req.id,
            )
        )
        session.commit()
    html = coordinator_client.get("/c/escalations").get_data(as_text=True)
    assert req.reference in html and "Có tin nhắn SMS không gửi được" in html
    page = coordinator_client.get(f"/c/requests/{req.id}").get_data(as_text=True)
    assert "30003" in page and "GSM-7" in page  # delivery status and segments shown


def test_sign_out(coordinator_client: FlaskClient) -> None:
    csrf = token(coordinator_client, "/c/")
    assert coordinator_client.post("/c/logout", data={"csrf_token": csrf}).status_code == 302
    assert coordinator_client.get("/c/").status_code == 302


def test_every_panel_page_renders_in_english(
    app: Flask, client: FlaskClient, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    req = _request_in_a(app, client)
    coordinator_client.get("/lang/en?next=/c/")
    expected = {
        "/c/": "Requests",
        f"/c/requests/{req.id}": "Reassign to a volunteer",
        "/c/board": "Board",
        "/c/escalations": "Escalations",
        "/c/dashboard": "Completion rate",
        "/c/volunteers": "Import CSV",
        "/c/volunteers/import": "Check only (dry run)",
        "/c/teams": "Teams",
        "/c/hamlets": "Latitude",
    }
    for path, text in expected.items():
        answer = coordinator_client.get(path)
        assert answer.status_code == 200 and text in answer.get_data(as_text=True), path
