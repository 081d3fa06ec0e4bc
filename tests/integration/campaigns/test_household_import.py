"""The household register: CSV and .xlsx import, dry run naming every bad row, re-import
updates by household code and never duplicates, scoped to the coordinator's communes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dispatch.models import Household, HouseholdMember
from dispatch.services import household_import
from dispatch.services.tables import to_xlsx
from notifications.phone import to_e164
from tests.fixtures.web import WebWorld
from tests.integration.web.helpers import token
from web.coordinator.imports import PROBLEMS

HEADER = "code,commune,hamlet,address,head,phone,lat,lon,at_home,needs,members\n"
GOOD = (
    HEADER + "H001,UMT,UMT-01,Tổ 1,Nguyễn Văn Ba,0912345678,9.611,105.112,farmer,"
    "elderly cao_tuoi,Nguyễn Văn Ba 1948; Lê Thị Tư 1990 *\n"
    "H002,UMT,UMT-01,Tổ 2,Trần Văn Năm,,,,,khmer no_smartphone,\n"
)


def _upload(client: FlaskClient, data: bytes, name: str, apply: bool) -> tuple[int, str]:
    form = {
        "csrf_token": token(client, "/c/households/import"),
        "apply": "1" if apply else "0",
        "file": (io.BytesIO(data), name),
    }
    answer = client.post("/c/households/import", data=form, content_type="multipart/form-data")
    return answer.status_code, answer.get_data(as_text=True)


def _count(app: Flask) -> int:
    with app.extensions["doorstep.runtime"].sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Household)) or 0)


def test_every_household_problem_has_a_sentence() -> None:
    assert set(household_import.PROBLEM_CODES) <= set(PROBLEMS)


def test_dry_run_names_every_bad_row_and_saves_nothing(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    bad = (
        HEADER + "H1,UMT,UMT-01,Tổ 1,A,,,,,,\n"  # good
        "H2,VK,VK-01,Tổ 1,B,,,,,,\n"  # another commune
        "H3,UMT,UMT-01,,C,0123,9.6,,sometimes,blind,Ba\n"  # 6 problems
        "H1,UMT,UMT-02,Tổ 3,D,,,,,,\n"  # code twice
    )
    status, html = _upload(coordinator_client, bad.encode(), "h.csv", apply=True)
    assert status == 400
    assert "3 rows need fixing" in html or "3 hộ" in html or html.count("<tr><td data-label") == 3
    for expected in ("address:", "phone:", "lon:", "at_home:", "needs:", "members:", "code:"):
        assert expected in html
    assert _count(app) == 0


def test_import_then_reimport_updates_and_never_duplicates(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    status, _html = _upload(coordinator_client, GOOD.encode(), "h.csv", apply=True)
    assert status == 200 and _count(app) == 2
    changed = GOOD.replace("Tổ 2,Trần Văn Năm", "Tổ 9,Trần Văn Sáu")
    status, html = _upload(coordinator_client, changed.encode(), "h.csv", apply=True)
    assert status == 200 and _count(app) == 2
    with app.extensions["doorstep.runtime"].sessions() as session:
        rows = {h.code: h for h in session.scalars(select(Household))}
        assert rows["H002"].head_name == "Trần Văn Sáu" and rows["H002"].address == "Tổ 9"
        assert rows["H002"].location_is_hamlet_centre and rows["H002"].lat == 9.61
        assert rows["H002"].khmer_speaking and rows["H002"].no_smartphone
        assert rows["H001"].phone == "+84912345678" and rows["H001"].elderly
        assert rows["H001"].at_home == "farmer" and not rows["H001"].location_is_hamlet_centre
        members = session.scalar(select(func.count()).select_from(HouseholdMember))
        assert members == 2  # replaced, not added again
        core = [m.name for m in rows["H001"].members if m.digital_core]
        assert core == ["Lê Thị Tư"]


def test_xlsx_upload_reads_like_csv(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    header = HEADER.strip().split(",")
    rows = [["H7", "UMT", "UMT-02", "Tổ 4", "Võ Thị Bảy", "", 9.59, 105.12, "", "", "Bảy 1950"]]
    status, _html = _upload(coordinator_client, to_xlsx("hộ", header, rows), "h.xlsx", apply=True)
    assert status == 200 and _count(app) == 1
    status, html = _upload(coordinator_client, b"PK\x03\x04garbage", "h.xlsx", apply=False)
    assert status == 400 and "file:" in html


def test_households_page_is_scoped(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    _upload(coordinator_client, GOOD.encode(), "h.csv", apply=True)
    page = coordinator_client.get("/c/households?hamlet=UMT-01").get_data(as_text=True)
    assert "Nguyễn Văn Ba" in page
    other = coordinator_client.get("/c/households?hamlet=VK-01").get_data(as_text=True)
    assert "Kim Quy A" not in other


def test_cli_dry_run_and_import(
    app: Flask, web_world: WebWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web.cli import main

    url = app.extensions["doorstep.runtime"].settings.database_url
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DOORSTEP_INSTANCE_PATH", str(tmp_path))
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "H1,UMT,NOPE,x,y,,,,,,\n", encoding="utf-8")
    assert main(["households", "import", str(bad), "--dry-run"]) == 1
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["households", "import", str(good), "--dry-run"]) == 0
    assert _count(app) == 0
    assert main(["households", "import", str(good)]) == 0
    assert main(["households", "import", str(good)]) == 0
    assert _count(app) == 2


def test_service_parse_accepts_vietnamese_words(app: Flask, web_world: WebWorld) -> None:
    text = HEADER + "H5,UMT,UMT-01,x,y,,,,nông dân,khuyết_tật không_smartphone,\n"
    with app.extensions["doorstep.runtime"].sessions() as session:
        report = household_import.parse(session, text.encode(), ["UMT"], to_e164)
    assert not report.errors
    assert report.rows[0].values["needs"] == {"disabled", "no_smartphone"}
