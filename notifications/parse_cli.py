"""``doorstep parse-sms TEXT`` and ``doorstep parse-sms --jsonl FILE``.

Prints the parser's reading of an SMS as JSON, against the configured database's communes
and hamlets (names as stored). With ``--jsonl``, each input line is one JSON string and each
output line one JSON object, in order (``-`` reads standard input).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import TextIO


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="doorstep parse-sms", description=__doc__)
    parser.add_argument("text", nargs="?", help="the SMS text")
    parser.add_argument("--jsonl", metavar="FILE", help="one JSON string per line ('-': stdin)")
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--commune", help="code of the sender's commune (breaks name ties)")
    args = parser.parse_args(list(argv))
    if (args.text is None) == (args.jsonl is None):
        parser.error("give either TEXT or --jsonl FILE")
    return args


def _lines(source: TextIO, out: TextIO, parse_one: Callable[[str], dict[str, object]]) -> int:
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            text = json.loads(line)
        except json.JSONDecodeError as error:
            print(f"line {number}: not JSON ({error.msg})", file=sys.stderr)
            return 2
        if not isinstance(text, str):
            print(f"line {number}: expected a JSON string", file=sys.stderr)
            return 2
        out.write(json.dumps(parse_one(text), ensure_ascii=False) + "\n")
    return 0


def main(argv: Sequence[str]) -> int:
    from dispatch.clock import to_local, utcnow
    from dispatch.db import make_engine, make_session_factory
    from dispatch.settings import SettingsError, load_settings
    from notifications.understand import load_places, parse

    args = _arguments(argv)
    try:
        settings = load_settings(os.environ)
    except SettingsError as error:
        print(f"doorstep: {error}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            places = load_places(session)
    finally:
        engine.dispose()
    today = args.today or to_local(utcnow()).date()

    def parse_one(text: str) -> dict[str, object]:
        return parse(text, places, today, args.commune)

    if args.text is not None:
        print(json.dumps(parse_one(args.text), ensure_ascii=False))
        return 0
    if args.jsonl == "-":
        return _lines(sys.stdin, sys.stdout, parse_one)
    with open(args.jsonl, encoding="utf-8") as source:
        return _lines(source, sys.stdout, parse_one)
