"""The issue's story on the demo data, over HTTP and the real twilio SDK: a resident of Minh
Thuận B asks for VNeID help by SMS, two neighbours ask for other help, and the one volunteer
on duty gets all three offers from one plan run. The volunteer accepts exactly the one they
mean (by letter; or from a digest where the commune folds diacritics) and the resident who
asked gets their visit time; the other two residents are not told a time."""

from __future__ import annotations

import itertools
from datetime import time

from sqlalchemy import select, update

from dispatch import services
from dispatch.clock import utcnow
from dispatch.models import (
    Assignment,
    Commune,
    Hamlet,
    HelpRequest,
    Resident,
    Volunteer,
    VolunteerShift,
)
from dispatch.models.requests import AssignmentSource
from dispatch.services.unit_of_work import unit_of_work
from dispatch.states import RequestStatus
from notifications.templates import format_when
from tests.e2e.messaging.conftest import LiveSystem

_sids = itertools.count(1)
ASKS = (
    ("+84987111001", "Giúp tôi cài VNeID mức 2, ấp {hamlet}", "vneid"),
    ("+84987111002", "muon ban xoai tren facebook, ap {hamlet}", "online_selling"),
    ("+84987111003", "gia han the bhyt cho ba, ap {hamlet}", "health_insurance"),
)


def _sms(live: LiveSystem, sender: str, body: str) -> None:
    assert live.post_sms(sender, body, f"SM3o{next(_sids):08d}").status_code == 200


def _one_volunteer_on_duty(live: LiveSystem, commune: str, hamlet_name: str) -> Volunteer:
    """A quiet day: one volunteer of the commune on duty, every skill, 07:00-21:00; the demo's
    open requests there are cancelled by the coordinator, so the next plan is ours alone."""
    with live.runtime.sessions() as session:
        hamlet = session.scalars(
            select(Hamlet).where(Hamlet.commune_code == commune, Hamlet.name == hamlet_name)
        ).one()
        volunteer = session.scalars(
            select(Volunteer)
            .where(Volunteer.commune_code == commune, Volunteer.home_lat.is_not(None))
            .order_by(Volunteer.id)
        ).first()
        assert volunteer is not None
        session.execute(
            update(Volunteer)
            .where(Volunteer.commune_code == commune, Volunteer.id != volunteer.id)
            .values(active=False)
        )
        volunteer.skills = sorted({k for _, _, k in ASKS} | set(volunteer.skills))
        volunteer.max_visits_per_shift = 6
        volunteer.home_lat, volunteer.home_lon = hamlet.lat, hamlet.lon
        session.execute(
            update(VolunteerShift)
            .where(VolunteerShift.volunteer_id == volunteer.id)
            .values(start_local=time(7), end_local=time(21))
        )
        session.commit()
        waiting = session.scalars(
            select(HelpRequest.id).where(
                HelpRequest.commune_code == commune,
                HelpRequest.status.in_([RequestStatus.OPEN, RequestStatus.OFFERED]),
            )
        ).all()
        for request_id in waiting:
            with unit_of_work(session):
                services.cancel(
                    session, services.CancelRequest(request_id, "coordinator:demo"), utcnow()
                )
        session.refresh(volunteer)
        return volunteer


def _ask_three(live: LiveSystem, hamlet: str) -> list[int]:
    for phone, text, _kind in ASKS:
        _sms(live, phone, text.format(hamlet=hamlet))
    live.pump(wait_scheduled_s=3)
    with live.runtime.sessions() as session:
        rows = {
            r.kind: r.id
            for r in session.scalars(select(HelpRequest).join(Resident))
            if r.resident.phone in {p for p, _, _ in ASKS}
        }
    return [rows[kind] for _, _, kind in ASKS]


def _offers(live: LiveSystem, request_ids: list[int]) -> list[Assignment]:
    with live.runtime.sessions() as session:
        found = []
        for request_id in request_ids:
            found.append(
                session.scalars(
                    select(Assignment)
                    .where(Assignment.request_id == request_id)
                    .order_by(Assignment.id.desc())
                ).first()
            )
        return found


def _prepare(live: LiveSystem, commune: str, hamlet: str) -> tuple[Volunteer, list[Assignment]]:
    live.pump(wait_scheduled_s=3)  # the demo's own re-plans and their SMS
    volunteer = _one_volunteer_on_duty(live, commune, hamlet)
    live.pump(wait_scheduled_s=3)
    offers = _offers(live, _ask_three(live, hamlet))
    assert all(o is not None and o.status == "offered" for o in offers), offers
    assert {o.volunteer_id for o in offers} == {volunteer.id}
    assert len({o.plan_run_id for o in offers}) == 1 and offers[0].source == AssignmentSource.SOLVER
    return volunteer, offers


def _resident_told_time(live: LiveSystem, phone: str, offer: Assignment) -> bool:
    return any(b.startswith("Hẹn") or b.startswith("Hen") for b in live.sent_to(phone)) and any(
        format_when(offer.start_at, "vi") in b for b in live.sent_to(phone)
    )


def test_by_letter_the_volunteer_takes_the_vneid_visit_and_its_resident_gets_the_time(
    live_demo: LiveSystem,
) -> None:
    live = live_demo
    volunteer, (vneid, selling, insurance) = _prepare(live, "91501", "Minh Thuận B")
    sent = live.sent_to(volunteer.phone)
    # Diacritics: three offers do not fit two UCS-2 segments, so each came alone, with its letter.
    offers = [b for b in sent if b.startswith("Việc mới ")]
    assert len(offers) == 3
    vneid_sms = next(b for b in offers if "VNeID" in b)
    assert vneid_sms.startswith(f"Việc mới {vneid.letter}: VNeID, Minh Thuận B, ")
    assert f"Nhắn 1{vneid.letter} để nhận" in vneid_sms

    # The volunteer read the VNeID offer and answers "1": three wait, so the system asks.
    _sms(live, volunteer.phone, "1")
    live.pump()
    question = live.sent_to(volunteer.phone)[-1]
    assert question.startswith("Bạn có 3 việc chờ: ")
    assert all(f"{o.letter})" in question for o in (vneid, selling, insurance))
    assert [o.status for o in _offers(live, [vneid.request_id])] == ["offered"]

    _sms(live, volunteer.phone, f"1{vneid.letter}")
    live.pump(wait_scheduled_s=3)
    vneid_now, selling_now, insurance_now = _offers(
        live, [vneid.request_id, selling.request_id, insurance.request_id]
    )
    assert (vneid_now.status, selling_now.status, insurance_now.status) == (
        "accepted", "offered", "offered",
    )  # fmt: skip
    ack = live.sent_to(volunteer.phone)[-1]
    assert ack.startswith(f"Đã nhận {vneid.letter}: VNeID, Minh Thuận B, ")
    assert _resident_told_time(live, ASKS[0][0], vneid_now)
    assert not _resident_told_time(live, ASKS[1][0], selling_now)
    assert not _resident_told_time(live, ASKS[2][0], insurance_now)


def test_from_a_digest_the_volunteer_takes_the_one_meant_then_the_rest(
    live_demo: LiveSystem,
) -> None:
    live = live_demo
    with live.runtime.sessions() as session:
        assert session.get(Commune, "91503").fold_diacritics  # Vân Khánh folds: digests fit
    volunteer, (vneid, selling, insurance) = _prepare(live, "91503", "Kim Quy A")
    digests = [b for b in live.sent_to(volunteer.phone) if b.startswith("Viec moi: ")]
    assert len(digests) == 1
    digest = digests[0]
    for offer, label in ((vneid, "VNeID"), (selling, "ban online"), (insurance, "BHYT")):
        assert f"{offer.letter}) {label}, Kim Quy A, " in digest
    assert "Nhan 1 nhan het" in digest

    _sms(live, volunteer.phone, f"1{vneid.letter}")
    live.pump(wait_scheduled_s=3)
    statuses = [o.status for o in _offers(live, [vneid.request_id, selling.request_id,
                                                  insurance.request_id])]  # fmt: skip
    assert statuses == ["accepted", "offered", "offered"]
    vneid_now = _offers(live, [vneid.request_id])[0]
    assert _resident_told_time(live, ASKS[0][0], vneid_now)
    assert not any(b.startswith("Hen") for b in live.sent_to(ASKS[1][0]))

    # A bare "2" now answers the digest: it declines the two it listed that still wait.
    _sms(live, volunteer.phone, "2")
    live.pump(wait_scheduled_s=3)
    assert live.sent_to(volunteer.phone)[-1].startswith("Da ghi nhan ban tu choi 2 viec: ")
    assert _offers(live, [vneid.request_id])[0].status == "accepted"
