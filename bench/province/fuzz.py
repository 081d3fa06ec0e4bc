"""Forged, tampered and fuzzed requests for the public endpoints (seeded, reproducible)."""

from __future__ import annotations

import json
import random
import urllib.parse
from collections.abc import Callable

from bench.province.load import Request, signed_sms
from bench.province.stack import API_TOKENS

FORM = "application/x-www-form-urlencoded"
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy0123456789 ,.;:'\"<>&%{}[]\\/\x00\n\t😀ﬀ"


def forged(public_url: str, n: int, rng: random.Random) -> Request:
    """Half signed with the wrong key, half signed right and then tampered with."""
    method, path, body, headers = signed_sms(
        public_url, f"SMforged{n:08d}", f"+8497{n:07d}", "giup cai vneid"
    )
    if n % 2:
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
        headers = {**headers, "X-Twilio-Signature": "".join(rng.choices(letters, k=28))}
    else:
        params = urllib.parse.parse_qs(body.decode())
        params["Body"] = ["chuyen tien cho toi"]  # the body changed after signing
        body = urllib.parse.urlencode({k: v[0] for k, v in params.items()}).encode()
    return method, path, body, headers


def _text(rng: random.Random, limit: int) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, limit)))


def _junk(rng: random.Random) -> bytes:
    """Random bytes, random form fields, random JSON, or nested/overlong JSON."""
    kind = rng.randrange(5)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 600)))
    if kind == 1:
        fields = {_text(rng, 12): _text(rng, 80) for _ in range(rng.randint(0, 8))}
        return urllib.parse.urlencode(fields).encode()
    if kind == 2:
        value: object = _text(rng, 40)
        for _ in range(rng.randint(1, 60)):
            value = rng.choice([[value], {"a": value}])
        return json.dumps(value).encode()
    if kind == 3:
        keys = ["phone", "kind", "commune", "hamlet", "name", "note", "windows", "event",
                "payload", "MessageSid", "From", "Body", "username", "password"]  # fmt: skip
        values = [None, 1, -1e308, True, [], {}, _text(rng, 3000)]
        fields = {rng.choice(keys): rng.choice(values) for _ in range(rng.randint(1, 6))}
        return json.dumps(fields).encode()
    return ("x" * rng.randint(1, 200_000)).encode()


def endpoints(public_url: str, rng: random.Random) -> dict[str, Callable[[int], Request]]:
    """Per public endpoint: the n-th fuzzed request (its own client address, so per-IP limits
    see many residents, as behind the proxy)."""
    seed = rng.random()

    def plain(path: str, content_type: str, extra: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        def make(n: int) -> Request:
            one = random.Random(f"{seed}:{path}:{n}")  # per request: the same at any thread count
            kinds = [content_type, FORM, "application/json", "text/plain", "multipart/form-data"]
            address = f"10.9.{n // 256 % 256}.{n % 256}"
            headers = {"Content-Type": one.choice(kinds), "X-Forwarded-For": address}
            headers.update(extra or {})
            return "POST", path, _junk(one), headers

        return make

    def signed_twilio(n: int) -> Request:
        # A valid signature over random parameters: past the signature, into the parser.
        rng = random.Random(f"{seed}:signed:{n}")
        fields = {"MessageSid": rng.choice(["", f"SMfz{n:08d}", _text(rng, 70)]),
                  "From": rng.choice(["", _text(rng, 30), f"+84{rng.randrange(10**9)}"]),
                  "Body": _text(rng, 1600)}  # fmt: skip
        return signed_sms(public_url, fields["MessageSid"], fields["From"], fields["Body"])

    token = {"Authorization": f"Bearer {API_TOKENS[-1]}"}
    return {
        "/webhooks/twilio/sms (unsigned)": plain("/webhooks/twilio/sms", FORM),
        "/webhooks/twilio/sms (signed)": signed_twilio,
        "/webhooks/twilio/status": plain("/webhooks/twilio/status", FORM),
        "/webhooks/android-gateway": plain("/webhooks/android-gateway", "application/json"),
        "/webhooks/zalo": plain("/webhooks/zalo", "application/json"),
        "/api/v1/requests": plain("/api/v1/requests", "application/json", token),
        "/request": plain("/request", FORM),
        "/c/login": plain("/c/login", FORM),
        "/v/sign-in": plain("/v/sign-in", FORM),
    }
