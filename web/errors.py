"""Domain errors as HTTP answers: one mapping, used by every blueprint's error handler.

Services raise ``DomainError`` subclasses; views let them through, and each blueprint answers
them in its own way (the coordinator's request page, a volunteer's flash message, the API's
JSON) with the status this mapping gives.
"""

from __future__ import annotations

from flask import current_app
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import default_exceptions

from dispatch.services.errors import Conflict, DomainError, NotFound


def status_of(error: DomainError) -> int:
    """404 for what is not there, 409 for what changed meanwhile, 400 for the rest."""
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    return 400


def error_page(status: int) -> ResponseReturnValue:
    """The app's own page for ``status`` (as ``abort`` would give, from inside a handler)."""
    return current_app.handle_http_exception(default_exceptions[status]())
