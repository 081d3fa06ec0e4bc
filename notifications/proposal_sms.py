"""The nearest time offered to a resident nobody can visit when they asked: the SMS that puts
it to them, and their yes ("1", "có", "ok") or no ("2", "không") in answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import services
from dispatch.models import Message, ProposalStatus, TimeProposal
from dispatch.services.windows import windows_from_json
from dispatch.states import RequestStatus
from notifications.handlers import run_handler
from notifications.offer_texts import wished_text
from notifications.outbound import Outgoing, sms_language
from notifications.recipients import to_resident

TEMPLATE = "time_proposal"


def _wished(proposal: TimeProposal, lang: str) -> str:
    windows = windows_from_json(proposal.wished)
    return wished_text([(w.start, w.end) for w in windows], lang)


def time_proposed(event_id: int) -> None:
    def build(session: Session, event: Any, cause: str) -> list[Outgoing]:
        proposal = session.get(TimeProposal, event.proposal_id)
        if proposal is None or proposal.status != ProposalStatus.ASKED:
            return []
        request = proposal.request
        if request.status is not RequestStatus.OPEN:
            return []  # served meanwhile in its own windows: nothing to ask
        wished = _wished(proposal, sms_language(request.language))
        return [to_resident(request, TEMPLATE, cause, wished=wished, when=proposal.start_at)]

    run_handler(event_id, build)


class ProposalReplies:
    """Mixed into the inbound turn, which provides these and ``reply``."""

    session: Session
    row: Message
    now: datetime
    phone: str
    lang: str
    reply: Callable[..., None]

    def _answer_proposal(self, asked: Message, accepted: bool) -> None:
        proposal = self.session.scalars(
            select(TimeProposal)
            .where(
                TimeProposal.request_id == asked.request_id,
                TimeProposal.status == ProposalStatus.ASKED,
            )
            .order_by(TimeProposal.id.desc())
            .limit(1)
        ).first()
        if proposal is None:
            return  # answered already (a repeated "1"): nothing more to say
        self.row.request_id = proposal.request_id
        actor = f"resident:{self.phone}"
        command = services.AnswerTimeProposal(proposal.id, accepted, actor)
        services.answer_time_proposal(self.session, command, self.now)
        if accepted:
            self.reply("proposal_accepted_ack", when=proposal.start_at)
        else:
            self.reply("proposal_refused_ack", wished=_wished(proposal, self.lang))
