"""``doorstep households import FILE [--dry-run] [--commune CODE ...]``: the household register
from a CSV or .xlsx file, with every bad row named (line, column, problem) and nothing saved
unless every row is right. Exit 0 imported (or a clean dry run), 1 bad rows, 2 usage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from web.commands import _settings, one_line_errors


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="doorstep households", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    load = sub.add_parser("import", help="import or update households from CSV or .xlsx")
    load.add_argument("file", type=Path)
    load.add_argument("--dry-run", action="store_true", help="check every row, save nothing")
    load.add_argument(
        "--commune", action="append", default=[], help="only rows of these communes (default all)"
    )
    return parser


def _problem_text(column: str, code: str, params: dict[str, str]) -> str:
    detail = ", ".join(f"{k}={v}" for k, v in params.items())
    return f"{column}: {code}" + (f" ({detail})" if detail else "")


@one_line_errors
def households_command(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    from sqlalchemy import select

    from dispatch.clock import utcnow
    from dispatch.db import make_engine, make_session_factory
    from dispatch.models import Commune
    from dispatch.services import household_import, unit_of_work
    from notifications.phone import to_e164

    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"households: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    engine = make_engine(_settings().database_url, worker=True)
    try:
        with make_session_factory(engine)() as session:
            communes = args.commune or list(session.scalars(select(Commune.code)))
            report = household_import.parse(session, data, communes, to_e164)
            for row in report.errors:
                for p in row.problems:
                    print(f"line {row.line}: {_problem_text(p.column, p.code, p.params)}")
            if report.errors:
                print(f"{len(report.errors)} of {len(report.rows)} rows need fixing; nothing saved")
                return 1
            if args.dry_run:
                print(f"all {len(report.rows)} rows are right (dry run: nothing saved)")
                return 0
            with unit_of_work(session):
                household_import.apply(session, report, "cli", utcnow())
            print(f"imported: {report.created} new, {report.updated} updated")
            return 0
    finally:
        engine.dispose()
