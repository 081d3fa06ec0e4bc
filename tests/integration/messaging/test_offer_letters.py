"""A volunteer with several offers answers exactly the ones meant: by letter, or by a digest of
one plan run's offers; XONG with several visits asks which. Real database, real RQ."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select, update

from dispatch import services
from dispatch.clock import utcnow
from dispatch.models import Assignment, Commune, Event, Message, PlanRun
from dispatch.runtime import Runtime
from dispatch.services.unit_of_work import unit_of_work
from notifications.channels import InMemoryChannel
from notifications.offer_batches import offers_made
from notifications.segments import count_segments
from tests.fixtures.web import WebWorld
from tests.integration.messaging.test_inbound import text

Pump = Callable[..., int]
_phones = itertools.count(100)


def _batch(runtime: Runtime, world: WebWorld, kinds: list[str], *, days: int = 1) -> list[int]:
    """One plan run offering a request of each kind to volunteer A, an hour apart."""
    base = (utcnow() + timedelta(days=days)).replace(microsecond=0)
    with runtime.sessions() as session:
        run = PlanRun(commune_code="UMT", started_at=utcnow())
        session.add(run)
        session.commit()
        changes = []
        for hour, kind in enumerate(kinds):
            command = services.SubmitRequest(
                phone=f"+8498700{next(_phones):04d}", kind=kind, commune_code="UMT",
                hamlet_code="UMT-01", channel="sms",
            )  # fmt: skip
            with unit_of_work(session):
                request = services.submit(session, command, utcnow()).request
            start = base + timedelta(hours=hour)
            changes.append(
                services.NewOffer(
                    request.id, world.volunteer_a, start, start + timedelta(minutes=45)
                )
            )
        plan = services.ApplyPlan("UMT", changes, timedelta(hours=2), plan_run_id=run.id)
        with unit_of_work(session):
            return services.apply_plan_changes(session, plan, utcnow()).offered


def _fold(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        session.execute(update(Commune).where(Commune.code == "UMT").values(fold_diacritics=True))
        session.commit()


def _statuses(runtime: Runtime, ids: list[int]) -> list[str]:
    with runtime.sessions() as session:
        return [str(session.get(Assignment, i).status) for i in ids]  # type: ignore[union-attr]


def _residents(runtime: Runtime, ids: list[int]) -> list[str]:
    with runtime.sessions() as session:
        return [session.get(Assignment, i).request.resident.phone for i in ids]  # type: ignore[union-attr]


def test_two_offers_of_one_run_come_as_one_digest_and_1_accepts_both(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    ids = _batch(runtime, world, ["vneid", "health_insurance"])
    pump()
    [digest] = channel.to(world.volunteer_a_phone)
    assert digest.body.startswith("Việc mới: A) VNeID, Minh Thuận A, ")
    assert (
        "; B) BHYT, Minh Thuận A, " in digest.body
        and "Nhắn 1 nhận hết, 1A chỉ nhận A" in digest.body
    )
    assert count_segments(digest.body).segments <= 2
    assert text(runtime, world.volunteer_a_phone, "1") == ["accept_ack", "accept_ack"]
    pump()
    assert _statuses(runtime, ids) == ["accepted", "accepted"]
    acks = [m.body for m in channel.to(world.volunteer_a_phone)[1:]]
    assert sorted(a[:9] for a in acks) == ["Đã nhận A", "Đã nhận B"]
    for resident in _residents(runtime, ids):
        assert channel.to(resident)[-1].body.startswith("Hẹn")


def test_1a_on_a_digest_takes_a_only_and_a_later_1_takes_the_rest_it_listed(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    _fold(runtime)  # three offers fit a folded digest
    ids = _batch(runtime, world, ["vneid", "e_payment", "online_selling"])
    pump()
    [digest] = channel.to(world.volunteer_a_phone)
    assert digest.body.startswith("Viec moi: A) VNeID") and "C) ban online" in digest.body
    assert text(runtime, world.volunteer_a_phone, "1a") == ["accept_ack"]
    assert _statuses(runtime, ids) == ["accepted", "offered", "offered"]
    assert text(runtime, world.volunteer_a_phone, "2") == ["decline_all_ack"]
    pump()
    assert _statuses(runtime, ids) == ["accepted", "declined", "declined"]
    assert channel.to(world.volunteer_a_phone)[-1].body.startswith(
        "Da ghi nhan ban tu choi 2 viec: B, C"
    )


def test_three_offers_that_do_not_fit_go_one_by_one_and_1b_takes_b(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    ids = _batch(runtime, world, ["online_selling", "vneid", "health_insurance"])
    pump()
    offers = [m.body for m in channel.to(world.volunteer_a_phone)]
    assert [o[:11] for o in offers] == ["Việc mới A:", "Việc mới B:", "Việc mới C:"]
    assert "bán hàng online" in offers[0] and "VNeID" in offers[1] and "BHYT" in offers[2]
    # The volunteer read B (VNeID) and answers "1": three wait, so which one?
    assert text(runtime, world.volunteer_a_phone, "1") == ["offer_choice"]
    pump()
    question = channel.to(world.volunteer_a_phone)[-1]
    assert (
        question.body.startswith("Bạn có 3 việc chờ: A) bán online")
        and count_segments(question.body).segments <= 2
    )
    assert text(runtime, world.volunteer_a_phone, "1B") == ["accept_ack"]
    pump()
    assert _statuses(runtime, ids) == ["offered", "accepted", "offered"]
    assert channel.to(world.volunteer_a_phone)[-1].body.startswith("Đã nhận B: VNeID")
    vneid_resident = _residents(runtime, ids)[1]
    assert channel.to(vneid_resident)[-1].body.startswith("Hẹn")
    others = [r for i, r in enumerate(_residents(runtime, ids)) if i != 1]
    assert all(not channel.to(r)[-1].body.startswith("Hẹn") for r in others)


def test_the_batch_handler_run_twice_sends_nothing_twice(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    _batch(runtime, world, ["vneid", "e_payment"])
    pump()
    with runtime.sessions() as session:
        event_id = session.scalars(select(Event.id).where(Event.type == "offers.made")).one()
    offers_made(event_id)  # a retried job
    pump()
    assert len(channel.to(world.volunteer_a_phone)) == 1
    with runtime.sessions() as session:
        count = session.scalar(
            select(func.count()).select_from(Message).where(Message.template == "offer_digest")
        )
        assert count == 1


def test_xong_with_two_visits_under_way_asks_which(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    ids = _batch(runtime, world, ["vneid", "e_payment"], days=0)
    pump()
    assert text(runtime, world.volunteer_a_phone, "1") == ["accept_ack", "accept_ack"]
    assert text(runtime, world.volunteer_a_phone, "XONG") == ["done_choice"]
    pump()
    assert channel.to(world.volunteer_a_phone)[-1].body.startswith("Việc nào đã xong? A) VNeID")
    assert text(runtime, world.volunteer_a_phone, "XONG B") == ["done_ack"]
    assert _statuses(runtime, ids) == ["accepted", "done"]
    assert text(runtime, world.volunteer_a_phone, "xong") == ["done_ack"]  # one left: that one
    assert _statuses(runtime, ids) == ["done", "done"]
    pump()
    assert channel.to(world.volunteer_a_phone)[-1].body.startswith("Đã ghi nhận hoàn thành việc A")
