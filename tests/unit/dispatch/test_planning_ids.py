"""The id codec between our rows and the planning formats."""

from __future__ import annotations

import pytest

from dispatch.planning_ids import request_id_of, request_key, volunteer_id_of, volunteer_key


def test_ids_round_trip() -> None:
    assert request_key(17) == "r17"
    assert volunteer_key(4) == "v4"
    assert request_id_of("r17") == 17
    assert volunteer_id_of("v4") == 4


@pytest.mark.parametrize("key", ["v17", "17", "r", "r-1", "rx", "req17"])
def test_a_foreign_request_id_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="not a request id"):
        request_id_of(key)


def test_a_request_id_is_not_a_volunteer_id() -> None:
    with pytest.raises(ValueError, match="not a volunteer id"):
        volunteer_id_of("r4")
