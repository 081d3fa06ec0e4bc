"""The OpenAPI 3.1 document of /api/v1 (served at /api/v1/openapi.json).

Bodies are not written here: their schemas come from the pydantic models of ``web.api.schemas``
(the same ones that validate requests), placed under ``components/schemas``. OpenAPI 3.1 speaks
the models' JSON Schema dialect as it is (``null`` as a type, ``anyOf``), so nothing is rewritten.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from web.api import schemas

_REF = "#/components/schemas/{model}"
_MODELS: tuple[type[BaseModel], ...] = (
    schemas.NewRequest,
    schemas.Request,
    schemas.Assignments,
    schemas.Error,
)


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    schema = {"$ref": _REF.format(model=model.__name__)}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _path(name: str, max_length: int) -> dict[str, Any]:
    schema = {"type": "string", "maxLength": max_length}
    return {"name": name, "in": "path", "required": True, "schema": schema}


_COMMON_ERRORS = {
    "401": _json(schemas.Error, "Missing or wrong bearer token"),
    "429": _json(schemas.Error, "Too many calls; see Retry-After"),
}
_SUBMIT = {
    "operationId": "submitRequest",
    "summary": "Submit a request (an open one for the same phone and kind is returned instead "
    "of a new one)",
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": _REF.format(model="NewRequest")}}},
    },
    "responses": {
        "201": _json(schemas.Request, "Created"),
        "200": _json(schemas.Request, "An open request for this phone and kind exists"),
        "400": _json(schemas.Error, "Invalid body; `fields` names each bad field"),
        **_COMMON_ERRORS,
    },
}
_READ = {
    "operationId": "getRequest",
    "summary": "A request's status and visit",
    "parameters": [_path("reference", 12)],
    "responses": {
        "200": _json(schemas.Request, "The request"),
        "400": _json(schemas.Error, "Unreadable characters in the reference"),
        "404": _json(schemas.Error, "No such request (or not in the token's communes)"),
        **_COMMON_ERRORS,
    },
}
_ASSIGNMENTS = {
    "operationId": "listAssignments",
    "summary": "A commune's visits on one day (default today, local time)",
    "parameters": [
        _path("code", 16),
        {
            "name": "date",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "format": "date"},
        },
    ],
    "responses": {
        "200": _json(schemas.Assignments, "The visits"),
        "400": _json(schemas.Error, "Bad date or unreadable characters"),
        "404": _json(schemas.Error, "No such commune (or not one of the token's)"),
        **_COMMON_ERRORS,
    },
}


def document() -> dict[str, Any]:
    _, definitions = models_json_schema(
        [(model, "validation") for model in _MODELS], ref_template=_REF
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Doorstep partner API",
            "version": "1.0.0",
            "description": "Submit help requests for residents, read their status, and list a "
            "commune's visits. Every call needs `Authorization: Bearer <token>`; a token limited "
            "to some communes sees no other commune (unknown commune, 404).",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": definitions["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/requests": {"post": _SUBMIT},
            "/requests/{reference}": {"get": _READ},
            "/communes/{code}/assignments": {"get": _ASSIGNMENTS},
        },
    }
