"""One inbound message being handled: who sent it, what it says, what it answers, and the
replies it queues (in the caller's transaction; see ``notifications.inbound``).

The resident's request dialogue, a volunteer's answers to offers and a resident's answer to
a proposed time are mixed in from ``sms_dialogue``, ``offer_replies`` and ``proposal_sms``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch import services
from dispatch.models import Direction, HelpRequest, Message, Resident, Volunteer
from dispatch.settings import Settings
from dispatch.states import RequestStatus
from notifications.door_replies import DoorReplies
from notifications.offer_replies import OFFER_TEMPLATES, OfferReplies
from notifications.optout import set_opt_out
from notifications.outbound import Outgoing, queue_sms, segments_of, sms_language
from notifications.proposal_sms import ProposalReplies
from notifications.sms_dialogue import DialogueTurn
from notifications.understand import understand

#: At most this many "not understood" answers per phone per window: two automatic senders
#: answering each other would otherwise text forever.
NOT_UNDERSTOOD_LIMIT = 3
NOT_UNDERSTOOD_WINDOW = timedelta(hours=1)
CONVERSATION_TEMPLATES = (*OFFER_TEMPLATES, "done_choice", "time_proposal", "ask_kind",
                          "ask_hamlet", "ask_when", "when_past")  # fmt: skip


class InboundTurn(DialogueTurn, OfferReplies, ProposalReplies, DoorReplies):
    """One inbound message being handled; collects the replies it queues."""

    def __init__(self, session: Session, settings: Settings, row: Message, now: datetime):
        self.session, self.settings, self.row, self.now = session, settings, row, now
        self.phone = row.peer_phone
        self.replies: list[Message] = []
        self.commune_code: str | None = None
        self.lang = "vi"

    def _outgoing(self, template: str, values: dict[str, object], key: str = "") -> Outgoing:
        cause = f"in:{self.row.channel}:{self.row.provider_id}" + (f":{key}" if key else "")
        return Outgoing(
            phone=self.phone,
            template=template,
            values=values,
            cause=cause,
            lang=self.lang,
            commune_code=self.commune_code,
            channel=self.row.channel,
            request_id=self.row.request_id,
            assignment_id=self.row.assignment_id,
        )

    def reply(
        self, template: str, *, key: str = "", listed: list[int] | None = None, **values: object
    ) -> None:
        """Queue a reply in this step's transaction; ``key`` tells apart replies of one
        template to one message (one acknowledgement per visit accepted)."""
        if template == "not_understood" and self._confused_lately():
            return  # another automatic sender, or someone stuck: stop the ping-pong
        out = replace(self._outgoing(template, dict(values), key), listed=listed)
        self.replies.append(queue_sms(self.session, self.settings, out))

    def segments(self, template: str, values: dict[str, object]) -> int:
        """Segments a reply with these values would take."""
        return segments_of(self.session, self._outgoing(template, values))

    def _confused_lately(self) -> bool:
        since = self.now - NOT_UNDERSTOOD_WINDOW
        count = self.session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.peer_phone == self.phone,
                Message.template == "not_understood",
                Message.created_at >= since,
            )
        )
        return (count or 0) >= NOT_UNDERSTOOD_LIMIT

    def act(self) -> None:
        self.who()
        if self._door_outcomes():
            return  # a volunteer's door report ("3 X, 4 V, 5 H 16h")
        # Days are read as of when the message came, not when a retry handles it.
        heard = understand(self.session, self.row.body, self.row.created_at, self.commune_code)
        intent = heard.intent
        if intent == "stop":
            set_opt_out(self.session, self.phone, True, "keyword")
            self.reply("stop")
        elif intent == "start":
            set_opt_out(self.session, self.phone, False, "keyword")
            self.reply("start")
        elif intent == "help":
            self.reply("help")
        elif intent in ("accept", "decline"):
            self._answer(intent, heard.codes)
        elif intent == "done":
            self._done(heard.codes)
        elif intent == "cancel":
            self._cancel()
        else:
            self._dialogue(heard)

    def who(self) -> None:
        volunteer = self.session.scalar(select(Volunteer).where(Volunteer.phone == self.phone))
        resident = self.session.scalars(
            select(Resident).where(Resident.phone == self.phone).order_by(Resident.id.desc())
        ).first()
        if volunteer is not None:
            self.row.volunteer_id, self.commune_code = volunteer.id, volunteer.commune_code
            self.lang = sms_language(volunteer.languages)
        if resident is not None:
            self.row.resident_id = resident.id
            self.commune_code = self.commune_code or resident.commune_code
            self.lang = sms_language(resident.language) if volunteer is None else self.lang
        self.row.commune_code = self.commune_code

    def _last_conversation(self) -> Message | None:
        """The last offer or question we sent to this phone."""
        return self.session.scalars(
            select(Message)
            .where(
                Message.peer_phone == self.phone,
                Message.direction == Direction.OUTBOUND,
                Message.template.in_(CONVERSATION_TEMPLATES),
            )
            .order_by(Message.id.desc())
            .limit(1)
        ).first()

    def _answer(self, intent: str, codes: tuple[str, ...]) -> None:
        """A yes or no: to the time proposed to a resident, or to a volunteer's offers."""
        last = self._last_conversation()
        if last is not None and last.template == "time_proposal" and not codes:
            self._answer_proposal(last, accepted=intent == "accept")
        elif self.row.volunteer_id is not None:
            self._answer_offers(intent, codes)
        elif intent == "decline":
            self.reply("not_understood")
        # else "ok" / "dạ" after a confirmation is a thank-you: stay quiet

    def _cancel(self) -> None:
        """HUY: the request the last message to this phone was about, if still open."""
        last = self.session.scalars(
            select(Message)
            .where(
                Message.peer_phone == self.phone,
                Message.direction == Direction.OUTBOUND,
                Message.request_id.is_not(None),
                Message.volunteer_id.is_(None),
            )
            .order_by(Message.id.desc())
            .limit(1)
        ).first()
        request = self.session.get(HelpRequest, last.request_id) if last else None
        if request is None or request.status in (RequestStatus.DONE, RequestStatus.CANCELLED):
            self.reply("not_understood")
            return
        self.row.request_id = request.id
        actor = f"resident:{self.phone}"
        services.cancel(self.session, services.CancelRequest(request.id, actor, "HUY"), self.now)
        # The RequestCancelled handler confirms by SMS; nothing more to say here.
