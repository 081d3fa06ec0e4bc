"""The OpenAPI 3.0 document of /api/v1 (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from dispatch.catalogue import KEYS
from dispatch.states import AssignmentStatus, RequestStatus

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
_WINDOW = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": False,
}
_VISIT = {
    "type": "object",
    "nullable": True,
    "required": ["start", "end", "volunteer_first_name", "status"],
    "properties": {
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "volunteer_first_name": {"type": "string"},
        "status": {"type": "string", "enum": [s.value for s in AssignmentStatus]},
    },
}
_REQUEST = {
    "type": "object",
    "required": ["reference", "status", "kind", "commune", "created_at", "visit", "status_url"],
    "properties": {
        "reference": {"type": "string"},
        "status": {"type": "string", "enum": [s.value for s in RequestStatus]},
        "kind": {"type": "string", "enum": list(KEYS)},
        "commune": {"type": "string"},
        "hamlet": {"type": "string", "nullable": True},
        "created_at": {"type": "string", "format": "date-time"},
        "visit": _VISIT,
        "status_url": {"type": "string"},
        "duplicate": {"type": "boolean"},
    },
}
_NEW_REQUEST = {
    "type": "object",
    "required": ["phone", "kind", "commune"],
    "properties": {
        "phone": {"type": "string", "maxLength": 32, "example": "0912345678"},
        "kind": {"type": "string", "enum": list(KEYS)},
        "commune": {"type": "string", "maxLength": 16},
        "hamlet": {"type": "string", "maxLength": 24},
        "name": {"type": "string", "maxLength": 120},
        "note": {"type": "string", "maxLength": 1000},
        "language": {"type": "string", "enum": ["vi", "en", "km"]},
        "windows": {"type": "array", "items": _WINDOW, "maxItems": 28},
    },
    "additionalProperties": False,
}
_ASSIGNMENT = {
    "type": "object",
    "required": ["reference", "kind", "hamlet", "start", "end", "status", "volunteer_first_name"],
    "properties": {
        "reference": {"type": "string"},
        "kind": {"type": "string", "enum": list(KEYS)},
        "hamlet": {"type": "string", "nullable": True},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "status": {"type": "string", "enum": [s.value for s in AssignmentStatus]},
        "volunteer_first_name": {"type": "string"},
    },
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_COMMON_ERRORS = {
    "401": _json(_ERROR, "Missing or wrong bearer token"),
    "429": _json(_ERROR, "Too many calls; see Retry-After"),
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Doorstep partner API",
            "version": "1.0.0",
            "description": "Submit help requests for residents, read their status, and list a "
            "commune's visits. Every call needs `Authorization: Bearer <token>`; a token limited "
            "to some communes sees no other commune (unknown commune, 404).",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/requests": {
                "post": {
                    "operationId": "submitRequest",
                    "summary": "Submit a request (an open one for the same phone and kind is "
                    "returned instead of a new one)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _NEW_REQUEST}},
                    },
                    "responses": {
                        "201": _json(_REQUEST, "Created"),
                        "200": _json(_REQUEST, "An open request for this phone and kind exists"),
                        "400": _json(_ERROR, "Invalid body; `fields` names each bad field"),
                        **_COMMON_ERRORS,
                    },
                }
            },
            "/requests/{reference}": {
                "get": {
                    "operationId": "getRequest",
                    "summary": "A request's status and visit",
                    "parameters": [
                        {
                            "name": "reference",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 12},
                        }
                    ],
                    "responses": {
                        "200": _json(_REQUEST, "The request"),
                        "400": _json(_ERROR, "Unreadable characters in the reference"),
                        "404": _json(_ERROR, "No such request (or not in the token's communes)"),
                        **_COMMON_ERRORS,
                    },
                }
            },
            "/communes/{code}/assignments": {
                "get": {
                    "operationId": "listAssignments",
                    "summary": "A commune's visits on one day (default today, local time)",
                    "parameters": [
                        {
                            "name": "code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 16},
                        },
                        {
                            "name": "date",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "format": "date"},
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["commune", "date", "assignments"],
                                "properties": {
                                    "commune": {"type": "string"},
                                    "date": {"type": "string", "format": "date"},
                                    "assignments": {"type": "array", "items": _ASSIGNMENT},
                                },
                            },
                            "The visits",
                        ),
                        "400": _json(_ERROR, "Bad date or unreadable characters"),
                        "404": _json(_ERROR, "No such commune (or not one of the token's)"),
                        **_COMMON_ERRORS,
                    },
                }
            },
        },
    }
