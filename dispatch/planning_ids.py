"""The scheduler's ids for our rows: ``r{id}`` for a request, ``v{id}`` for a volunteer.

The planning formats name requests and volunteers by strings; these four functions are the
only place that knows how ours are spelled, so the write-back never guesses at a prefix.
"""

from __future__ import annotations


def request_key(request_id: int) -> str:
    return f"r{request_id}"


def volunteer_key(volunteer_id: int) -> str:
    return f"v{volunteer_id}"


def request_id_of(key: str) -> int:
    return _decode(key, "r", "request")


def volunteer_id_of(key: str) -> int:
    return _decode(key, "v", "volunteer")


def _decode(key: str, prefix: str, what: str) -> int:
    digits = key.removeprefix(prefix)
    if digits == key or not digits.isdigit():
        raise ValueError(f"{key!r} is not a {what} id of ours ({prefix}<number>)")
    return int(digits)
