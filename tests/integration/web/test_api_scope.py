"""A partner token limited to some communes cannot submit, read or list in the others."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from dispatch.settings import ApiPartner
from tests.fixtures.web import WebWorld

ALL = {"Authorization": "Bearer test-partner-token-0123456789"}
VK_ONLY = {"Authorization": "Bearer vk-only-partner-token-0123456789"}


def _scope_a_token_to_vk(app: Flask) -> None:
    app.config["API_TOKENS"] = {
        **app.config["API_TOKENS"],
        "vk-only-partner-token-0123456789": ApiPartner("vk-post", frozenset({"VK"})),
    }


def test_a_scoped_token_works_in_its_commune(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    _scope_a_token_to_vk(app)
    body = {"phone": "0912345678", "kind": "vneid", "commune": "VK", "hamlet": "VK-01"}
    created = client.post("/api/v1/requests", json=body, headers=VK_ONLY)
    assert created.status_code == 201
    reference = created.get_json()["reference"]
    assert client.get(f"/api/v1/requests/{reference}", headers=VK_ONLY).status_code == 200
    assert client.get("/api/v1/communes/VK/assignments", headers=VK_ONLY).status_code == 200


def test_other_communes_look_like_they_do_not_exist(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    _scope_a_token_to_vk(app)
    body = {"phone": "0912345678", "kind": "vneid", "commune": "UMT", "hamlet": "UMT-01"}
    refused = client.post("/api/v1/requests", json=body, headers=VK_ONLY)
    unknown = client.post("/api/v1/requests", json={**body, "commune": "NOPE"}, headers=VK_ONLY)
    assert refused.status_code == unknown.status_code == 400
    assert refused.get_json()["fields"]["commune"] == "unknown commune code"
    assert unknown.get_json()["fields"]["commune"] == "unknown commune code"

    # A request of commune UMT, made with the unscoped token, stays hidden from the VK token.
    reference = client.post("/api/v1/requests", json=body, headers=ALL).get_json()["reference"]
    assert client.get(f"/api/v1/requests/{reference}", headers=ALL).status_code == 200
    hidden = client.get(f"/api/v1/requests/{reference}", headers=VK_ONLY)
    assert hidden.status_code == 404 and hidden.get_json() == {"error": "no such request"}
    listed = client.get("/api/v1/communes/UMT/assignments", headers=VK_ONLY)
    assert listed.status_code == 404 and listed.get_json() == {"error": "no such commune"}
    assert client.get("/api/v1/communes/UMT/assignments", headers=ALL).status_code == 200


def test_dedupe_never_hands_out_another_communes_request(
    app: Flask, client: FlaskClient, web_world: WebWorld
) -> None:
    _scope_a_token_to_vk(app)
    umt = {"phone": "0912345678", "kind": "vneid", "commune": "UMT", "hamlet": "UMT-01"}
    original = client.post("/api/v1/requests", json=umt, headers=ALL).get_json()
    vk = {**umt, "commune": "VK", "hamlet": "VK-01"}
    answer = client.post("/api/v1/requests", json=vk, headers=VK_ONLY)
    assert answer.status_code == 400
    assert original["reference"] not in answer.get_data(as_text=True)
    assert original["status_url"] not in answer.get_data(as_text=True)
