"""Every event type round-trips through its JSON payload."""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.events import (
    EVENT_TYPES,
    AssignmentOffered,
    DomainEvent,
    RequestSubmitted,
    UnknownEventType,
    parse_event,
)

aware = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
) | st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2040, 1, 1),
    timezones=st.just(timezone(timedelta(hours=7))),
)
text = st.text(max_size=40)


def _strategy(hint: Any) -> st.SearchStrategy[Any]:
    args = typing.get_args(hint)
    if args and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return st.none() | _strategy(inner)
    if hint is int:
        return st.integers(min_value=1, max_value=2**31)
    if hint is str:
        return text
    if hint is bool:
        return st.booleans()
    if hint is datetime:
        return aware
    if typing.get_origin(hint) is list:
        window = st.fixed_dictionaries({"start": st.just("2026-11-30T01:00:00+00:00")})
        return st.lists(window, max_size=3)
    raise AssertionError(f"no strategy for {hint}")


def _events(cls: type[DomainEvent]) -> st.SearchStrategy[DomainEvent]:
    hints = typing.get_type_hints(cls)
    fields = {f.name: _strategy(hints[f.name]) for f in dataclasses.fields(cls)}
    return st.builds(cls, **fields)


def test_type_names_are_unique_past_tense_dotted() -> None:
    assert len(EVENT_TYPES) >= 15
    for name, cls in EVENT_TYPES.items():
        assert cls.type == name and "." in name
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", list(EVENT_TYPES.values()), ids=lambda c: c.type)
def test_round_trip(cls: type[DomainEvent]) -> None:
    @settings(max_examples=25, deadline=None)
    @given(_events(cls))
    def check(event: DomainEvent) -> None:
        payload = json.loads(json.dumps(event.to_payload()))
        assert parse_event(event.type, payload) == event

    check()


def test_payload_is_plain_json_with_iso_times() -> None:
    at = datetime(2026, 11, 30, 8, 0, tzinfo=timezone(timedelta(hours=7)))
    event = AssignmentOffered("91001", 5, 7, 9, at, at + timedelta(minutes=30), None, "solver")
    payload = event.to_payload()
    assert payload["start_at"] == "2026-11-30T08:00:00+07:00"
    assert payload["expires_at"] is None
    assert "type" not in payload


def test_older_payload_missing_an_optional_field_still_parses() -> None:
    payload = RequestSubmitted("91001", 1, 2, "vneid", "sms", "ABC234").to_payload()
    assert parse_event("request.submitted", payload) == RequestSubmitted(
        "91001", 1, 2, "vneid", "sms", "ABC234"
    )
    from dispatch.events import OfferDeclined

    legacy = {"commune_code": "91001", "assignment_id": 1, "request_id": 2, "volunteer_id": 3}
    assert parse_event("offer.declined", legacy) == OfferDeclined("91001", 1, 2, 3, None)


def test_events_are_immutable() -> None:
    event = RequestSubmitted("91001", 1, 2, "vneid", "sms", "ABC234")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.request_id = 3  # type: ignore[misc]


def test_unknown_type() -> None:
    with pytest.raises(UnknownEventType):
        parse_event("request.teleported", {})
