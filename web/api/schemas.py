"""The partner API's bodies as pydantic models: one definition validates requests and documents
both requests and responses (``web.api.openapi`` builds the OpenAPI document from their JSON
schemas).

Request bodies are validated strictly from the JSON text (a number is not a string, a date-time
is an ISO 8601 string with a time zone, unknown fields are refused). Checks that need the
database (does the commune exist and may this token see it; is the hamlet in it) are asked of
callables the view passes as validation context, so every bad field is named in one answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, TypedDict, cast

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dispatch.catalogue import KEYS
from dispatch.states import AssignmentStatus, RequestStatus
from notifications.phone import InvalidPhone, parse_phone

# The help catalogue's keys, as the enum the documents show.
Kind = StrEnum("Kind", {key: key for key in KEYS})  # type: ignore[misc]


class Lookups(TypedDict):
    """What the body's database checks ask of the view (validation context)."""

    commune_visible: Callable[[str], bool]  # exists, and the calling token may see it
    hamlet_commune: Callable[[str], str | None]  # the hamlet's commune, None when unknown


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Window:
        if self.end <= self.start:
            raise PydanticCustomError("window_order", "each window must end after it starts")
        return self


class NewRequest(BaseModel):
    """POST /requests. An open request for the same phone and kind is returned, not a new one."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    phone: str = Field(max_length=32, examples=["0912345678"])
    kind: Kind
    commune: str = Field(max_length=16)
    # Optional fields may also be null, as partners' JSON libraries often write them.
    hamlet: str | None = Field(None, max_length=24)
    name: str | None = Field(None, max_length=120)
    note: str | None = Field(None, max_length=1000)
    language: Literal["vi", "en", "km"] = "vi"
    windows: list[Window] | None = Field(None, max_length=28)

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str) -> str:
        try:
            return parse_phone(value).e164
        except InvalidPhone as error:
            raise PydanticCustomError("phone", "{reason}", {"reason": str(error)}) from None

    @field_validator("commune")
    @classmethod
    def _visible_commune(cls, value: str, info: ValidationInfo) -> str:
        lookups = cast(Lookups, info.context)
        if not value or not lookups["commune_visible"](value):
            raise PydanticCustomError("commune", "unknown commune code")
        return value

    @field_validator("hamlet")
    @classmethod
    def _hamlet_of_the_commune(cls, value: str | None, info: ValidationInfo) -> str | None:
        lookups = cast(Lookups, info.context)
        if value and lookups["hamlet_commune"](value) != info.data.get("commune", ""):
            raise PydanticCustomError("hamlet", "unknown hamlet code for this commune")
        return value


class Visit(BaseModel):
    start: datetime
    end: datetime
    volunteer_first_name: str
    status: AssignmentStatus


class Request(BaseModel):
    reference: str
    status: RequestStatus
    kind: Kind
    commune: str
    hamlet: str | None = None
    created_at: datetime
    visit: Visit | None
    status_url: str
    duplicate: bool = Field(False, description="Present on submit: an open one was returned")


class Assignment(BaseModel):
    reference: str
    kind: Kind
    hamlet: str | None
    start: datetime
    end: datetime
    status: AssignmentStatus
    volunteer_first_name: str


class Assignments(BaseModel):
    commune: str
    date: date
    assignments: list[Assignment]


class Error(BaseModel):
    error: str
    fields: dict[str, str] = Field(
        default_factory=dict, description="Each bad field of the body, with what is wrong"
    )


BODY_NOT_AN_OBJECT = "the body must be a JSON object"


def named_fields(error: ValidationError) -> tuple[str, dict[str, str]]:
    """The error and, per top-level field, the first thing wrong with it."""
    fields: dict[str, str] = {}
    for item in error.errors():
        if not item["loc"]:  # not JSON, or not an object
            return BODY_NOT_AN_OBJECT, {}
        message = "unknown field" if item["type"] == "extra_forbidden" else item["msg"]
        fields.setdefault(str(item["loc"][0]), message)
    return "invalid request", fields
