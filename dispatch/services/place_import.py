"""Hamlets and teams from CSV: check every row (a dry run reports each bad row), then upsert.

The columns are those of the coordinator's CSV exports, so export → edit → import round-trips:
hamlets ``code, commune, name, lat, lon`` (upsert by code) and teams ``id, commune, hamlet, name``
(upsert by id; an empty id adds a team). Rows outside the caller's communes are bad rows, never
skipped silently. Problems are codes with parameters, so the web layer words them in the reader's
language; nothing is written unless every row is right.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.clock import as_utc
from dispatch.models import AuditLog, Hamlet, Team
from dispatch.services.unit_of_work import atomic

HAMLET_COLUMNS = ("code", "commune", "name", "lat", "lon")
TEAM_COLUMNS = ("id", "commune", "hamlet", "name")
HAMLET_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,23}")
# Every problem code the checks below can report (the web layer has a sentence for each).
PROBLEM_CODES = (
    "missing_columns",
    "empty",
    "too_long",
    "not_a_number",
    "out_of_range",
    "not_your_commune",
    "bad_code",
    "code_in_other_commune",
    "twice_in_file",
    "no_such_team",
    "no_such_hamlet",
    "name_taken",
)


@dataclass(frozen=True)
class Problem:
    column: str
    code: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Row:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def bad(self, column: str, code: str, **params: object) -> None:
        self.problems.append(Problem(column, code, {k: str(v) for k, v in params.items()}))


@dataclass
class PlaceImportReport:
    kind: str  # "hamlet" or "team"
    rows: list[Row]
    created: int = 0
    updated: int = 0
    applied: bool = False

    @property
    def errors(self) -> list[Row]:
        return [row for row in self.rows if row.problems]


def _records(
    text: str, columns: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]] | list[str]:
    """The rows as (line, stripped values), or the list of missing columns."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        return missing
    return (
        (line, {k.strip(): (v or "").strip() for k, v in data.items() if k})
        for line, data in enumerate(reader, start=2)
    )


def _missing(kind: str, missing: list[str]) -> PlaceImportReport:
    row = Row(1)
    row.bad("header", "missing_columns", columns=", ".join(missing))
    return PlaceImportReport(kind, [row])


def _name(row: Row, raw: str) -> None:
    if not raw:
        row.bad("name", "empty")
    elif len(raw) > 120:
        row.bad("name", "too_long", limit=120)
    row.values["name"] = raw


def _commune(row: Row, raw: str, communes: Collection[str]) -> None:
    if raw not in communes:
        row.bad("commune", "not_your_commune", value=raw)
    row.values["commune"] = raw


def _coordinate(row: Row, name: str, raw: str, low: float, high: float) -> None:
    try:
        value = float(raw)
    except ValueError:
        row.bad(name, "not_a_number", value=raw)
        return
    if not low <= value <= high:
        row.bad(name, "out_of_range", value=raw, low=low, high=high)
    row.values[name] = value


def parse_hamlets(session: Session, text: str, communes: Collection[str]) -> PlaceImportReport:
    records = _records(text, HAMLET_COLUMNS)
    if isinstance(records, list):
        return _missing("hamlet", records)
    # Every hamlet's commune, in one query (a province has a few thousand hamlets at most).
    communes_of = {
        code: commune for code, commune in session.execute(select(Hamlet.code, Hamlet.commune_code))
    }
    rows, seen = [], set()
    for line, data in records:
        row = Row(line)
        code = data.get("code", "")
        if not HAMLET_CODE.fullmatch(code):
            row.bad("code", "bad_code", value=code)
        row.values["code"] = code
        _commune(row, data.get("commune", ""), communes)
        _name(row, data.get("name", ""))
        _coordinate(row, "lat", data.get("lat", ""), 8.0, 24.0)
        _coordinate(row, "lon", data.get("lon", ""), 102.0, 110.0)
        owner = communes_of.get(code)
        if owner is not None and owner != row.values["commune"]:
            # Moving a hamlet between communes would move its requests too: not an import job.
            row.bad("code", "code_in_other_commune", value=code)
        if code in seen:
            row.bad("code", "twice_in_file", value=code)
        seen.add(code)
        rows.append(row)
    return PlaceImportReport("hamlet", rows)


def _team_row(
    row: Row,
    data: dict[str, str],
    communes: Collection[str],
    teams: dict[int, Team],
    hamlets: dict[str, str],
) -> None:
    raw_id = data.get("id", "")
    if raw_id:
        team = teams.get(int(raw_id)) if raw_id.isdigit() else None
        # Another commune's team reads as unknown: ids must not reveal other communes' data.
        if team is None:
            row.bad("id", "no_such_team", value=raw_id)
        else:
            row.values["id"] = team.id
    _commune(row, data.get("commune", ""), communes)
    if "id" in row.values and teams[row.values["id"]].commune_code != row.values["commune"]:
        row.bad("commune", "not_your_commune", value=row.values["commune"])
    hamlet = data.get("hamlet", "")
    if hamlet and hamlets.get(hamlet) != row.values["commune"]:
        row.bad("hamlet", "no_such_hamlet", value=hamlet, commune=row.values["commune"])
    row.values["hamlet"] = hamlet or None
    _name(row, data.get("name", ""))


def parse_teams(session: Session, text: str, communes: Collection[str]) -> PlaceImportReport:
    records = _records(text, TEAM_COLUMNS)
    if isinstance(records, list):
        return _missing("team", records)
    scope = list(communes)
    teams = {t.id: t for t in session.scalars(select(Team).where(Team.commune_code.in_(scope)))}
    hamlets = {
        h.code: h.commune_code
        for h in session.scalars(select(Hamlet).where(Hamlet.commune_code.in_(scope)))
    }
    rows: list[Row] = []
    for line, data in records:
        row = Row(line)
        _team_row(row, data, communes, teams, hamlets)
        if "id" in row.values and any(r.values.get("id") == row.values["id"] for r in rows):
            row.bad("id", "twice_in_file", value=row.values["id"])
        rows.append(row)
    _check_team_names(rows, teams)
    return PlaceImportReport("team", rows)


def _check_team_names(rows: list[Row], teams: dict[int, Team]) -> None:
    """Team names stay unique per commune (the volunteer import finds a team by its name)."""
    renamed = {row.values["id"] for row in rows if "id" in row.values}
    taken = {(t.commune_code, t.name): t.id for t in teams.values() if t.id not in renamed}
    for row in rows:
        key = (row.values["commune"], row.values["name"])
        if key in taken and taken[key] != row.values.get("id"):
            row.bad("name", "name_taken", value=row.values["name"])
        taken.setdefault(key, row.values.get("id", -row.line))


def _audit(session: Session, actor: str, kind: str, entity_id: str, **change: Any) -> None:
    session.add(
        AuditLog(
            at=change.pop("now"),
            actor=actor,
            action=f"{kind}.import",
            entity_type=kind,
            entity_id=entity_id,
            before=change["before"],
            after=change["after"],
            commune_code=change["after"]["commune"],
        )
    )


def _hamlet_fields(hamlet: Hamlet) -> dict[str, Any]:
    return {
        "commune": hamlet.commune_code,
        "name": hamlet.name,
        "lat": hamlet.lat,
        "lon": hamlet.lon,
    }


def _apply_hamlet(session: Session, values: dict[str, Any], actor: str, now: datetime) -> bool:
    hamlet = session.get(Hamlet, values["code"])
    before: dict[str, Any] | None = None
    if hamlet is None:
        hamlet = Hamlet(code=values["code"], commune_code=values["commune"])
        session.add(hamlet)
    else:
        before = _hamlet_fields(hamlet)
    hamlet.name, hamlet.lat, hamlet.lon = values["name"], values["lat"], values["lon"]
    after = _hamlet_fields(hamlet)
    _audit(session, actor, "hamlet", hamlet.code, before=before, after=after, now=now)
    return before is None


def _apply_team(session: Session, values: dict[str, Any], actor: str, now: datetime) -> bool:
    team = session.get(Team, values["id"]) if "id" in values else None
    before = None
    if team is None:
        team = Team(commune_code=values["commune"])
        session.add(team)
    else:
        before = {"commune": team.commune_code, "hamlet": team.hamlet_code, "name": team.name}
    team.hamlet_code, team.name = values["hamlet"], values["name"]
    session.flush()
    after = {"commune": team.commune_code, "hamlet": team.hamlet_code, "name": team.name}
    _audit(session, actor, "team", str(team.id), before=before, after=after, now=now)
    return before is None


def apply(
    session: Session, report: PlaceImportReport, actor: str, now: datetime
) -> PlaceImportReport:
    """Write every row in one transaction; refuses to run while any row is bad."""
    if report.errors:
        return report
    now = as_utc(now)
    write = _apply_hamlet if report.kind == "hamlet" else _apply_team
    with atomic(session):
        for row in report.rows:
            created = write(session, row.values, actor, now)
            report.created += created
            report.updated += not created
    report.applied = True
    return report
