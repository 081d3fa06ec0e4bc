"""Words for campaigns on pages, in the reader's language (the SMS words are in templates)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from dispatch.campaign_items import DIFFICULTIES, ITEMS_BY_KEY
from web.helpers import lang

DOOR_STATUS: dict[str, LazyString] = {
    "planned": _l("To visit"),
    "done": _l("Done"),
    "nobody_home": _l("Nobody home"),
    "refused": _l("Refused"),
    "come_back": _l("Come back later"),
    "dropped": _l("Taken off the list"),
}
CAMPAIGN_STATUS: dict[str, LazyString] = {
    "draft": _l("Draft"),
    "running": _l("Running"),
    "closed": _l("Closed"),
}
NEEDS: dict[str, LazyString] = {
    "no_smartphone": _l("no smartphone"),
    "elderly": _l("elderly"),
    "disabled": _l("disabled"),
    "khmer_speaking": _l("speaks Khmer"),
}


def item_label(key: str) -> str:
    item = ITEMS_BY_KEY.get(key)
    return item.label(lang()) if item else key


def difficulty_label(code: str) -> str:
    vi, en = DIFFICULTIES.get(code, (code, code))
    return en if lang() == "en" else vi


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        item_label=item_label,
        difficulty_label=difficulty_label,
        DOOR_STATUS=DOOR_STATUS,
        CAMPAIGN_STATUS=CAMPAIGN_STATUS,
        NEEDS=NEEDS,
    )
