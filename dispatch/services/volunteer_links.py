"""Signed links and one-time codes for volunteer sign-in (no password to remember).

The offer SMS carries ``{public_url}/v/link/{token}``: the token is signed with the app's secret
key and names the volunteer (and the offered visit); it expires after ``LINK_MAX_AGE_S``. Both
the web pages (to check it) and the messaging area (to put it in an SMS) use these functions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

LINK_SALT = "doorstep.volunteer-link"
LINK_MAX_AGE_S = 3 * 24 * 3600
CODE_DIGITS = 6
CODE_MINUTES = 10


@dataclass(frozen=True)
class LinkClaim:
    volunteer_id: int
    assignment_id: int | None


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=LINK_SALT)


def make_link_token(secret_key: str, volunteer_id: int, assignment_id: int | None = None) -> str:
    return _serializer(secret_key).dumps({"v": volunteer_id, "a": assignment_id})


def link_path(secret_key: str, volunteer_id: int, assignment_id: int | None = None) -> str:
    """The path part of a sign-in link (prefix it with the public URL for an SMS)."""
    return f"/v/link/{make_link_token(secret_key, volunteer_id, assignment_id)}"


def read_link_token(secret_key: str, token: str, max_age_s: int = LINK_MAX_AGE_S) -> LinkClaim:
    """The claim of a valid token; raises ``BadSignature`` (or its subclass) otherwise."""
    data = _serializer(secret_key).loads(token, max_age=max_age_s)
    if not isinstance(data, dict) or not isinstance(data.get("v"), int):
        raise BadSignature("malformed volunteer link")
    assignment = data.get("a")
    return LinkClaim(data["v"], assignment if isinstance(assignment, int) else None)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(secret_key: str, phone: str, code: str) -> str:
    """What is kept of a code (in the signed session): never the code itself."""
    message = f"{phone}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def code_matches(secret_key: str, phone: str, code: str, digest: str) -> bool:
    return hmac.compare_digest(code_digest(secret_key, phone, code.strip()), digest)
