"""Parser accuracy per field on the SMS corpus: ``python bench/parser_accuracy.py [-v]``.

Each corpus line holds a message, the ``today`` it was written on, and the expected parse.
Prints, per field, the share of messages parsed exactly as expected (target: 97% each).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from notifications.parser import parse_sms

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "sms_corpus.jsonl"
GAZETTEER = ROOT / "tests" / "data" / "demo_gazetteer.json"
FIELDS = ("intent", "kind", "commune", "hamlet", "day", "part")
TARGET = 0.97  # per field, the target of issue 12


def _flat(parse: dict) -> dict[str, object]:
    return {**{f: parse[f] for f in FIELDS[:4]}, "day": parse["when"]["day"],
            "part": parse["when"]["part"]}  # fmt: skip


def evaluate(corpus: Path = CORPUS, gazetteer_path: Path = GAZETTEER) -> dict[str, object]:
    gazetteer = json.loads(gazetteer_path.read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line]
    correct = dict.fromkeys(FIELDS, 0)
    misses: list[tuple[str, str, object, object]] = []
    for row in rows:
        got = _flat(parse_sms(row["text"], gazetteer, date.fromisoformat(row["today"])))
        want = _flat(row["expected"])
        for field in FIELDS:
            if got[field] == want[field]:
                correct[field] += 1
            else:
                misses.append((row["text"], field, want[field], got[field]))
    accuracy = {field: correct[field] / len(rows) for field in FIELDS}
    return {"messages": len(rows), "accuracy": accuracy, "misses": misses}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="JSONL corpus to score")
    args = parser.parse_args(argv)
    result = evaluate(args.corpus)
    print(f"{result['messages']} messages in {args.corpus}")
    for field, share in result["accuracy"].items():  # type: ignore[union-attr]
        flag = "ok" if share >= TARGET else "BELOW TARGET"
        print(f"  {field:8} {share:7.2%}  {flag}")
    if args.verbose:
        for text, field, want, got in result["misses"]:  # type: ignore[union-attr]
            print(f"  {field:8} want {want!r:28} got {got!r:28} {text!r}")
    return 0 if all(s >= TARGET for s in result["accuracy"].values()) else 1  # type: ignore[union-attr]


if __name__ == "__main__":
    sys.exit(main())
