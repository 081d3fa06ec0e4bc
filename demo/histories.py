"""Demo request histories, told through the real services so every row, event and audit entry
is what the system itself would have written. Every request status appears in every commune.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo.people import mobile_number, vietnamese_name
from dispatch.catalogue import get_kind
from dispatch.clock import local_to_utc, to_local
from dispatch.models import Commune, HelpRequest, Role, User, Volunteer
from dispatch.models.requests import RequestChannel, VisitOutcome
from dispatch.services import (
    AcceptOffer,
    CancelRequest,
    CompleteVisit,
    DeclineOffer,
    ExpireOffer,
    OfferAssignment,
    ReassignRequest,
    StartVisit,
    SubmitRequest,
    TimeWindow,
    accept,
    cancel,
    complete,
    decline,
    expire,
    offer,
    reassign,
    start,
    submit,
)

OFFER_TTL = timedelta(hours=2)

TEXTS = {
    "vneid": "Nhờ cài VNeID mức 2 giúp tôi",
    "public_services": "Muốn nộp hồ sơ dịch vụ công trên mạng",
    "civil_registration": "Làm giấy khai sinh cho cháu trên mạng",
    "e_payment": "Chỉ giùm cách đóng tiền điện bằng điện thoại",
    "online_selling": "Muốn bán mắm, khô trên Facebook",
    "health_insurance": "Cài VssID xem bảo hiểm y tế",
    "cyber_safety": "Có người gọi nói trúng thưởng, sợ bị lừa",
    "smartphone_basics": "Mới mua điện thoại, chưa biết xài Zalo",
}


class _Story:
    """One commune's requests; ``at(day_offset, hh, mm)`` is a local time as UTC."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        commune: Commune,
        now: datetime,
        phones: set[str],
    ) -> None:
        self.session, self.rng, self.commune, self.now = session, rng, commune, now
        self.today: date = to_local(now).date()
        self.phones = phones
        self.volunteers = list(
            session.scalars(select(Volunteer).where(Volunteer.commune_code == commune.code))
        )
        self.coordinator = "coordinator:" + _login(commune)
        self.kind_index = 0

    def at(self, days: int, hour: int, minute: int = 0) -> datetime:
        return local_to_utc(self.today + timedelta(days=days), time(hour, minute))

    def submit(
        self,
        when: datetime,
        *,
        khmer: bool = False,
        household_of: HelpRequest | None = None,
        **kw: object,
    ) -> HelpRequest:
        kinds = [k for k in TEXTS if not khmer or k in ("vneid", "smartphone_basics")]
        kind = kinds[self.kind_index % len(kinds)]
        self.kind_index += 1
        hamlet = self.rng.choice(self.commune.hamlets)
        phone = mobile_number(self.rng, self.phones)
        if household_of is not None:  # one phone serves the household
            phone = household_of.resident.phone
            hamlet = household_of.resident.hamlet or hamlet
        cmd = SubmitRequest(
            phone=phone,
            kind=kind,
            commune_code=self.commune.code,
            hamlet_code=hamlet.code,
            channel=self.rng.choice((RequestChannel.SMS, RequestChannel.SMS, RequestChannel.WEB)),
            text=TEXTS[kind],
            name=vietnamese_name(self.rng, khmer=khmer),
            language="km" if khmer else "vi",
            lat=round(hamlet.lat + self.rng.uniform(-0.01, 0.01), 6),
            lon=round(hamlet.lon + self.rng.uniform(-0.01, 0.01), 6),
            priority=3 if self.rng.random() < 0.2 else 1,
            **kw,  # type: ignore[arg-type]
        )
        return submit(self.session, cmd, when).request

    def volunteer_for(self, req: HelpRequest) -> Volunteer:
        able = [v for v in self.volunteers if req.required_skills() <= v.planning_skills()]
        near = [v for v in able if v.team.hamlet_code == req.hamlet_code]
        return self.rng.choice(near or able)

    def offer(self, req: HelpRequest, when: datetime, visit: datetime) -> int:
        minutes = get_kind(req.kind).minutes
        cmd = OfferAssignment(
            request_id=req.id,
            volunteer_id=self.volunteer_for(req).id,
            start_at=visit,
            end_at=visit + timedelta(minutes=minutes),
            expires_at=when + OFFER_TTL,
        )
        return offer(self.session, cmd, when).id

    def volunteer_actor(self, assignment_id: int) -> str:
        from dispatch.models import Assignment

        a = self.session.get(Assignment, assignment_id)
        assert a is not None
        return f"volunteer:{a.volunteer.phone}"


def _login(commune: Commune) -> str:
    """The commune's demo coordinator, who is the actor of the history's overrides."""
    session = Session.object_session(commune)
    assert session is not None
    login = session.scalar(
        select(User.username)
        .where(User.role == Role.COORDINATOR, User.communes.any(Commune.code == commune.code))
        .order_by(User.username)
    )
    assert login is not None, f"demo commune {commune.code} has no coordinator"
    return login


def _done(s: _Story, absent: bool = False) -> None:
    req = s.submit(s.at(-3, 8, 10))
    a = s.offer(req, s.at(-3, 8, 15), s.at(-2, 9))
    who = s.volunteer_actor(a)
    accept(s.session, AcceptOffer(a, who), s.at(-3, 9, 0))
    start(s.session, StartVisit(a, who), s.at(-2, 9, 5))
    outcome = VisitOutcome.RESIDENT_ABSENT if absent else VisitOutcome.RESOLVED
    note = "Nhà đóng cửa, gọi không được" if absent else "Đã xong, bà con tự làm được"
    complete(s.session, CompleteVisit(a, outcome, who, note=note), s.at(-2, 9, 50))


def _cancelled(s: _Story) -> None:
    req = s.submit(s.at(-2, 10, 0))
    s.offer(req, s.at(-2, 10, 5), s.at(-1, 15))
    reason = "Con về nhà làm giúp rồi"
    cancel(s.session, CancelRequest(req.id, f"resident:{req.resident.phone}", reason), s.at(-2, 18))


def _declined(s: _Story) -> None:
    req = s.submit(s.at(-1, 9, 0))
    a = s.offer(req, s.at(-1, 9, 5), s.at(0, 8, 30))
    decline(s.session, DeclineOffer(a, s.volunteer_actor(a), "Bận việc nhà"), s.at(-1, 9, 40))


def _expired(s: _Story) -> None:
    req = s.submit(s.at(-1, 14, 0))
    a = s.offer(req, s.at(-1, 14, 5), s.at(0, 16))
    expire(s.session, ExpireOffer(a), s.at(-1, 16, 5))


def _open(s: _Story) -> None:
    tomorrow = TimeWindow(s.at(1, 8), s.at(1, 11))
    evening = TimeWindow(s.at(1, 17), s.at(1, 20))
    first = s.submit(s.now - timedelta(minutes=40), preferred_windows=(tomorrow, evening))
    s.submit(s.now - timedelta(minutes=35), household_of=first)
    # In U Minh Thượng nobody speaks Khmer: the planner must say so, not hide it.
    s.submit(s.now - timedelta(hours=2), khmer=True)


def _offered(s: _Story) -> None:
    req = s.submit(s.now - timedelta(hours=1))
    s.offer(req, s.now - timedelta(minutes=50), s.at(1, 14))


def _scheduled(s: _Story) -> None:
    req = s.submit(s.at(-1, 8, 0))
    a = s.offer(req, s.at(-1, 8, 5), s.at(1, 9))
    accept(s.session, AcceptOffer(a, s.volunteer_actor(a)), s.at(-1, 8, 40))


def _in_progress(s: _Story) -> None:
    req = s.submit(s.at(-1, 11, 0))
    visit = s.now - timedelta(minutes=20)
    a = s.offer(req, s.at(-1, 11, 5), visit)
    who = s.volunteer_actor(a)
    accept(s.session, AcceptOffer(a, who), s.at(-1, 11, 30))
    start(s.session, StartVisit(a, who), visit)


def _locked_by_coordinator(s: _Story) -> None:
    req = s.submit(s.at(-1, 15, 0))
    volunteer = s.volunteer_for(req)
    cmd = ReassignRequest(
        request_id=req.id,
        volunteer_id=volunteer.id,
        start_at=s.at(2, 10),
        actor=s.coordinator,
        reason="Bà con hẹn trước qua điện thoại",
        confirmed=True,
    )
    reassign(s.session, cmd, s.at(-1, 15, 30))


STORIES: tuple[Callable[[_Story], None], ...] = (
    _done,
    lambda s: _done(s, absent=True),
    _cancelled,
    _declined,
    _expired,
    _open,
    _offered,
    _scheduled,
    _in_progress,
    _locked_by_coordinator,
    _done,
)


def load_request_histories(
    session: Session, rng: random.Random, now: datetime, phones: set[str]
) -> None:
    for commune in session.scalars(select(Commune).order_by(Commune.code)).all():
        story = _Story(session, rng, commune, now, phones)
        for tell in STORIES:
            tell(story)
