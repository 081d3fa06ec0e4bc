"""Partner API: token auth, submit, read status, a commune's assignments, OpenAPI document."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.fixtures.web import WebWorld
from tests.integration.web.helpers import offer_to

TOKEN = "test-partner-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_every_call_but_the_document_needs_the_token(
    client: FlaskClient, web_world: WebWorld
) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/requests/ABCDEF").status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.get("/api/v1/communes/UMT/assignments", headers=wrong).status_code == 401
    assert client.post("/api/v1/requests", json={}).get_json() == {
        "error": "missing or wrong bearer token"
    }


def test_submit_then_read_then_duplicate(client: FlaskClient, web_world: WebWorld) -> None:
    body = {
        "phone": "0912345678",
        "kind": "e_payment",
        "commune": "UMT",
        "hamlet": "UMT-02",
        "name": "Lâm Văn Bảy",
        "windows": [{"start": "2030-01-02T08:00:00+07:00", "end": "2030-01-02T11:00:00+07:00"}],
    }
    created = client.post("/api/v1/requests", json=body, headers=AUTH)
    assert created.status_code == 201
    data = created.get_json()
    assert data["status"] == "open" and data["visit"] is None and data["duplicate"] is False
    assert data["status_url"].startswith("http://127.0.0.1:5000/r/")
    read = client.get(f"/api/v1/requests/{data['reference']}", headers=AUTH).get_json()
    assert read["reference"] == data["reference"] and read["hamlet"] == "UMT-02"
    again = client.post("/api/v1/requests", json=body, headers=AUTH)
    assert again.status_code == 200 and again.get_json()["reference"] == data["reference"]


def test_bad_bodies_name_each_bad_field(client: FlaskClient, web_world: WebWorld) -> None:
    answer = client.post(
        "/api/v1/requests",
        json={"phone": "123", "kind": "x", "commune": "NOPE", "windows": [{"start": "x"}], "y": 1},
        headers=AUTH,
    )
    assert answer.status_code == 400
    fields = answer.get_json()["fields"]
    assert set(fields) == {"phone", "kind", "commune", "windows", "y"}
    assert client.post("/api/v1/requests", data="[]", headers=AUTH).status_code == 400


def test_a_communes_assignments(app: Flask, client: FlaskClient, web_world: WebWorld) -> None:
    body = {"phone": "0912345678", "kind": "vneid", "commune": "UMT", "hamlet": "UMT-01"}
    reference = client.post("/api/v1/requests", json=body, headers=AUTH).get_json()["reference"]
    from sqlalchemy import select

    from dispatch.models import HelpRequest

    with app.extensions["doorstep.runtime"].sessions() as session:
        request_id = session.scalar(
            select(HelpRequest.id).where(HelpRequest.reference == reference)
        )
    assert request_id is not None
    assignment = offer_to(app, request_id, web_world.volunteer_a, accept=True)
    from dispatch.clock import to_local

    day = to_local(assignment.start_at).date().isoformat()
    listed = client.get(f"/api/v1/communes/UMT/assignments?date={day}", headers=AUTH).get_json()
    assert listed["assignments"][0]["reference"] == reference
    assert listed["assignments"][0]["volunteer_first_name"] == "An"
    assert listed["assignments"][0]["status"] == "accepted"
    status = client.get(f"/api/v1/requests/{reference}", headers=AUTH).get_json()
    assert status["visit"]["status"] == "accepted"
    other = client.get(f"/api/v1/communes/VK/assignments?date={day}", headers=AUTH).get_json()
    assert other["assignments"] == []
    assert client.get("/api/v1/communes/NOPE/assignments", headers=AUTH).status_code == 404
    bad_date = client.get("/api/v1/communes/UMT/assignments?date=soon", headers=AUTH)
    assert bad_date.status_code == 400


def test_the_api_is_rate_limited_per_token_with_a_json_answer(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    for _call in range(120):
        assert client.get("/api/v1/communes/UMT/assignments", headers=AUTH).status_code == 200
    answer = client.get("/api/v1/communes/UMT/assignments", headers=AUTH)
    assert answer.status_code == 429 and answer.get_json() == {"error": "too many calls"}
    # A moving window: the budget comes back when the first of those calls is a minute old.
    assert 1 <= int(answer.headers["Retry-After"]) <= 60


def test_fields_of_the_wrong_json_type_are_named_not_a_crash(
    client: FlaskClient, web_world: WebWorld
) -> None:
    # Found by bench.province's fuzzer: {"kind": [...]} made a 500 (a list is unhashable).
    for bad in ({"kind": ["vneid"]}, {"kind": {"a": 1}}, {"language": ["vi"]}, {"language": {}}):
        body = {"phone": "0912345678", "kind": "vneid", "commune": "UMT", **bad}
        answer = client.post("/api/v1/requests", json=body, headers=AUTH)
        assert answer.status_code == 400, bad
        assert set(answer.get_json()["fields"]) == set(bad), answer.get_json()


def test_windows_and_fields_are_checked_by_the_documented_schema(
    client: FlaskClient, web_world: WebWorld
) -> None:
    body = {"phone": "0912345678", "kind": "vneid", "commune": "UMT"}
    bad_windows = [
        [{"start": 1893556800, "end": "2030-01-02T11:00:00+07:00"}],  # a number is not a time
        [{"start": "2030-01-02T08:00:00", "end": "2030-01-02T11:00:00"}],  # no time zone
        [{"start": "2030-01-02T11:00:00+07:00", "end": "2030-01-02T08:00:00+07:00"}],
        [{"start": "2030-01-02T08:00:00+07:00", "end": "2030-01-02T11:00:00+07:00", "x": 1}],
    ]
    for windows in bad_windows:
        answer = client.post("/api/v1/requests", json={**body, "windows": windows}, headers=AUTH)
        assert answer.status_code == 400, windows
        assert set(answer.get_json()["fields"]) == {"windows"}, answer.get_json()
    answer = client.post("/api/v1/requests", json={**body, "hamlet": "NOPE", "z": 1}, headers=AUTH)
    assert answer.get_json() == {
        "error": "invalid request",
        "fields": {"hamlet": "unknown hamlet code for this commune", "z": "unknown field"},
    }
    not_json = client.post("/api/v1/requests", data="phone=1", headers=AUTH)
    assert not_json.get_json() == {"error": "the body must be a JSON object"}
    # The document's body schema is the validating model's own.
    document = client.get("/api/v1/openapi.json").get_json()
    new_request = document["components"]["schemas"]["NewRequest"]
    assert new_request["additionalProperties"] is False
    assert new_request["required"] == ["phone", "kind", "commune"]


def test_optional_fields_may_be_null(client: FlaskClient, web_world: WebWorld) -> None:
    body = {"phone": "0912345678", "kind": "vneid", "commune": "UMT"}
    nulls = {"hamlet": None, "name": None, "note": None, "windows": None}
    answer = client.post("/api/v1/requests", json={**body, **nulls}, headers=AUTH)
    assert answer.status_code == 201 and answer.get_json()["hamlet"] is None
    assert (
        client.post("/api/v1/requests", json={**body, "language": None}, headers=AUTH).status_code
        == 400
    )
