"""DOORSTEP_API_TOKENS: name:token for every commune, name:token:CODE|CODE for some."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch.settings import ApiPartner, SettingsError, load_settings

TOKEN_A = "a" * 24
TOKEN_B = "b" * 30


def _tokens(raw: str, instance: Path) -> dict[str, ApiPartner]:
    settings = load_settings({"DOORSTEP_INSTANCE_PATH": str(instance), "DOORSTEP_API_TOKENS": raw})
    return dict(settings.api_tokens)


def test_a_token_without_communes_sees_every_commune(tmp_path: Path) -> None:
    partner = _tokens(f" ngo : {TOKEN_A} ", tmp_path)[TOKEN_A]
    assert partner == ApiPartner("ngo")
    assert partner.can_see("91501") and partner.can_see("VK")


def test_a_scoped_token_sees_only_its_communes(tmp_path: Path) -> None:
    tokens = _tokens(f"ngo:{TOKEN_A},post:{TOKEN_B}:91501|91502", tmp_path)
    assert tokens[TOKEN_A].communes == frozenset()
    post = tokens[TOKEN_B]
    assert post == ApiPartner("post", frozenset({"91501", "91502"}))
    assert post.can_see("91502") and not post.can_see("91503")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("ngo:short", "must look like partner:token"),
        (f":{TOKEN_A}", "must look like partner:token"),
        (f"ngo:{TOKEN_A}:", "bad commune list ''"),
        (f"ngo:{TOKEN_A}:91501||91502", "bad commune list"),
        (f"ngo:{TOKEN_A}:91501,91502", "must look like partner:token"),
        (f"ngo:{TOKEN_A}:91 501", "bad commune list"),
    ],
)
def test_malformed_tokens_stop_start_up(raw: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=message):
        _tokens(raw, tmp_path)
