"""A tiny commune for service tests: one hamlet, one team, three volunteers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import AuditLog, Commune, Event, Hamlet, Province, Team, Volunteer

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


@dataclass
class World:
    commune: Commune
    hamlet: Hamlet
    alice: Volunteer  # vneid, e_payment
    bao: Volunteer  # vneid, smartphone_basics, speaks Khmer
    chi: Volunteer  # opted out


def build_world(session: Session) -> World:
    province = Province(code="91", name="An Giang")
    commune = Commune(code="91999", province=province, name="Xã Thử", lat=9.70, lon=105.0)
    hamlet = Hamlet(code="91999-01", commune=commune, name="Ấp Một", lat=9.71, lon=105.01)
    session.add_all([province, commune, hamlet])
    session.flush()
    team = Team(commune_code=commune.code, hamlet_code=hamlet.code, name="Tổ Ấp Một")
    session.add(team)
    session.flush()

    def volunteer(phone: str, name: str, skills: list[str], **kw: object) -> Volunteer:
        v = Volunteer(
            phone=phone,
            name=name,
            team_id=team.id,
            commune_code=commune.code,
            home_lat=9.70,
            home_lon=105.0,
            skills=skills,
            **kw,
        )
        session.add(v)
        return v

    alice = volunteer("+84912000001", "Nguyễn Thị An", ["vneid", "e_payment"])
    bao = volunteer(
        "+84912000002", "Trần Văn Bảo", ["vneid", "smartphone_basics"], languages=["vi", "km"]
    )
    chi = volunteer("+84912000003", "Lê Thị Chi", ["vneid"], opted_out=True)
    session.commit()
    return World(commune, hamlet, alice, bao, chi)


@pytest.fixture
def world(db_session: Session) -> World:
    return build_world(db_session)


def event_types(session: Session) -> list[str]:
    return list(session.scalars(select(Event.type).order_by(Event.id)))


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
