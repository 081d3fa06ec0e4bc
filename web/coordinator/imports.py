"""CSV import of hamlets and teams: upload, dry run listing every bad row, then apply.

Same flow as the volunteer import (web/coordinator/people.py); the columns are those of
/c/hamlets.csv and /c/teams.csv. The services report problems as codes; this module words them
for all three imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from dispatch.clock import utcnow
from dispatch.services import household_import, place_import, volunteer_import
from dispatch.services.unit_of_work import unit_of_work
from web.coordinator.auth import actor, coordinator_required
from web.coordinator.blueprint import bp
from web.extensions import db

MAX_CSV_BYTES = 1024 * 1024

PROBLEMS: dict[str, LazyString] = {
    "missing_columns": _l("missing columns: %(columns)s"),
    "empty": _l("empty"),
    "too_long": _l("longer than %(limit)s characters"),
    "not_a_number": _l("not a number (%(value)s)"),
    "out_of_range": _l("%(value)s is outside %(low)s..%(high)s"),
    "not_your_commune": _l("commune %(value)s is unknown or not yours"),
    "bad_code": _l("%(value)s is not a code (letters, digits, - or _; at most 24)"),
    "code_in_other_commune": _l("%(value)s belongs to another commune"),
    "twice_in_file": _l("%(value)s appears twice in the file"),
    "no_such_team": _l("no team %(value)s in your communes (leave id empty to add a team)"),
    "no_such_hamlet": _l("no hamlet %(value)s in commune %(commune)s"),
    "name_taken": _l("another team of this commune is already called %(value)s"),
    # Volunteer import only.
    "bad_phone": _l("%(value)s is not a phone number"),  # worded by PHONE_REASONS below
    "no_team_in_commune": _l("no team %(value)s in commune %(commune)s"),
    "unknown_skills": _l("unknown skills: %(values)s"),
    "unknown_languages": _l("unknown languages: %(values)s (use vi, km or en)"),
    "bad_max_visits": _l("%(value)s is not a whole number from %(low)s to %(high)s"),
    "bad_active": _l("%(value)s is not yes or no (1/0, có/không)"),
    # Household import only.
    "unreadable": _l("the file is neither a UTF-8 CSV nor an .xlsx workbook"),
    "half_location": _l("give both lat and lon, or neither (the hamlet centre is used)"),
    "unknown_needs": _l("unknown needs: %(values)s (use no_smartphone, elderly, disabled, khmer)"),
    "bad_at_home": _l("%(value)s is not any, farmer or evening"),
    "bad_member": _l('%(value)s is not "name year" (a * after the year marks the digital core)'),
}
# The phone rules' reason codes (notifications.phone.InvalidPhone.reason).
PHONE_REASONS: dict[str, LazyString] = {
    "empty": _l("no phone number given"),
    "unparseable": _l("%(value)s is not a phone number"),
    "foreign": _l("%(value)s is not a Vietnamese number"),
    "invalid": _l("%(value)s is not a valid Vietnamese number"),
    "landline": _l("%(value)s is a landline and cannot receive SMS"),
    "not_mobile": _l("%(value)s is not a mobile number"),
    "old_mobile": _l(
        "%(value)s is an 11-digit mobile number retired in 2018; write the new 10-digit number"
    ),
}


@dataclass
class ShownRow:
    line: int
    errors: list[str] = field(default_factory=list)


@dataclass
class ShownReport:
    """What the import page shows: the service report with its problems worded."""

    rows: list[ShownRow]
    created: int
    updated: int
    applied: bool

    @property
    def errors(self) -> list[ShownRow]:
        return [row for row in self.rows if row.errors]


def _worded(problem: place_import.Problem) -> str:
    if problem.code == "bad_phone":
        sentence = PHONE_REASONS.get(problem.params.get("reason", ""), PHONE_REASONS["invalid"])
    else:
        sentence = PROBLEMS[problem.code]
    return f"{problem.column}: {sentence % problem.params}"


def shown(
    report: place_import.PlaceImportReport
    | volunteer_import.ImportReport
    | household_import.ImportReport,
) -> ShownReport:
    rows = [ShownRow(row.line, [_worded(p) for p in row.problems]) for row in report.rows]
    return ShownReport(rows, report.created, report.updated, report.applied)


def read_csv_upload() -> str | None:
    """The uploaded file as text, or None after flashing why it cannot be read."""
    upload = request.files.get("file")
    raw = upload.read(MAX_CSV_BYTES + 1) if upload else b""
    if not raw or len(raw) > MAX_CSV_BYTES or b"\x00" in raw:
        flash(_("Choose a CSV file (at most 1 MB)."), "error")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        flash(_("The file must be saved as UTF-8 CSV."), "error")
        return None


def _import_page(kind: str) -> tuple[str, int]:
    if kind == "hamlet":
        heading, columns = _("Import hamlets from CSV"), place_import.HAMLET_COLUMNS
    else:
        heading, columns = _("Import teams from CSV"), place_import.TEAM_COLUMNS
    page = {"heading": heading, "columns": ", ".join(columns), "title": _("Import")}
    if request.method == "GET":
        return render_template("coordinator/import.html", report=None, **page), 200
    text = read_csv_upload()
    if text is None:
        return render_template("coordinator/import.html", report=None, **page), 400
    parse = place_import.parse_hamlets if kind == "hamlet" else place_import.parse_teams
    report = parse(db(), text, g.communes)
    if request.form.get("apply") == "1" and not report.errors:
        with unit_of_work(db()):
            place_import.apply(db(), report, actor(), utcnow())
    status = 400 if report.errors else 200
    return render_template("coordinator/import.html", report=shown(report), **page), status


@bp.route("/hamlets/import", methods=["GET", "POST"])
@coordinator_required
def hamlets_import() -> tuple[str, int]:
    return _import_page("hamlet")


@bp.route("/teams/import", methods=["GET", "POST"])
@coordinator_required
def teams_import() -> tuple[str, int]:
    return _import_page("team")
