"""Hamlets and teams: CSV import with a dry run reporting every bad row, scoped and audited."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dispatch.models import AuditLog, Hamlet, Team
from dispatch.services import household_import, place_import, volunteer_import
from notifications.phone import InvalidPhone, to_e164
from tests.fixtures.web import WebWorld
from tests.integration.web.helpers import token
from web.coordinator.imports import PHONE_REASONS, PROBLEMS


def _upload(client: FlaskClient, path: str, text: str, apply: bool) -> tuple[int, str]:
    data = {
        "csrf_token": token(client, path),
        "apply": "1" if apply else "0",
        "file": (io.BytesIO(text.encode("utf-8")), "file.csv"),
    }
    answer = client.post(path, data=data, content_type="multipart/form-data")
    return answer.status_code, answer.get_data(as_text=True)


def _hamlets(app: Flask) -> dict[str, Hamlet]:
    with app.extensions["doorstep.runtime"].sessions() as session:
        return {h.code: h for h in session.scalars(select(Hamlet))}


def _teams(app: Flask) -> dict[int, Team]:
    with app.extensions["doorstep.runtime"].sessions() as session:
        return {t.id: t for t in session.scalars(select(Team))}


def test_every_problem_code_has_a_sentence() -> None:
    assert set(PROBLEMS) == set(place_import.PROBLEM_CODES) | set(
        volunteer_import.PROBLEM_CODES
    ) | set(household_import.PROBLEM_CODES)
    reasons = set()
    for raw in ["", "abc", "+14155550123", "0912", "02963123456", "01621234567"]:
        try:
            to_e164(raw)
        except InvalidPhone as error:
            reasons.add(error.reason)
    expected = {"empty", "unparseable", "foreign", "invalid", "landline", "old_mobile"}
    assert reasons == expected and expected | {"not_mobile"} == set(PHONE_REASONS)


def test_hamlet_dry_run_lists_every_bad_row_and_saves_nothing(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    bad = (
        "code,commune,name,lat,lon\n"
        "UMT-03,UMT,Ấp Mới,9.63,105.13\n"  # good
        "UMT-04,VK,Ấp Khác,9.7,104.9\n"  # not this coordinator's commune
        "VK-01,UMT,Kim Quy A,9.76,104.91\n"  # another commune's hamlet
        "UMT 05,UMT,,abc,200\n"  # bad code, empty name, lat not a number, lon out of range
        "UMT-03,UMT,Ấp Mới lần hai,9.63,105.13\n"  # twice in the file
    )
    status, html = _upload(coordinator_client, "/c/hamlets/import", bad, apply=True)
    assert status == 400 and "4 dòng cần sửa" in html
    for fragment in [
        '<td data-label="Dòng">3</td><td data-label="Lỗi">commune: xã VK',
        "code: VK-01 thuộc xã khác",
        "code: UMT 05 không phải là mã",
        "name: trống",
        "lat: không phải số (abc)",
        "lon: 200 nằm ngoài 102.0..110.0",
        "code: UMT-03 xuất hiện hai lần trong tệp",
    ]:
        assert fragment in html, fragment
    assert '<td data-label="Dòng">2</td>' not in html
    hamlets = _hamlets(app)
    assert "UMT-03" not in hamlets and "UMT-04" not in hamlets
    assert hamlets["VK-01"].commune_code == "VK"


def test_hamlet_export_edit_import_round_trips_and_is_audited(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    exported = coordinator_client.get("/c/hamlets.csv").get_data(as_text=True)
    assert "VK-01" not in exported
    edited = exported.replace("Công Sự", "Công Sự Mới") + "UMT-03,UMT,Ấp Mới,9.630000,105.130000\n"
    status, html = _upload(coordinator_client, "/c/hamlets/import", edited, apply=False)
    assert status == 200 and "Cả 3 dòng đều đúng" in html
    assert "UMT-03" not in _hamlets(app)
    status, html = _upload(coordinator_client, "/c/hamlets/import", edited, apply=True)
    assert status == 200 and "1 mới, 2 cập nhật" in html
    hamlets = _hamlets(app)
    assert hamlets["UMT-02"].name == "Công Sự Mới" and hamlets["UMT-03"].lat == 9.63
    again = coordinator_client.get("/c/hamlets.csv").get_data(as_text=True)
    assert again.replace("\r\n", "\n") == edited.replace("\r\n", "\n")
    with app.extensions["doorstep.runtime"].sessions() as session:
        audit = list(session.scalars(select(AuditLog).where(AuditLog.action == "hamlet.import")))
    by_code = {a.entity_id: a for a in audit}
    assert set(by_code) == {"UMT-01", "UMT-02", "UMT-03"}
    assert by_code["UMT-03"].before is None and by_code["UMT-03"].commune_code == "UMT"
    assert by_code["UMT-02"].before is not None
    assert by_code["UMT-02"].before["name"] == "Công Sự"
    assert all(a.actor.startswith("coordinator:") for a in audit)


def test_team_dry_run_lists_every_bad_row_and_saves_nothing(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    teams = {t.commune_code: t.id for t in _teams(app).values()}
    umt, vk = teams["UMT"], teams["VK"]
    bad = (
        "id,commune,hamlet,name\n"
        f"{umt},UMT,UMT-01,Tổ Minh Thuận A mới\n"  # good
        f"{vk},VK,VK-01,Tổ lạ\n"  # another commune's team
        f"{vk},UMT,UMT-01,Tổ lạ 2\n"  # another commune's team, claimed for this commune
        ",UMT,VK-02,\n"  # hamlet of another commune, empty name
        "abc,UMT,,Tổ X\n"  # id not a number
        f"{umt},UMT,,Tổ lặp\n"  # twice in the file
        ",UMT,UMT-02,Tổ Minh Thuận A mới\n"  # name already used by the first row
    )
    status, html = _upload(coordinator_client, "/c/teams/import", bad, apply=True)
    assert status == 400 and "6 dòng cần sửa" in html
    for fragment in [
        f"id: không có tổ {vk} trong các xã của bạn",
        "commune: xã VK",
        "hamlet: không có ấp VK-02 trong xã UMT",
        "name: trống",
        "id: không có tổ abc",
        f"id: {umt} xuất hiện hai lần trong tệp",
        "name: một tổ khác của xã này đã tên là Tổ Minh Thuận A mới",
    ]:
        assert fragment in html, fragment
    assert {t.name for t in _teams(app).values()} == {"Tổ Minh Thuận A", "Tổ Kim Quy A"}


def test_team_export_edit_import_round_trips_and_is_audited(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    exported = coordinator_client.get("/c/teams.csv").get_data(as_text=True)
    assert "Tổ Kim Quy A" not in exported
    edited = exported.replace("Tổ Minh Thuận A", "Tổ công nghệ số Minh Thuận A")
    edited += ",UMT,UMT-02,Tổ Công Sự\n"
    status, html = _upload(coordinator_client, "/c/teams/import", edited, apply=True)
    assert status == 200 and "1 mới, 1 cập nhật" in html
    teams = {t.name: t for t in _teams(app).values()}
    assert teams["Tổ Công Sự"].hamlet_code == "UMT-02"
    assert teams["Tổ công nghệ số Minh Thuận A"].commune_code == "UMT"
    again = coordinator_client.get("/c/teams.csv").get_data(as_text=True)
    new_id = teams["Tổ Công Sự"].id
    expected = edited.replace(",UMT,UMT-02,Tổ Công Sự", f"{new_id},UMT,UMT-02,Tổ Công Sự")
    assert again.replace("\r\n", "\n") == expected.replace("\r\n", "\n")
    # Importing the export unchanged changes nothing but is accepted (all updates).
    status, html = _upload(coordinator_client, "/c/teams/import", again, apply=True)
    assert status == 200 and "0 mới, 2 cập nhật" in html
    with app.extensions["doorstep.runtime"].sessions() as session:
        audit = list(session.scalars(select(AuditLog).where(AuditLog.action == "team.import")))
    assert len(audit) == 4 and {a.entity_id for a in audit} == {
        str(teams["Tổ Công Sự"].id),
        str(teams["Tổ công nghệ số Minh Thuận A"].id),
    }


def test_admin_imports_into_any_commune_and_english_wording(
    app: Flask, admin_client: FlaskClient, web_world: WebWorld
) -> None:
    text = "code,commune,name,lat,lon\nVK-03,VK,Ấp Ba,9.77,104.93\nXX-01,XX,Ấp,9.7,104.9\n"
    admin_client.get("/lang/en")
    status, html = _upload(admin_client, "/c/hamlets/import", text, apply=True)
    assert status == 400 and "1 rows need fixing" in html
    assert "commune: commune XX is unknown or not yours" in html
    status, html = _upload(admin_client, "/c/hamlets/import", text.rsplit("XX-01", 1)[0], True)
    assert status == 200 and "Imported: 1 new, 0 updated." in html
    assert _hamlets(app)["VK-03"].commune_code == "VK"


def test_import_pages_need_a_coordinator_and_a_readable_file(
    client: FlaskClient, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    for path in ("/c/hamlets/import", "/c/teams/import"):
        assert client.get(path).status_code == 302
        page = coordinator_client.get(path).get_data(as_text=True)
        assert "Các cột: " in page and "Chỉ kiểm tra" in page
    status, html = _upload(coordinator_client, "/c/teams/import", "id,name\n1,x\n", apply=False)
    assert status == 400 and "header: thiếu cột: commune, hamlet" in html
    data = {
        "csrf_token": token(coordinator_client, "/c/teams/import"),
        "file": (io.BytesIO("tên".encode("utf-16")), "teams.csv"),
    }
    answer = coordinator_client.post(
        "/c/teams/import", data=data, content_type="multipart/form-data"
    )
    assert answer.status_code == 400
