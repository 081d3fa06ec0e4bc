"""One mapping from domain errors to HTTP statuses."""

from __future__ import annotations

import pytest

from dispatch.services.errors import (
    Conflict,
    DomainError,
    Duplicate,
    IllegalTransition,
    InvalidCommand,
    NotFound,
)
from web.errors import status_of


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("request", 7), 404),
        (Conflict("request 7 changed"), 409),
        (IllegalTransition("request", "done", "open"), 400),
        (InvalidCommand("priority must be 1..100"), 400),
        (Duplicate("seen"), 400),
        (DomainError("anything else"), 400),
    ],
)
def test_status_of(error: DomainError, status: int) -> None:
    assert status_of(error) == status
