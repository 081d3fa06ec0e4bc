"""Households from CSV or .xlsx: check every row (a dry run names each bad row), then upsert by
(commune, household code) so a re-import updates and never duplicates.

Columns: code, commune, hamlet, address, head, phone, lat, lon, at_home, needs, members.
``phone``, ``lat``/``lon`` (both or neither: the household then stands at its hamlet's centre,
flagged), ``at_home`` (any, farmer, evening; empty = any), ``needs`` (no_smartphone, elderly,
disabled, khmer; Vietnamese words too) and ``members`` are optional. ``members`` lists
"name year" separated by ";", a trailing "*" marking the digital-core member:
"Nguyễn Văn Ba 1948; Lê Thị Tư 1990 *". The members of a re-imported household are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.clock import as_utc
from dispatch.models import AtHome, AuditLog, Hamlet, Household, HouseholdMember
from dispatch.services.place_import import Row
from dispatch.services.tables import TableError, read_table
from dispatch.services.unit_of_work import atomic
from dispatch.services.volunteer_import import ImportReport

COLUMNS = ("code", "commune", "hamlet", "address", "head", "phone", "lat", "lon", "at_home",
           "needs", "members")  # fmt: skip
REQUIRED = ("code", "commune", "hamlet", "address", "head")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,31}")
MEMBER = re.compile(r"^(?P<name>.+?)\s+(?P<year>\d{4})\s*(?P<core>\*)?$")
# Needs as written in registers, with and without diacritics.
NEEDS = {
    "no_smartphone": "no_smartphone", "khong_smartphone": "no_smartphone",
    "không_smartphone": "no_smartphone", "elderly": "elderly", "cao_tuoi": "elderly",
    "cao_tuổi": "elderly", "disabled": "disabled", "khuyet_tat": "disabled",
    "khuyết_tật": "disabled", "khmer": "khmer_speaking", "khmer_speaking": "khmer_speaking",
}  # fmt: skip
AT_HOME = {"": AtHome.ANY, "any": AtHome.ANY, "farmer": AtHome.FARMER, "nong_dan": AtHome.FARMER,
           "nông_dân": AtHome.FARMER, "evening": AtHome.EVENING, "toi": AtHome.EVENING,
           "tối": AtHome.EVENING}  # fmt: skip
PROBLEM_CODES = ("missing_columns", "unreadable", "empty", "bad_code", "twice_in_file",
                 "not_your_commune", "no_such_hamlet", "bad_phone", "not_a_number",
                 "out_of_range", "half_location", "unknown_needs", "bad_at_home",
                 "bad_member", "too_long")  # fmt: skip


def _location(row: Row, data: dict[str, str]) -> None:
    raw_lat, raw_lon = data.get("lat", ""), data.get("lon", "")
    if not raw_lat and not raw_lon:
        row.values["location"] = None
        return
    if not raw_lat or not raw_lon:
        row.bad("lat" if not raw_lat else "lon", "half_location")
        return
    values = []
    for name, raw, low, high in (("lat", raw_lat, 8.0, 24.0), ("lon", raw_lon, 102.0, 110.0)):
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            row.bad(name, "not_a_number", value=raw)
            return
        if not low <= value <= high:
            row.bad(name, "out_of_range", value=raw, low=low, high=high)
        values.append(value)
    row.values["location"] = (values[0], values[1])


def _members(row: Row, raw: str) -> None:
    members = []
    for part in (p.strip() for p in raw.split(";")):
        if not part:
            continue
        found = MEMBER.match(part)
        if found is None or not 1900 <= int(found["year"]) <= 2030 or len(found["name"]) > 120:
            row.bad("members", "bad_member", value=part)
            continue
        members.append((found["name"].strip(), int(found["year"]), bool(found["core"])))
    row.values["members"] = members


def _check_row(
    row: Row,
    data: dict[str, str],
    communes: Collection[str],
    hamlets: dict[str, Hamlet],
    normalise_phone: Callable[[str], str],
) -> None:
    for column in REQUIRED:
        if not data.get(column):
            row.bad(column, "empty")
    code, commune, hamlet_code = (
        data.get("code", ""),
        data.get("commune", ""),
        data.get("hamlet", ""),
    )
    if code and not CODE.fullmatch(code):
        row.bad("code", "bad_code", value=code)
    if commune and commune not in communes:
        row.bad("commune", "not_your_commune", value=commune)
    hamlet = hamlets.get(hamlet_code)
    if hamlet_code and (hamlet is None or hamlet.commune_code != commune):
        row.bad("hamlet", "no_such_hamlet", value=hamlet_code, commune=commune)
    for column, limit in (("address", 200), ("head", 120)):
        if len(data.get(column, "")) > limit:
            row.bad(column, "too_long", limit=limit)
    row.values.update(code=code, commune=commune, hamlet=hamlet, address=data.get("address", ""),
                      head=data.get("head", ""))  # fmt: skip
    raw_phone = data.get("phone", "")
    row.values["phone"] = None
    if raw_phone:
        try:
            row.values["phone"] = normalise_phone(raw_phone)
        except ValueError as error:
            row.bad(
                "phone", "bad_phone", value=raw_phone, reason=getattr(error, "reason", "invalid")
            )
    _location(row, data)
    words = data.get("needs", "").lower().replace(";", " ").replace(",", " ").split()
    unknown = [w for w in words if w not in NEEDS]
    if unknown:
        row.bad("needs", "unknown_needs", values=", ".join(unknown))
    row.values["needs"] = {NEEDS[w] for w in words if w in NEEDS}
    at_home = data.get("at_home", "").lower().replace(" ", "_")
    if at_home not in AT_HOME:
        row.bad("at_home", "bad_at_home", value=at_home)
    row.values["at_home"] = AT_HOME.get(at_home, AtHome.ANY)
    _members(row, data.get("members", ""))


def parse(
    session: Session,
    data: bytes,
    communes: Collection[str],
    normalise_phone: Callable[[str], str],
) -> ImportReport:
    """Check every row of a CSV or .xlsx file; nothing is written."""
    try:
        header, records = read_table(data)
    except TableError as error:
        unreadable = Row(1)
        unreadable.bad("file", "unreadable", reason=str(error))
        return ImportReport([unreadable])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        row = Row(1)
        row.bad("header", "missing_columns", columns=", ".join(missing))
        return ImportReport([row])
    hamlets = {
        h.code: h for h in session.scalars(select(Hamlet).where(Hamlet.commune_code.in_(communes)))
    }
    rows, seen = [], set()
    for line, values in records:
        row = Row(line)
        _check_row(row, values, communes, hamlets, normalise_phone)
        key = (row.values["commune"], row.values["code"])
        if row.values["code"] and key in seen:
            row.bad("code", "twice_in_file", value=row.values["code"])
        seen.add(key)
        rows.append(row)
    return ImportReport(rows)


def _fill(household: Household, values: dict[str, Any]) -> None:
    hamlet: Hamlet = values["hamlet"]
    household.hamlet_code = hamlet.code
    household.address = values["address"]
    household.head_name = values["head"]
    household.phone = values["phone"]
    location = values["location"]
    household.location_is_hamlet_centre = location is None
    household.lat, household.lon = location or (hamlet.lat, hamlet.lon)
    needs = values["needs"]
    for flag in ("no_smartphone", "elderly", "disabled", "khmer_speaking"):
        setattr(household, flag, flag in needs)
    household.at_home = values["at_home"]
    household.members = [
        HouseholdMember(name=name, birth_year=year, digital_core=core)
        for name, year, core in values["members"]
    ]


def apply(session: Session, report: ImportReport, actor: str, now: datetime) -> ImportReport:
    """Upsert every row by (commune, code); refuses to run when any row is bad."""
    if report.errors:
        return report
    now = as_utc(now)
    with atomic(session):
        for row in report.rows:
            values = row.values
            household = session.scalar(
                select(Household)
                .where(
                    Household.commune_code == values["commune"], Household.code == values["code"]
                )
                .options(selectinload(Household.members))
            )
            created = household is None
            if household is None:
                household = Household(commune_code=values["commune"], code=values["code"],
                                      created_at=now)  # fmt: skip
                session.add(household)
            _fill(household, values)
            household.updated_at = now
            session.flush()
            report.created += created
            report.updated += not created
        session.add(
            AuditLog(at=now, actor=actor, action="household.import", entity_type="household",
                     entity_id="*", before=None,
                     after={"created": report.created, "updated": report.updated},
                     commune_code=report.rows[0].values["commune"] if report.rows else None)
        )  # fmt: skip
    report.applied = True
    return report
