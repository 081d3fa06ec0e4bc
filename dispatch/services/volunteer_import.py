"""Volunteers from CSV: validate every row (a dry run reports each bad row), then upsert by phone.

Columns: phone, name, commune, team, home_lat, home_lon, skills, languages, max_visits_per_shift,
active. ``skills`` and ``languages`` are separated by spaces or semicolons. The phone normaliser
is passed in (the messaging area owns phone rules), so this module stays free of it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.catalogue import BY_KEY
from dispatch.clock import as_utc
from dispatch.models import AuditLog, Team, Volunteer
from dispatch.services.unit import transaction

COLUMNS = (
    "phone",
    "name",
    "commune",
    "team",
    "home_lat",
    "home_lon",
    "skills",
    "languages",
    "max_visits_per_shift",
    "active",
)
LANGUAGES = {"vi", "km", "en"}
TRUE = {"1", "true", "yes", "y", "có", "co", "x"}
FALSE = {"0", "false", "no", "n", "không", "khong", ""}


@dataclass
class ParsedRow:
    line: int
    values: dict[str, object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[ParsedRow]
    created: int = 0
    updated: int = 0
    applied: bool = False

    @property
    def errors(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.errors]


def _split(raw: str) -> list[str]:
    return [part for part in raw.replace(";", " ").split() if part]


def _float(row: ParsedRow, name: str, raw: str, low: float, high: float) -> None:
    try:
        value = float(raw)
    except ValueError:
        row.errors.append(f"{name}: not a number ({raw!r})")
        return
    if not low <= value <= high:
        row.errors.append(f"{name}: {value} is outside {low}..{high}")
    row.values[name] = value


def _check_row(
    row: ParsedRow,
    data: dict[str, str],
    communes: Collection[str],
    teams: dict[tuple[str, str], Team],
    normalise_phone: Callable[[str], str],
) -> None:
    try:
        row.values["phone"] = normalise_phone(data.get("phone", ""))
    except ValueError as error:
        row.errors.append(f"phone: {error}")
    name = data.get("name", "").strip()
    if not name:
        row.errors.append("name: empty")
    row.values["name"] = name
    commune = data.get("commune", "").strip()
    if commune not in communes:
        row.errors.append(f"commune: {commune!r} is unknown or not yours")
    row.values["commune"] = commune
    team = teams.get((commune, data.get("team", "").strip()))
    if team is None:
        row.errors.append(f"team: no team {data.get('team', '')!r} in commune {commune!r}")
    else:
        row.values["team_id"] = team.id
    _float(row, "home_lat", data.get("home_lat", ""), 8.0, 24.0)
    _float(row, "home_lon", data.get("home_lon", ""), 102.0, 110.0)
    skills = _split(data.get("skills", ""))
    unknown = [s for s in skills if s not in BY_KEY]
    if unknown:
        row.errors.append(f"skills: unknown {', '.join(unknown)}")
    row.values["skills"] = skills
    languages = _split(data.get("languages", "")) or ["vi"]
    if set(languages) - LANGUAGES:
        row.errors.append(f"languages: unknown {', '.join(sorted(set(languages) - LANGUAGES))}")
    row.values["languages"] = languages
    max_raw = data.get("max_visits_per_shift", "").strip() or "4"
    if not max_raw.isdigit() or not 1 <= int(max_raw) <= 20:
        row.errors.append(f"max_visits_per_shift: {max_raw!r} is not 1..20")
    else:
        row.values["max_visits_per_shift"] = int(max_raw)
    active = data.get("active", "1").strip().lower()
    if active not in TRUE | FALSE:
        row.errors.append(f"active: {active!r} is not yes/no")
    row.values["active"] = active in TRUE


def parse(
    session: Session,
    text: str,
    communes: Collection[str],
    normalise_phone: Callable[[str], str],
) -> ImportReport:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return ImportReport([ParsedRow(1, errors=[f"missing columns: {', '.join(missing)}"])])
    teams = {
        (t.commune_code, t.name): t
        for t in session.scalars(select(Team).where(Team.commune_code.in_(list(communes))))
    }
    rows, seen = [], set()
    for line, data in enumerate(reader, start=2):
        row = ParsedRow(line)
        _check_row(
            row,
            {k: (v or "").strip() for k, v in data.items() if k},
            communes,
            teams,
            normalise_phone,
        )
        phone = row.values.get("phone")
        if phone in seen:
            row.errors.append("phone: appears twice in the file")
        seen.add(phone)
        rows.append(row)
    return ImportReport(rows)


def apply(session: Session, report: ImportReport, actor: str, now: datetime) -> ImportReport:
    """Upsert every row by phone; refuses to run when any row is bad (fix the file first)."""
    if report.errors:
        return report
    now = as_utc(now)
    with transaction(session):
        for row in report.rows:
            values = row.values
            volunteer = session.scalar(select(Volunteer).where(Volunteer.phone == values["phone"]))
            if volunteer is not None and volunteer.commune_code != values["commune"]:
                # Moving someone between communes is done by an admin on the edit page.
                raise ValueError(f"line {row.line}: phone belongs to another commune")
            created = volunteer is None
            if volunteer is None:
                volunteer = Volunteer(phone=str(values["phone"]), created_at=now)
                session.add(volunteer)
            volunteer.name = str(values["name"])
            volunteer.commune_code = str(values["commune"])
            volunteer.team_id = int(str(values["team_id"]))
            volunteer.home_lat = float(str(values["home_lat"]))
            volunteer.home_lon = float(str(values["home_lon"]))
            volunteer.skills = list(values["skills"])  # type: ignore[call-overload]
            volunteer.languages = list(values["languages"])  # type: ignore[call-overload]
            volunteer.max_visits_per_shift = int(str(values["max_visits_per_shift"]))
            volunteer.active = bool(values["active"])
            volunteer.updated_at = now
            session.flush()
            report.created += created
            report.updated += not created
            session.add(
                AuditLog(
                    at=now,
                    actor=actor,
                    action="volunteer.import",
                    entity_type="volunteer",
                    entity_id=str(volunteer.id),
                    before=None,
                    after={"phone": volunteer.phone, "name": volunteer.name},
                    commune_code=volunteer.commune_code,
                )
            )
    report.applied = True
    return report


def export(volunteers: list[Volunteer]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for v in volunteers:
        writer.writerow(
            [
                v.phone,
                v.name,
                v.commune_code,
                v.team.name,
                f"{v.home_lat:.6f}",
                f"{v.home_lon:.6f}",
                " ".join(v.skills),
                " ".join(v.languages),
                v.max_visits_per_shift,
                "1" if v.active else "0",
            ]
        )
    return out.getvalue()
