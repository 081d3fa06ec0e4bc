"""Typed readers for JSON values that fail with one line naming the field path at fault.

The planning formats come from outside (files, other programs), so every value is checked for
type, range and finiteness before it reaches the dataclasses; ``json`` happily yields ``NaN``,
``Infinity`` and booleans where numbers are expected.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import NoReturn

FIRST_YEAR, LAST_YEAR = 1900, 2200
# Longest travel leg or visit accepted (about 31 years): bounds keep date and tick arithmetic
# downstream from overflowing, far beyond any real commune day.
MAX_SECONDS = 1e9


class FormatError(ValueError):
    """A scenario or plan that does not follow the formats; ``str(err)`` is one line."""


class ScenarioError(FormatError):
    """A bad scenario: the message names the field path and the id at fault."""


class PlanError(FormatError):
    """A bad plan document (e.g. the ``--previous`` plan)."""


def show(value: object, limit: int = 40) -> str:
    """A short one-line rendering of a JSON value for error messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def item_path(array_path: str, index: int, key: str | None = None, ident: object = None) -> str:
    """``requests[3]`` or, once the id is known, ``requests[3](id="r4")``."""
    base = f"{array_path}[{index}]"
    return base if key is None else f"{base}({key}={show(ident)})"


class Reader:
    """Reads JSON values; every failure raises ``error`` with ``"<path>: <problem>"``."""

    def __init__(self, error: type[FormatError]) -> None:
        self.error = error

    def fail(self, path: str, problem: str) -> NoReturn:
        raise self.error(f"{path or '(top level)'}: {problem}")

    def obj(self, value: object, path: str) -> Mapping[str, object]:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {kind(value)} {show(value)}")
        return value

    def field(self, obj: Mapping[str, object], key: str, path: str) -> object:
        if key not in obj:
            self.fail(join(path, key), "missing required field")
        return obj[key]

    def array(self, value: object, path: str) -> list[object]:
        if not isinstance(value, list):
            self.fail(path, f"expected an array, got {kind(value)} {show(value)}")
        return value

    def string(self, value: object, path: str, *, nonempty: bool = False) -> str:
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {kind(value)} {show(value)}")
        if nonempty and not value:
            self.fail(path, "must not be empty")
        return value

    def number(
        self,
        value: object,
        path: str,
        *,
        minimum: float | None = 0.0,
        exclusive: bool = False,
        maximum: float | None = None,
    ) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"expected a number, got {kind(value)} {show(value)}")
        number = float(value)
        if not math.isfinite(number):
            self.fail(path, f"not a finite number ({show(value)})")
        if minimum is not None and (number <= minimum if exclusive else number < minimum):
            bound = "greater than" if exclusive else "at least"
            self.fail(path, f"must be {bound} {minimum:g}, got {show(value)}")
        if maximum is not None and number > maximum:
            self.fail(path, f"must be at most {maximum:g}, got {show(value)}")
        return number

    def integer(
        self, value: object, path: str, *, minimum: int | None = 0, maximum: int | None = None
    ) -> int:
        number = self.number(value, path, minimum=None)
        if not number.is_integer():
            self.fail(path, f"expected an integer, got {show(value)}")
        whole = int(number)
        if minimum is not None and whole < minimum:
            self.fail(path, f"must be at least {minimum}, got {show(value)}")
        if maximum is not None and whole > maximum:
            self.fail(path, f"must be at most {maximum}, got {show(value)}")
        return whole

    def time(self, value: object, path: str) -> datetime:
        text = self.string(value, path)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(path, f"unparseable timestamp {show(text)} (expected ISO 8601)")
        if moment.tzinfo is None or moment.utcoffset() is None:
            self.fail(path, f"timestamp {show(text)} has no UTC offset")
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            # Far dates would overflow date arithmetic downstream; none is a real visit.
            self.fail(
                path, f"timestamp {show(text)} is outside the years {FIRST_YEAR}..{LAST_YEAR}"
            )
        return moment

    def strings(self, value: object, path: str) -> list[str]:
        items = self.array(value, path)
        return [self.string(item, f"{path}[{i}]") for i, item in enumerate(items)]

    def only_keys(self, obj: Mapping[str, object], allowed: set[str], path: str) -> None:
        for key in obj:
            if key not in allowed:
                self.fail(join(path, key), "unknown field")


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def load_json(path: str | Path, error: type[FormatError], what: str) -> object:
    """The JSON in ``path``; unreadable, empty or malformed files raise ``error``."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # tolerate a BOM
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise error(f"{path}: cannot read {what} file ({reason})") from None
    if not text.strip():
        raise error(f"{path}: empty {what} file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"{path}: not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})"
        ) from None
    except RecursionError:
        raise error(f"{path}: JSON nested too deeply") from None
