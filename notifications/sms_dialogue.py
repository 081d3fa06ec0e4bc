"""The free-text side of an inbound SMS: the short dialogue that completes a help request.

What the resident said is merged into the phone's draft (``SmsDialogue``); the first missing
field is asked ("Bạn ở ấp nào?"), and a complete draft is submitted through
``dispatch.services.submit``. The number's known hamlet fills in a hamlet not named. The state
expires (``DIALOGUE_TTL``), so an answer days later starts afresh. A wished day and part of
day already over ("sáng nay" at 3 pm) is never quietly dropped for "any time": the resident is
told it has passed and asked again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import services
from dispatch.models import Hamlet, Message, Resident, SmsDialogue
from notifications.dialogue import DIALOGUE_TTL, Draft, Heard, merge, next_question
from notifications.offer_texts import wished_text
from notifications.understand import Understood, stated_window, windows_for


class DialogueTurn:
    """Mixed into the inbound turn, which provides these and ``reply``."""

    session: Session
    row: Message
    now: datetime
    phone: str
    commune_code: str | None
    lang: str
    reply: Callable[..., None]

    def _dialogue(self, heard: Understood) -> None:
        state = self.session.get(SmsDialogue, self.phone)
        live = state is not None and state.expires_at > self.now
        says_something = any((heard.kind, heard.hamlet_code, heard.day, heard.part))
        if not live and (heard.intent != "help_request" and not says_something):
            self.reply("not_understood")
            return
        draft = Draft.from_json(state.draft) if live and state is not None else Draft()
        fallback_hamlet = self._known_hamlet()
        draft = merge(
            draft,
            Heard(
                self.row.body, heard.kind, heard.commune_code, heard.hamlet_code,
                heard.day, heard.part,
            ),
        )  # fmt: skip
        if draft.hamlet_code is None and fallback_hamlet is not None:
            code, commune = fallback_hamlet
            draft = merge(draft, Heard("", hamlet_code=code, commune_code=commune))
        if draft.day is not None and not windows_for(draft.day, draft.part, self.now):
            wished = wished_text([stated_window(draft.day, draft.part)], self.lang)
            draft = replace(draft, day=None, part=None)
            self._save_dialogue(state, draft, "when_past")
            self.reply("when_past", wished=wished)
            return
        question = next_question(draft)
        if question is not None:
            self._save_dialogue(state, draft, question)
            self.reply(question, **self._question_values(question, draft))
            return
        if state is not None:
            self.session.delete(state)
        self._submit(draft)

    def _known_hamlet(self) -> tuple[str, str] | None:
        resident = self.session.scalars(
            select(Resident)
            .where(Resident.phone == self.phone, Resident.hamlet_code.is_not(None))
            .order_by(Resident.id.desc())
        ).first()
        if resident is None or resident.hamlet_code is None:
            return None
        return resident.hamlet_code, resident.commune_code

    def _question_values(self, question: str, draft: Draft) -> dict[str, object]:
        if question != "ask_hamlet":
            return {}
        query = select(Hamlet.name).order_by(Hamlet.code).limit(3)
        commune = draft.commune_code or self.commune_code
        if commune:
            query = query.where(Hamlet.commune_code == commune)
        return {"hamlets": list(self.session.scalars(query))}

    def _save_dialogue(self, state: SmsDialogue | None, draft: Draft, question: str) -> None:
        if state is None:
            state = SmsDialogue(phone=self.phone, draft={}, expires_at=self.now)
            self.session.add(state)
        state.draft, state.asked = draft.to_json(), question
        state.expires_at = self.now + DIALOGUE_TTL
        state.last_inbound_id = self.row.provider_id

    def _submit(self, draft: Draft) -> None:
        hamlet = self.session.get(Hamlet, draft.hamlet_code)
        assert hamlet is not None and draft.kind is not None
        self.commune_code = hamlet.commune_code
        command = services.SubmitRequest(
            phone=self.phone,
            kind=draft.kind,
            commune_code=hamlet.commune_code,
            channel="sms",
            hamlet_code=hamlet.code,
            text=" / ".join(draft.texts)[:2000],
            preferred_windows=tuple(windows_for(draft.day, draft.part, self.now)),
        )
        result = services.submit(self.session, command, self.now)
        self.row.request_id = result.request.id
        if not result.created:  # already open: no new event, so answer here
            request = result.request
            self.reply("request_received", kind=request.kind, ref=request.reference)
