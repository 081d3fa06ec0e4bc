"""Fixed facts of the fake Zalo: app and OA ids, secrets that are not secret, approved template
ids, the faults it can inject with their error texts, and the ``ZALO_`` settings that point the
real client at the fake."""

from __future__ import annotations

from notifications.zalo_templates import ZNS_TEMPLATES

SANDBOX_ZALO_APP_ID = "4096000000000000015"
SANDBOX_ZALO_APP_SECRET = "sandbox-zalo-app-secret-not-secret"
SANDBOX_ZALO_OA_ID = "1700000000000000015"
SANDBOX_ZALO_OA_SECRET = "sandbox-zalo-oa-secret-not-secret"
SANDBOX_ZALO_REFRESH_TOKEN = "rt.bootstrap"  # accepted once per run, like a fresh OA grant
# Template ids the fake has "approved", one per template of ours.
SANDBOX_ZALO_TEMPLATES = {name: str(600101 + i) for i, name in enumerate(ZNS_TEMPLATES)}
OAUTH_PATH = "/v4/oa/access_token"


# Send faults, per number: ZNS error codes, "timeout" (created, answer too late), "lost"
# (no message, answer too late), "500", and "offline" (created, never received: no webhook).
CODE_FAULTS = {"-100", "-108", "-114", "-115", "-118", "-119", "-124", "-131", "-133", "-144"}
OTHER_FAULTS = {"timeout", "lost", "500", "offline"}
ERROR_TEXT = {
    -100: "Unknown error",
    -108: "Phone number invalid",
    -109: "Template ID invalid",
    -112: "Template data invalid",
    -114: "User is inactive, or reject the message, or using an outdated Zalo version",
    -115: "Out of quota",
    -118: "Zalo account not existed",
    -119: "Account can not receive ZNS",
    -124: "Access token invalid",
    -131: "Template not approved",
    -133: "Sending ZNS at night is not allowed (22:00-06:00)",
    -144: "OA has exceeded daily quota",
}


def sandbox_env(url: str) -> dict[str, str]:
    """ZALO_ settings naming the fake Zalo at ``url`` as if it were a real OA (tests, bench)."""
    return {
        "ZALO_APP_ID": SANDBOX_ZALO_APP_ID,
        "ZALO_APP_SECRET": SANDBOX_ZALO_APP_SECRET,
        "ZALO_OA_SECRET_KEY": SANDBOX_ZALO_OA_SECRET,
        "ZALO_REFRESH_TOKEN": SANDBOX_ZALO_REFRESH_TOKEN,
        "ZALO_OAUTH_URL": url + OAUTH_PATH,
        "ZALO_API_BASE_URL": url,
        "ZALO_TEMPLATES": ",".join(f"{k}:{v}" for k, v in SANDBOX_ZALO_TEMPLATES.items()),
    }
