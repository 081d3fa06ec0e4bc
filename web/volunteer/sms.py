"""Sending the sign-in code: a Message through the messaging area's outbound queue."""

from __future__ import annotations

import logging
import secrets

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from dispatch.models import Message, Volunteer
from dispatch.services.unit_of_work import unit_of_work
from notifications.outbound import Outgoing, enqueue_delivery, queue_sms, sms_language
from web.extensions import queues

log = logging.getLogger(__name__)


def queue_sign_in_code(session: Session, volunteer: Volunteer, code: str, minutes: int) -> Message:
    """Store the SMS with the code (its own unit of work), then hand it to the delivery queue."""
    out = Outgoing(
        phone=volunteer.phone,
        template="sign_in_code",
        values={"code": code, "minutes": minutes},
        cause=f"signin:{secrets.token_hex(8)}",  # every request for a code is a new message
        lang=sms_language(volunteer.languages),
        commune_code=volunteer.commune_code,
        volunteer_id=volunteer.id,
    )
    with unit_of_work(session):
        message = queue_sms(session, current_app.config["DOORSTEP_SETTINGS"], out)
    if current_app.config.get("PUBLISH_AFTER_COMMIT", True):
        try:
            enqueue_delivery(queues(), [message])
        except (RedisError, OSError) as error:
            # The row is stored as queued; the messaging sweep delivers it when Redis is back.
            log.warning("sign-in code SMS %s not enqueued yet: %s", message.our_id, error)
    return message
