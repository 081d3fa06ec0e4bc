"""The short SMS dialogue that completes a help request, as pure logic.

A resident's first message rarely holds everything: the kind of help and the hamlet are
needed, the wished time is optional. What is known is kept per phone in a ``Draft`` (stored
in ``dispatch.models.dialogue.SmsDialogue``), each answer is merged into it, and the next
question is the first missing field. The draft expires so an answer days later starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

DIALOGUE_TTL = timedelta(hours=2)

#: Asked in this order; the template of each question is ``ask_<field>``.
REQUIRED_FIELDS = ("kind", "hamlet")


@dataclass(frozen=True)
class Draft:
    """What a resident has told us so far (hamlet by code: names repeat between communes)."""

    kind: str | None = None
    commune_code: str | None = None
    hamlet_code: str | None = None
    day: date | None = None
    part: str | None = None  # morning | afternoon | evening
    texts: tuple[str, ...] = ()  # the resident's own words, kept for the volunteer

    def missing(self) -> tuple[str, ...]:
        return tuple(f for f in REQUIRED_FIELDS if getattr(self, _ATTR[f]) is None)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "commune_code": self.commune_code,
            "hamlet_code": self.hamlet_code,
            "day": self.day.isoformat() if self.day else None,
            "part": self.part,
            "texts": list(self.texts),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        day = data.get("day")
        return cls(
            kind=data.get("kind"),
            commune_code=data.get("commune_code"),
            hamlet_code=data.get("hamlet_code"),
            day=date.fromisoformat(day) if day else None,
            part=data.get("part"),
            texts=tuple(data.get("texts") or ()),
        )


_ATTR = {"kind": "kind", "hamlet": "hamlet_code"}


@dataclass(frozen=True)
class Heard:
    """One message as the parser understood it, hamlet already resolved to a code."""

    text: str
    kind: str | None = None
    commune_code: str | None = None
    hamlet_code: str | None = None
    day: date | None = None
    part: str | None = None


def merge(draft: Draft, heard: Heard) -> Draft:
    """New facts win over old ones (a resident may correct a hamlet); silence keeps the old."""
    return replace(
        draft,
        kind=heard.kind or draft.kind,
        hamlet_code=heard.hamlet_code or draft.hamlet_code,
        commune_code=heard.commune_code or draft.commune_code,
        day=heard.day or draft.day,
        part=heard.part or draft.part,
        texts=(*draft.texts, heard.text) if heard.text else draft.texts,
    )


def next_question(draft: Draft) -> str | None:
    """Template name of the next question, or None when the draft can be submitted."""
    missing = draft.missing()
    return f"ask_{missing[0]}" if missing else None
