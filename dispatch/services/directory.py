"""Coordinator edits of the directory: a volunteer's profile and a hamlet's name and place.

Each edit is one transaction with an audit row; the caller has already checked the commune
scope and the values' shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dispatch.clock import as_utc
from dispatch.models import AuditLog, Hamlet, Team, Volunteer
from dispatch.services.errors import InvalidCommand, NotFound
from dispatch.services.unit_of_work import atomic


@dataclass(frozen=True)
class EditVolunteer:
    volunteer_id: int
    name: str
    team_id: int
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    max_visits_per_shift: int
    active: bool
    actor: str


@dataclass(frozen=True)
class EditHamlet:
    code: str
    name: str
    lat: float
    lon: float
    actor: str


def _audit(
    session: Session,
    actor: str,
    action: str,
    entity: tuple[str, str],
    before: dict[str, Any],
    after: dict[str, Any],
    commune: str,
    now: datetime,
) -> None:
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            action=action,
            entity_type=entity[0],
            entity_id=entity[1],
            before=before,
            after=after,
            commune_code=commune,
        )
    )


def edit_volunteer(session: Session, cmd: EditVolunteer, now: datetime) -> Volunteer:
    now = as_utc(now)
    with atomic(session):
        volunteer = session.get(Volunteer, cmd.volunteer_id)
        if volunteer is None:
            raise NotFound("volunteer", cmd.volunteer_id)
        team = session.get(Team, cmd.team_id)
        if team is None or team.commune_code != volunteer.commune_code:
            raise InvalidCommand("the team must belong to the volunteer's commune")
        fields = ("name", "team_id", "skills", "languages", "max_visits_per_shift", "active")
        before = {name: getattr(volunteer, name) for name in fields}
        volunteer.name = cmd.name
        volunteer.team_id = cmd.team_id
        volunteer.skills = list(cmd.skills)
        volunteer.languages = list(cmd.languages)
        volunteer.max_visits_per_shift = cmd.max_visits_per_shift
        volunteer.active = cmd.active
        volunteer.updated_at = now
        after = {name: getattr(volunteer, name) for name in fields}
        entity = ("volunteer", str(volunteer.id))
        _audit(session, cmd.actor, "volunteer.edit", entity, before, after, team.commune_code, now)
    return volunteer


def edit_hamlet(session: Session, cmd: EditHamlet, now: datetime) -> Hamlet:
    now = as_utc(now)
    with atomic(session):
        hamlet = session.get(Hamlet, cmd.code)
        if hamlet is None:
            raise NotFound("hamlet", cmd.code)
        before = {"name": hamlet.name, "lat": hamlet.lat, "lon": hamlet.lon}
        hamlet.name, hamlet.lat, hamlet.lon = cmd.name, cmd.lat, cmd.lon
        after = {"name": hamlet.name, "lat": hamlet.lat, "lon": hamlet.lon}
        entity = ("hamlet", hamlet.code)
        _audit(session, cmd.actor, "hamlet.edit", entity, before, after, hamlet.commune_code, now)
    return hamlet


@dataclass(frozen=True)
class RenameTeam:
    team_id: int
    name: str
    actor: str


def rename_team(session: Session, cmd: RenameTeam, now: datetime) -> Team:
    now = as_utc(now)
    if not cmd.name.strip():
        raise InvalidCommand("a team needs a name")
    with atomic(session):
        team = session.get(Team, cmd.team_id)
        if team is None:
            raise NotFound("team", cmd.team_id)
        before = {"name": team.name}
        team.name = cmd.name.strip()
        entity = ("team", str(team.id))
        _audit(
            session,
            cmd.actor,
            "team.edit",
            entity,
            before,
            {"name": team.name},
            team.commune_code,
            now,
        )
    return team
