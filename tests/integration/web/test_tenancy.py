"""Tenancy, generated from the URL map: every route of the app is classified, and every route
that can name a commune's rows is called by commune A's coordinator (or volunteer, or partner
token) with commune B's ids. Each call must be refused (403/404) or show nothing of B, and B's
rows must be byte-for-byte unchanged afterwards. A new route without a class fails the test.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from dispatch.models import (
    Base,
    Campaign,
    CampaignStatus,
    CampaignVisit,
    Household,
    ShiftException,
    Team,
)
from tests.fixtures.web import WebWorld, csrf_token_from, login_coordinator
from tests.integration.web.helpers import offer_to, submit_request, the_request

# Every endpoint, by how it is reached. "scoped": names a commune's row by id or code;
# "listing": shows the signed-in coordinator's communes (filters may name another);
# "import": CSV rows name their commune; "form": form fields name a commune; "volunteer": the
# signed-in volunteer's own rows; "api": partner token limited to communes; "capability": an
# unguessable per-request link; "public": no commune's rows behind it.
ROUTES: dict[str, str] = {
    "coordinator.set_lock": "scoped",
    "coordinator.commune_save": "scoped",
    "coordinator.replan": "scoped",
    "coordinator.hamlet_save": "scoped",
    "coordinator.request_page": "scoped",
    "coordinator.merge_duplicate": "scoped",
    "coordinator.reassign": "scoped",
    "coordinator.unassign": "scoped",
    "coordinator.team_save": "scoped",
    "coordinator.volunteer_edit": "scoped",
    "coordinator.volunteer_save": "scoped",
    "coordinator.campaign": "scoped",
    "coordinator.campaign_status": "scoped",
    "coordinator.campaign_sms": "scoped",
    "coordinator.queue_page": "listing",
    "coordinator.board": "listing",
    "coordinator.communes": "listing",
    "coordinator.dashboard": "listing",
    "coordinator.dashboard_csv": "listing",
    "coordinator.escalations": "listing",
    "coordinator.hamlets": "listing",
    "coordinator.hamlets_csv": "listing",
    "coordinator.queue_json": "listing",
    "coordinator.teams": "listing",
    "coordinator.teams_csv": "listing",
    "coordinator.volunteers": "listing",
    "coordinator.volunteers_csv": "listing",
    "coordinator.campaigns": "listing",
    "coordinator.coverage": "listing",
    "coordinator.coverage_csv": "listing",
    "coordinator.coverage_xlsx": "listing",
    "coordinator.households": "listing",
    "coordinator.hamlets_import": "import",
    "coordinator.teams_import": "import",
    "coordinator.volunteers_import": "import",
    "coordinator.households_import": "import",
    "coordinator.campaign_open": "form",
    "volunteer.accept": "volunteer",
    "volunteer.decline": "volunteer",
    "volunteer.finish": "volunteer",
    "volunteer.start": "volunteer",
    "volunteer.remove_day_off": "volunteer",
    "volunteer.my_visits": "volunteer",
    "volunteer.availability": "volunteer",
    "volunteer.save_availability": "volunteer",
    "volunteer.add_day_off": "volunteer",
    "volunteer.walk": "volunteer",
    "volunteer.walk_print": "volunteer",
    "volunteer.walk_outcome": "volunteer",
    "api.assignments": "api",
    "api.read": "api",
    "api.submit": "api",
    "resident.status": "capability",
    "resident.cancel": "capability",
    "resident.reschedule": "capability",
    "api.openapi": "public",
    "pages.home": "public",
    "coordinator.login": "public",
    "coordinator.logout": "public",
    "health.healthz": "public",
    "ops.metrics": "public",
    "i18n.switch_language": "public",
    "resident.new_request": "public",  # a resident's own new request; tested in test_resident
    "simulator.index": "public",  # the development phone simulator (404 with Twilio set)
    "simulator.phone": "public",
    "simulator.send": "public",
    "simulator.open_phone": "public",
    "static": "public",
    "volunteer.enter_code": "public",
    "volunteer.signed_link": "public",
    "volunteer.sign_in": "public",
    "volunteer.sign_out": "public",
    "webhooks.android_gateway": "public",  # signed by the provider; tested in messaging
    "webhooks.twilio_sms": "public",
    "webhooks.twilio_status": "public",
    "webhooks.zalo": "public",
}
B_MARKERS = ("Lê Văn Cường", "912000003", "Bà Tám Bên Kia", "GHI-CHU-CUA-B", "Kim Quy A", "Vân Tập")
REFUSED = {403, 404}


@dataclass
class BWorld:
    request_id: int
    reference: str
    status_token: str
    assignment_id: int
    team_id: int
    day_off_id: int
    a_request_id: int
    campaign_id: int
    visit_id: int
    household_id: int


@pytest.fixture
def b_world(app: Flask, client: FlaskClient, web_world: WebWorld) -> BWorld:
    status = submit_request(
        client, commune="VK", hamlet="VK-01", name="Bà Tám Bên Kia", note="GHI-CHU-CUA-B",
        phone="0913 555 777",
    )  # fmt: skip
    req = the_request(app, status)
    assignment = offer_to(app, req.id, web_world.volunteer_b)
    a_req = the_request(app, submit_request(client, phone="0913 555 111"))
    with app.extensions["doorstep.runtime"].sessions.begin() as session:
        from datetime import date, timedelta

        day_off = ShiftException(
            volunteer_id=web_world.volunteer_b, on_date=date.today() + timedelta(days=3), kind="off"
        )
        session.add(day_off)
        session.flush()

        team_id = session.scalar(select(Team.id).where(Team.commune_code == "VK"))
        assert team_id is not None
        campaign, visit, household = _b_campaign(session, web_world.volunteer_b)
        found = BWorld(
            req.id, req.reference, req.status_token, assignment.id, team_id, day_off.id, a_req.id,
            campaign.id, visit.id, household.id,
        )  # fmt: skip
    app.config["TEST_B"] = (found, web_world)
    return found


def _b_campaign(session: Session, volunteer_b: int) -> tuple[Campaign, CampaignVisit, Household]:
    """A running campaign of commune B with one household on B's volunteer's walk list."""
    from datetime import date, datetime, timedelta

    day = date.today() + timedelta(days=1)
    household = Household(
        commune_code="VK", hamlet_code="VK-01", code="B-0001", address="Ấp Vân Tập",
        head_name="Bà Tám Bên Kia", lat=9.7, lon=104.9,
    )  # fmt: skip
    campaign = Campaign(
        commune_code="VK", name="Chiến dịch B", hamlets=["VK-01"], checklist=["vneid2"],
        first_day=day, last_day=day + timedelta(days=2), status=CampaignStatus.RUNNING,
    )  # fmt: skip
    session.add_all([household, campaign])
    session.flush()
    start = datetime.combine(day, datetime.min.time()).replace(hour=8, tzinfo=UTC)
    visit = CampaignVisit(
        campaign_id=campaign.id, household_id=household.id, volunteer_id=volunteer_b, day=day,
        route_order=1, start_at=start, end_at=start + timedelta(minutes=30), part_of_day="morning",
    )  # fmt: skip
    session.add(visit)
    session.flush()
    return campaign, visit, household


Snapshot = dict[str, list[dict[str, Any]]]


def snapshot(app: Flask) -> Snapshot:
    """Every row of every table."""
    engine = app.extensions["doorstep.runtime"].engine
    rows: Snapshot = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            found = [dict(r._mapping) for r in connection.execute(table.select())]
            rows[table.name] = sorted(found, key=repr)
    return rows


def b_rows(snap: Snapshot, b: BWorld, w: WebWorld) -> Snapshot:
    """The rows of commune B: its code, or a link to B's volunteer, request or visit."""
    own = {
        "volunteer": w.volunteer_b,
        "help_request": b.request_id,
        "assignment": b.assignment_id,
        "campaign": b.campaign_id,
        "campaign_visit": b.visit_id,
        "household": b.household_id,
    }
    links = {"volunteer_id": w.volunteer_b, "request_id": b.request_id,
             "assignment_id": b.assignment_id, "campaign_id": b.campaign_id,
             "visit_id": b.visit_id, "household_id": b.household_id}  # fmt: skip

    def of_b(table: str, row: dict[str, Any]) -> bool:
        return (
            row.get("commune_code") == "VK"
            or (table == "commune" and row.get("code") == "VK")
            or own.get(table) == row.get("id")
            or any(row.get(k) == v for k, v in links.items())
        )

    return {t: [r for r in rows if of_b(t, r)] for t, rows in snap.items()}


def _rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def _url(rule: Rule, b: BWorld, w: WebWorld) -> str:
    values: dict[str, Any] = {
        "assignment_id": b.assignment_id, "request_id": b.request_id, "team_id": b.team_id,
        "volunteer_id": w.volunteer_b, "exception_id": b.day_off_id, "reference": b.reference,
        "token": b.status_token, "number": w.volunteer_b_phone, "filename": "app.css",
        "campaign_id": b.campaign_id, "visit_id": b.visit_id,
        "code": "VK-01" if "hamlet" in rule.endpoint else "VK",
    }  # fmt: skip
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def _form(csrf: str, b: BWorld, w: WebWorld) -> dict[str, Any]:
    """A form that would be valid for A's own rows, aimed at B's (and B's ids inside it)."""
    return {
        "csrf_token": csrf, "volunteer_id": str(w.volunteer_a), "start": "2030-01-07T09:00",
        "reason": "x", "locked": "1", "duplicate_id": str(b.a_request_id), "name": "Đổi tên",
        "lat": "9.7", "lon": "104.9", "team_id": str(b.team_id), "channel_order": "twilio",
        "skill_vneid": "1", "lang_vi": "1", "max_visits_per_shift": "3", "active": "1",
        "outcome": "done", "apply": "1", "day": "2030-01-07", "status": "done",
        "items": "vneid2",
    }  # fmt: skip


def test_every_route_is_classified(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in _rules(app)}
    assert endpoints - ROUTES.keys() == set(), "classify the new route(s) in ROUTES"
    assert ROUTES.keys() - endpoints == set(), "ROUTES names routes that no longer exist"


def _check(
    app: Flask,
    client: FlaskClient,
    rule: Rule,
    url: str,
    data: dict[str, Any],
    expect_refusal: bool,
) -> None:
    b, w = app.config["TEST_B"]
    before = snapshot(app)
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        answer = client.open(url, method=method, data=data if method == "POST" else None)
        body = answer.get_data(as_text=True)
        if expect_refusal:
            # A day off that is not yours reads as one that no longer exists: back to your own
            # page (the snapshot below proves nothing changed).
            bounced = rule.endpoint == "volunteer.remove_day_off" and answer.status_code == 302
            assert answer.status_code in REFUSED or bounced, (method, url, answer.status_code)
        assert answer.status_code < 500, (method, url, body[:300])
        leaked = [m for m in B_MARKERS if m in body]
        assert not leaked, (method, url, leaked)
    after = snapshot(app)
    if expect_refusal:
        assert after == before, f"{url} changed rows"
    assert b_rows(after, b, w) == b_rows(before, b, w), f"{url} changed B's rows"
    assert sum(map(len, b_rows(before, b, w).values())) > 10


def test_coordinator_of_a_never_reaches_b(app: Flask, web_world: WebWorld, b_world: BWorld) -> None:
    client = app.test_client()
    login_coordinator(client, web_world.coordinator_a)
    csrf = csrf_token_from(client.get("/c/").get_data(as_text=True))
    checked = 0
    for rule in _rules(app):
        kind = ROUTES[rule.endpoint]
        if kind == "scoped":
            _check(app, client, rule, _url(rule, b_world, web_world), _form(csrf, b_world,
                   web_world), expect_refusal=True)  # fmt: skip
        elif kind == "listing":
            url = _url(rule, b_world, web_world) + "?commune=VK&communes=VK&hamlet=VK-01"
            _check(app, client, rule, url, {}, expect_refusal=False)
        elif kind == "import":
            csv = "code,commune,name,lat,lon\nVK-01,VK,Chiếm,9.7,104.9\n"
            if rule.endpoint == "coordinator.teams_import":
                csv = f"id,commune,hamlet,name\n{b_world.team_id},VK,VK-01,Chiếm\n"
            if rule.endpoint == "coordinator.households_import":
                csv = "code,commune,hamlet,address,head\nB-0001,VK,VK-01,Ấp,Chiếm\n"
            if rule.endpoint == "coordinator.volunteers_import":
                phone = web_world.volunteer_b_phone
                csv = f"phone,name,commune,hamlet,skills\n{phone},X,VK,VK-01,vneid\n"
            data = {**_form(csrf, b_world, web_world), "file": (io.BytesIO(csv.encode()), "x.csv")}
            _check(app, client, rule, _url(rule, b_world, web_world), data, expect_refusal=False)
        elif kind == "form":
            data = {**_form(csrf, b_world, web_world), "commune": "VK", "name": "Chiếm",
                    "hamlets": "VK-01", "checklist": "vneid2", "first_day": "2030-01-07",
                    "last_day": "2030-01-08"}  # fmt: skip
            _check(app, client, rule, _url(rule, b_world, web_world), data, expect_refusal=False)
        else:
            continue
        checked += 1
    # A's own ids with B's inside the form: merging into, or handing to, B's rows.
    for path, extra in (
        (f"/c/requests/{b_world.a_request_id}/merge", {"duplicate_id": str(b_world.request_id)}),
        (
            f"/c/requests/{b_world.a_request_id}/reassign",
            {"volunteer_id": str(web_world.volunteer_b)},
        ),
    ):
        before = snapshot(app)
        answer = client.post(path, data={**_form(csrf, b_world, web_world), **extra})
        assert answer.status_code < 500
        assert b_rows(snapshot(app), b_world, web_world) == b_rows(before, b_world, web_world)
    # A's own commune with B's hamlet in the form: no campaign of A may walk B's households.
    before = snapshot(app)
    data = {**_form(csrf, b_world, web_world), "commune": "UMT", "name": "Chiếm",
            "hamlets": "VK-01", "checklist": "vneid2", "first_day": "2030-01-07",
            "last_day": "2030-01-08"}  # fmt: skip
    assert client.post("/c/campaigns", data=data).status_code < 500
    assert snapshot(app) == before
    kinds = {"scoped", "listing", "import", "form"}
    assert checked == sum(1 for k in ROUTES.values() if k in kinds)


def test_volunteer_of_a_never_reaches_b(
    app: Flask, web_world: WebWorld, b_world: BWorld, volunteer_client: FlaskClient
) -> None:
    csrf = csrf_token_from(volunteer_client.get("/v/").get_data(as_text=True))
    for rule in _rules(app):
        if ROUTES[rule.endpoint] != "volunteer":
            continue
        has_id = bool(rule.arguments)
        _check(app, volunteer_client, rule, _url(rule, b_world, web_world),
               _form(csrf, b_world, web_world), expect_refusal=has_id)  # fmt: skip


def test_partner_token_of_a_never_reaches_b(
    app: Flask, web_world: WebWorld, b_world: BWorld
) -> None:
    from dispatch.settings import ApiPartner

    token = "partner-of-a-only-0123456789"
    app.config["API_TOKENS"] = {token: ApiPartner("a-only", frozenset({"UMT"}))}
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    before = snapshot(app)
    assert client.get(f"/api/v1/requests/{b_world.reference}", headers=headers).status_code == 404
    assert client.get("/api/v1/communes/VK/assignments", headers=headers).status_code == 404
    body = {"phone": "0913555999", "commune": "VK", "hamlet": "VK-01", "kind": "vneid"}
    answer = client.post("/api/v1/requests", json=body, headers=headers)
    assert answer.status_code in {400, 403, 404, 422}, answer.get_json()  # as if unknown
    assert snapshot(app) == before
    covered = {"api.read", "api.assignments", "api.submit"}
    assert covered == {e for e, k in ROUTES.items() if k == "api"}


def test_capability_links_need_the_exact_token(app: Flask, b_world: BWorld) -> None:
    client = app.test_client()
    forged = b_world.status_token[:-2] + ("aa" if not b_world.status_token.endswith("aa") else "bb")
    before = snapshot(app)
    for rule in _rules(app):
        if ROUTES[rule.endpoint] == "capability":
            url = rule.build({"token": forged}, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                assert client.open(url, method=method).status_code in REFUSED | {400}
    assert snapshot(app) == before
