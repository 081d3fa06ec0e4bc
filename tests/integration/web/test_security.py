"""Security headers, cookies, CSRF (and its short exempt list), language switch."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, url_for
from flask.testing import FlaskClient

from tests.fixtures.web import WebWorld, login_coordinator, make_test_app
from tests.integration.web.helpers import token
from web.security import CONTENT_SECURITY_POLICY


def test_every_page_has_a_strict_content_security_policy(client: FlaskClient) -> None:
    answer = client.get("/")
    policy = answer.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "style-src 'self'" in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_or_style() -> None:
    templates = Path(__file__).parents[3] / "web" / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script>" not in text and "<script " not in text.replace("<script src=", ""), path
        assert "style=" not in text and "<style" not in text, path
        assert " onclick=" not in text and " onsubmit=" not in text, path


def test_no_asset_comes_from_another_site(client: FlaskClient) -> None:
    html = client.get("/request").get_data(as_text=True)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def test_session_cookie_is_httponly_samesite_and_secure_over_https(
    web_database_url: str, tmp_path: Path
) -> None:
    app = make_test_app(web_database_url, tmp_path / "i")
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False  # public URL is http://127.0.0.1
    client = app.test_client()
    answer = client.get("/lang/en?next=/")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    app.extensions["doorstep.runtime"].close()

    from dispatch.settings import load_settings
    from web import create_app

    settings = load_settings(
        {
            "DOORSTEP_INSTANCE_PATH": str(tmp_path / "j"),
            "DATABASE_URL": web_database_url,
            "DOORSTEP_PUBLIC_URL": "https://doorstep.example.vn",
            "DOORSTEP_SECRET_KEY": "another-test-secret-key-long-enough",
        }
    )
    secure_app = create_app(settings, {"PUBLISH_AFTER_COMMIT": False})
    answer = secure_app.test_client().get("/lang/en?next=/", base_url="https://localhost")
    assert "Secure" in answer.headers["Set-Cookie"]
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    secure_app.extensions["doorstep.runtime"].close()


def csrf_exempt_rules(app: Flask) -> list[str]:
    """Every URL rule taking an unsafe method that answers a token-less request without
    CSRF's refusal: found by asking each one, not by reading Flask-WTF's internals."""
    exempt: list[str] = []
    unsafe = {"POST", "PUT", "PATCH", "DELETE"}
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) & unsafe)
        if not methods:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, 1))
        client = app.test_client()
        with client:  # keeps the request's context, and its g, until the block ends
            client.open(url, method=methods[0])
            if not g.get("csrf_refused"):
                exempt.append(rule.rule)
    return sorted(exempt)


def test_only_the_partner_api_and_signed_webhooks_skip_csrf(app: Flask) -> None:
    exempt = csrf_exempt_rules(app)
    allowed_prefixes = ("/api/v1/", "/webhooks/")
    assert exempt, "the API's POST route must be listed"
    assert "/api/v1/requests" in exempt
    for rule in exempt:
        assert rule.startswith(allowed_prefixes), rule
    # Every other form-accepting route is protected.
    protected = {
        r.rule
        for r in app.url_map.iter_rules()
        if "POST" in (r.methods or set()) and r.rule not in exempt
    }
    assert {"/request", "/c/login", "/v/sign-in", "/r/<token>/cancel"} <= protected


def test_a_form_without_its_csrf_token_is_refused(client: FlaskClient, web_world: WebWorld) -> None:
    answer = client.post("/c/login", data={"username": "coord_a", "password": "x"})
    assert answer.status_code == 400
    assert "hết hạn" in answer.get_data(as_text=True)  # Vietnamese by default: "expired"


def test_language_switch_and_no_open_redirect(client: FlaskClient) -> None:
    assert 'lang="vi"' in client.get("/").get_data(as_text=True)
    answer = client.get("/lang/en?next=//evil.example/x")
    assert answer.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in html and "Ask for help" in html
    client.get("/lang/vi?next=/")
    assert "Yêu cầu hỗ trợ" in client.get("/").get_data(as_text=True)


def test_signing_in_and_out_starts_a_fresh_session_in_the_same_language(
    client: FlaskClient, web_world: WebWorld
) -> None:
    client.get("/lang/en?next=/")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login_coordinator(client, web_world.coordinator_a)
    with client.session_transaction() as session:
        assert "planted" not in session and session["lang"] == "en"
        assert "coordinator_id" in session
    answer = client.post("/c/logout", data={"csrf_token": token(client, "/c/")})
    assert answer.status_code == 302
    with client.session_transaction() as session:
        assert dict(session) == {"lang": "en"}


def test_nul_characters_are_refused_before_any_view(
    client: FlaskClient, web_world: WebWorld
) -> None:
    from tests.integration.web.helpers import resident_form, token

    data = resident_form(name="Bà\x00Tư")
    data["csrf_token"] = token(client, "/request")
    assert client.post("/request", data=data).status_code == 400
    auth = {"Authorization": "Bearer test-partner-token-0123456789"}
    answer = client.post(
        "/api/v1/requests",
        data='{"phone": "0912345678", "kind": "vneid", "commune": "UM\\u0000T"}',
        headers=auth | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and "NUL" in answer.get_json()["error"]
    assert client.get("/api/v1/requests/AB%00CD", headers=auth).status_code == 400
    surrogate = '{"phone": "0912345678", "kind": "vneid", "commune": "UMT", "name": "A\\ud800"}'
    answer = client.post(
        "/api/v1/requests", data=surrogate, headers=auth | {"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
