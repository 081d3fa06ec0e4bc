"""Volunteers, teams and hamlets: edit, CSV import with a dry run, CSV export."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dispatch.models import Volunteer
from tests.fixtures.web import WebWorld
from tests.integration.web.helpers import token

HEADER = "phone,name,commune,team,home_lat,home_lon,skills,languages,max_visits_per_shift,active\n"
GOOD = "0912 000 009,Phạm Thị Dung,UMT,Tổ Minh Thuận A,9.6,105.1,vneid e_payment,vi km,3,1\n"


def _upload(client: FlaskClient, text: str, apply: bool) -> tuple[int, str]:
    data = {
        "csrf_token": token(client, "/c/volunteers/import"),
        "apply": "1" if apply else "0",
        "file": (io.BytesIO(text.encode("utf-8")), "volunteers.csv"),
    }
    answer = client.post("/c/volunteers/import", data=data, content_type="multipart/form-data")
    return answer.status_code, answer.get_data(as_text=True)


def test_import_dry_run_reports_every_bad_row_and_saves_nothing(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    bad = (
        HEADER
        + GOOD
        + "02963123456,,UMT,Tổ Minh Thuận A,9.6,105.1,vneid,vi,3,1\n"
        + "0912000010,Ông Năm,VK,Tổ Kim Quy A,9.6,105.1,vneid,vi,3,1\n"
        + "0912000011,Bà Sáu,UMT,Tổ Minh Thuận A,99,105.1,flying,xx,50,maybe\n"
        + "01621234567,Chú Bảy,UMT,Tổ Khác,9.6,abc,vneid,vi,3,1\n"
        + "0912 000 009,Phạm Thị Dung,UMT,Tổ Minh Thuận A,9.6,105.1,vneid,vi,3,1\n"
    )
    coordinator_client.get("/lang/en")
    status, html = _upload(coordinator_client, bad, apply=True)
    assert status == 400
    assert "5 rows need fixing" in html
    for fragment in [
        "phone: 02963123456 is a landline and cannot receive SMS",
        "name: empty",
        "commune: commune VK is unknown or not yours",
        "team: no team Tổ Kim Quy A in commune VK",
        "home_lat: 99 is outside 8.0..24.0",
        "skills: unknown skills: flying",
        "languages: unknown languages: xx (use vi, km or en)",
        "max_visits_per_shift: 50 is not a whole number from 1 to 20",
        "active: maybe is not yes or no",
        "phone: 01621234567 is an 11-digit mobile number retired in 2018",
        "team: no team Tổ Khác in commune UMT",
        "home_lon: not a number (abc)",
        "phone: +84912000009 appears twice in the file",
    ]:
        assert fragment in html, fragment
    coordinator_client.get("/lang/vi")
    status, html = _upload(coordinator_client, bad, apply=False)
    assert status == 400 and "5 dòng cần sửa" in html
    for fragment in [
        "phone: 02963123456 là số máy bàn, không nhận được SMS",
        "skills: kỹ năng không rõ: flying",
        "max_visits_per_shift: 50 không phải là số nguyên từ 1 đến 20",
    ]:
        assert fragment in html, fragment
    assert "is a landline" not in html and "unknown skills" not in html
    status, html = _upload(coordinator_client, "phone,name\n0912000012,Tám\n", apply=False)
    assert status == 400 and "header: thiếu cột: commune, team, home_lat" in html
    with app.extensions["doorstep.runtime"].sessions() as session:
        assert session.scalar(select(Volunteer).where(Volunteer.name == "Phạm Thị Dung")) is None


def test_import_refuses_a_phone_of_another_commune(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    other = f"{web_world.volunteer_b_phone},Người Lạ,UMT,Tổ Minh Thuận A,9.6,105.1,vneid,vi,3,1\n"
    status, html = _upload(coordinator_client, HEADER + GOOD + other, apply=True)
    assert status == 400
    assert "Dòng 3: số điện thoại này là của tình nguyện viên xã khác" in html
    with app.extensions["doorstep.runtime"].sessions() as session:
        assert session.scalar(select(Volunteer).where(Volunteer.name == "Phạm Thị Dung")) is None


def test_import_checks_then_applies_and_export_round_trips(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    status, html = _upload(coordinator_client, HEADER + GOOD, apply=False)
    assert status == 200 and "Cả 1 dòng đều đúng" in html
    status, html = _upload(coordinator_client, HEADER + GOOD, apply=True)
    assert status == 200 and "1 mới, 0 cập nhật" in html
    with app.extensions["doorstep.runtime"].sessions() as session:
        added = session.scalar(select(Volunteer).where(Volunteer.phone == "+84912000009"))
        assert added is not None and added.languages == ["vi", "km"]
    exported = coordinator_client.get("/c/volunteers.csv").get_data(as_text=True)
    assert "+84912000009,Phạm Thị Dung,UMT" in exported and "Lê Văn Cường" not in exported
    status, html = _upload(coordinator_client, exported.lstrip("\ufeff"), apply=True)
    assert status == 200 and "0 mới, 3 cập nhật" in html


def test_edit_a_volunteer_and_a_hamlet(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    path = f"/c/volunteers/{web_world.volunteer_a2}"
    csrf = token(coordinator_client, path)
    page = coordinator_client.get(path).get_data(as_text=True)
    team_id = page.split('name="team_id">')[1].split('value="')[1].split('"')[0]
    data = {"csrf_token": csrf, "name": "Trần Thị Bình", "team_id": team_id}
    data |= {"skill_cyber_safety": "1", "lang_vi": "1", "max_visits_per_shift": "2", "active": "1"}
    assert coordinator_client.post(path, data=data).status_code == 302
    with app.extensions["doorstep.runtime"].sessions() as session:
        volunteer = session.get(Volunteer, web_world.volunteer_a2)
        assert volunteer is not None and volunteer.skills == ["cyber_safety"]
    bad = coordinator_client.post(path, data=data | {"max_visits_per_shift": "99"})
    assert bad.status_code == 400
    hamlet = {"csrf_token": csrf, "name": "Minh Thuận A mới", "lat": "9.62", "lon": "105.12"}
    assert coordinator_client.post("/c/hamlets/UMT-01", data=hamlet).status_code == 302
    assert "Minh Thuận A mới" in coordinator_client.get("/c/hamlets.csv").get_data(as_text=True)
    assert coordinator_client.post("/c/hamlets/VK-01", data=hamlet).status_code == 404
    assert "Tổ Minh Thuận A" in coordinator_client.get("/c/teams").get_data(as_text=True)
    assert "Tổ Kim Quy A" not in coordinator_client.get("/c/teams.csv").get_data(as_text=True)


def test_rename_a_team_only_in_scope(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    from dispatch.models import Team

    with app.extensions["doorstep.runtime"].sessions() as session:
        teams = {t.commune_code: t.id for t in session.scalars(select(Team))}
    csrf = token(coordinator_client, "/c/teams")
    data = {"csrf_token": csrf, "name": "Tổ công nghệ số Minh Thuận A"}
    assert coordinator_client.post(f"/c/teams/{teams['UMT']}", data=data).status_code == 302
    assert "Tổ công nghệ số Minh Thuận A" in coordinator_client.get("/c/teams").get_data(
        as_text=True
    )
    assert coordinator_client.post(f"/c/teams/{teams['VK']}", data=data).status_code == 404
