"""Volunteers from CSV: validate every row (a dry run reports each bad row), then upsert by phone.

Columns: phone, name, commune, team, home_lat, home_lon, skills, languages, max_visits_per_shift,
active. ``skills`` and ``languages`` are separated by spaces or semicolons. The phone normaliser
is passed in (the messaging area owns phone rules), so this module stays free of it; when it
raises a ValueError with a ``reason`` code, that code is kept. Problems are codes with parameters
(``place_import.Problem``), so the web layer words them in the reader's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.catalogue import BY_KEY
from dispatch.clock import as_utc
from dispatch.models import AuditLog, Team, Volunteer
from dispatch.services.place_import import Row
from dispatch.services.unit_of_work import atomic

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
# Every problem code the checks below can report (the web layer has a sentence for each).
PROBLEM_CODES = (
    "missing_columns",
    "bad_phone",
    "twice_in_file",
    "empty",
    "not_your_commune",
    "no_team_in_commune",
    "not_a_number",
    "out_of_range",
    "unknown_skills",
    "unknown_languages",
    "bad_max_visits",
    "bad_active",
)


class PhoneOfOtherCommune(ValueError):
    """A row's phone is a volunteer of another commune (an admin moves people on the edit page)."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: phone belongs to another commune")
        self.line = line


@dataclass
class ImportReport:
    rows: list[Row]
    created: int = 0
    updated: int = 0
    applied: bool = False

    @property
    def errors(self) -> list[Row]:
        return [row for row in self.rows if row.problems]


def _split(raw: str) -> list[str]:
    return [part for part in raw.replace(";", " ").split() if part]


def _float(row: Row, name: str, raw: str, low: float, high: float) -> None:
    try:
        value = float(raw)
    except ValueError:
        row.bad(name, "not_a_number", value=raw)
        return
    if not low <= value <= high:
        row.bad(name, "out_of_range", value=raw, low=low, high=high)
    row.values[name] = value


def _check_row(
    row: Row,
    data: dict[str, str],
    communes: Collection[str],
    teams: dict[tuple[str, str], Team],
    normalise_phone: Callable[[str], str],
) -> None:
    raw_phone = data.get("phone", "")
    try:
        row.values["phone"] = normalise_phone(raw_phone)
    except ValueError as error:
        # The phone rules' own reason code (old mobile prefix, landline...), so the
        # coordinator learns how to fix the number.
        row.bad("phone", "bad_phone", value=raw_phone, reason=getattr(error, "reason", "invalid"))
    name = data.get("name", "").strip()
    if not name:
        row.bad("name", "empty")
    row.values["name"] = name
    commune = data.get("commune", "").strip()
    if commune not in communes:
        row.bad("commune", "not_your_commune", value=commune)
    row.values["commune"] = commune
    team_name = data.get("team", "").strip()
    team = teams.get((commune, team_name))
    if team is None:
        row.bad("team", "no_team_in_commune", value=team_name, commune=commune)
    else:
        row.values["team_id"] = team.id
    _float(row, "home_lat", data.get("home_lat", ""), 8.0, 24.0)
    _float(row, "home_lon", data.get("home_lon", ""), 102.0, 110.0)
    skills = _split(data.get("skills", ""))
    unknown = [s for s in skills if s not in BY_KEY]
    if unknown:
        row.bad("skills", "unknown_skills", values=", ".join(unknown))
    row.values["skills"] = skills
    languages = _split(data.get("languages", "")) or ["vi"]
    if set(languages) - LANGUAGES:
        unknown_languages = ", ".join(sorted(set(languages) - LANGUAGES))
        row.bad("languages", "unknown_languages", values=unknown_languages)
    row.values["languages"] = languages
    max_raw = data.get("max_visits_per_shift", "").strip() or "4"
    if not max_raw.isdigit() or not 1 <= int(max_raw) <= 20:
        row.bad("max_visits_per_shift", "bad_max_visits", value=max_raw, low=1, high=20)
    else:
        row.values["max_visits_per_shift"] = int(max_raw)
    active = data.get("active", "1").strip().lower()
    if active not in TRUE | FALSE:
        row.bad("active", "bad_active", value=active)
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
        header = Row(1)
        header.bad("header", "missing_columns", columns=", ".join(missing))
        return ImportReport([header])
    teams = {
        (t.commune_code, t.name): t
        for t in session.scalars(select(Team).where(Team.commune_code.in_(list(communes))))
    }
    rows, seen = [], set()
    for line, data in enumerate(reader, start=2):
        row = Row(line)
        _check_row(
            row,
            {k: (v or "").strip() for k, v in data.items() if k},
            communes,
            teams,
            normalise_phone,
        )
        phone = row.values.get("phone")
        if phone is not None and phone in seen:
            row.bad("phone", "twice_in_file", value=phone)
        seen.add(phone)
        rows.append(row)
    return ImportReport(rows)


def apply(session: Session, report: ImportReport, actor: str, now: datetime) -> ImportReport:
    """Upsert every row by phone; refuses to run when any row is bad (fix the file first)."""
    if report.errors:
        return report
    now = as_utc(now)
    with atomic(session):
        for row in report.rows:
            values = row.values
            volunteer = session.scalar(select(Volunteer).where(Volunteer.phone == values["phone"]))
            if volunteer is not None and volunteer.commune_code != values["commune"]:
                # Moving someone between communes is done by an admin on the edit page.
                raise PhoneOfOtherCommune(row.line)
            created = volunteer is None
            if volunteer is None:
                volunteer = Volunteer(phone=str(values["phone"]), created_at=now)
                session.add(volunteer)
            volunteer.name = str(values["name"])
            volunteer.commune_code = str(values["commune"])
            volunteer.team_id = int(str(values["team_id"]))
            volunteer.home_lat = float(str(values["home_lat"]))
            volunteer.home_lon = float(str(values["home_lon"]))
            volunteer.skills = list(values["skills"])
            volunteer.languages = list(values["languages"])
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
