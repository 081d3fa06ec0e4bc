"""The Zalo Official Account's state in our database: its tokens, its quota day, its alerts.

Tokens: the access token lasts about 25 h and is refreshed with a refresh token that works
once. However many workers notice an expired or rejected token at the same moment, exactly one
refresh happens: a Redis lock lets one worker at a time in (the others wait, then find the new
token), and the database row lock (``SELECT ... FOR UPDATE`` on PostgreSQL, the write lock of
``BEGIN IMMEDIATE`` on SQLite) is the guarantee when Redis is away. The new refresh token is
written in the same transaction that read the old one, before anyone else can read it.
If the process dies between Zalo's answer and our commit, the new refresh token is lost and
the OA must be authorised again (``ZALO_REFRESH_TOKEN``): Zalo offers no way around that.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import redis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dispatch.clock import to_local, utcnow
from dispatch.db import lock_for_transaction
from dispatch.models import ChannelAlert, ZaloAccount
from dispatch.services.unit_of_work import unit_of_work_from
from notifications.channels.base import RetryableSendError
from notifications.channels.zalo_zns import ZnsClient

log = logging.getLogger(__name__)

#: Refresh this long before Zalo's own expiry (at most a tenth of the token's life), so a send
#: never carries a token that dies on the way.
REFRESH_MARGIN = timedelta(minutes=5)
LOCK_WAIT_S = 30.0


class DbTokenSource:
    """Access tokens of one Zalo app, kept in ``zalo_account`` (see the module's notes)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        redis_client: redis.Redis[bytes] | None,
        client: ZnsClient,
        *,
        first_refresh_token: str,
        lock_timeout_s: float = LOCK_WAIT_S,
    ) -> None:
        self.sessions = sessions
        self.redis = redis_client
        self.client = client
        self.app_id = client.app_id
        self.first_refresh_token = first_refresh_token
        self.lock_timeout_s = lock_timeout_s

    def access_token(self) -> str:
        with self.sessions() as session:
            row = session.get(ZaloAccount, self.app_id)
            if row is not None and row.access_token and _fresh(row, utcnow()):
                return row.access_token
            stale = row.access_token if row is not None else None
        return self._refresh(stale)

    def after_rejection(self, rejected: str) -> str:
        return self._refresh(rejected)

    def _refresh(self, stale: str | None) -> str:
        """A token other than ``stale``: someone else's fresh one, or one we refresh now."""
        lock = None
        if self.redis is not None:
            lock = self.redis.lock(
                f"doorstep:zalo:refresh:{self.app_id}",
                timeout=self.lock_timeout_s + self.client.timeout_s,
                blocking_timeout=self.lock_timeout_s,
            )
            try:
                if not lock.acquire():
                    raise RetryableSendError("another worker is refreshing the Zalo token")
            except redis.RedisError as error:
                log.warning("Zalo token lock without Redis (the database lock holds): %s", error)
                lock = None
        try:
            return self._refresh_locked(stale)
        finally:
            if lock is not None:
                try:
                    lock.release()
                except redis.RedisError:  # expired or Redis gone: the row lock was the guard
                    pass

    def _refresh_locked(self, stale: str | None) -> str:
        for _ in range(2):  # two workers may both create the first row: the loser reads it
            try:
                with unit_of_work_from(self.sessions) as session:
                    return self._refresh_row(session, stale)
            except IntegrityError:
                continue  # rolled back: the other worker's row is there now
        raise RetryableSendError("could not store the Zalo token row")

    def _refresh_row(self, session: Session, stale: str | None) -> str:
        row = session.scalar(
            select(ZaloAccount).where(ZaloAccount.app_id == self.app_id).with_for_update()
        )
        if row is None:
            row = ZaloAccount(
                app_id=self.app_id, refresh_token=self.first_refresh_token, refreshes=0
            )
            session.add(row)
            session.flush()
        now = utcnow()
        if row.access_token and row.access_token != stale and _fresh(row, now):
            return row.access_token  # refreshed by another worker while we waited
        grant = self.client.refresh(row.refresh_token)  # the row stays locked
        row.access_token = grant.access_token
        row.refresh_token = grant.refresh_token
        row.expires_at = now + timedelta(seconds=grant.expires_in_s)
        row.refreshed_at = now
        row.refreshes += 1
        log.info("Zalo access token refreshed (valid %s s)", grant.expires_in_s)
        return grant.access_token


def _fresh(row: ZaloAccount, now: datetime) -> bool:
    if row.expires_at is None:
        return False
    margin = REFRESH_MARGIN
    if row.refreshed_at is not None:  # a short-lived token (a test OA) gets a tenth of its life
        margin = min(margin, (row.expires_at - row.refreshed_at) / 10)
    return row.expires_at - margin > now


# -- daily quota ---------------------------------------------------------------------------------


def quota_spent_today(session: Session, app_id: str, now: datetime) -> bool:
    row = session.get(ZaloAccount, app_id)
    return row is not None and row.quota_out_on == to_local(now).date()


def mark_quota_spent(session: Session, app_id: str, now: datetime, first_refresh: str) -> date:
    """Remember that Zalo said "quota" today: ZNS waits for tomorrow, SMS goes instead."""
    today = to_local(now).date()
    row = session.get(ZaloAccount, app_id)
    if row is None:
        row = ZaloAccount(app_id=app_id, refresh_token=first_refresh, refreshes=0)
        session.add(row)
    row.quota_out_on = today
    return today


# -- alerts for the panel ------------------------------------------------------------------------


def record_alert(session: Session, kind: str, key: str, detail: str) -> None:
    """Add or bump the alert (kind, key) in the caller's unit of work."""
    now = utcnow()
    lock_for_transaction(session, f"channel-alert:{kind}:{key}")  # PostgreSQL: one insert
    alert = session.scalar(
        select(ChannelAlert).where(ChannelAlert.kind == kind, ChannelAlert.key == key)
    )
    if alert is None:
        session.add(
            ChannelAlert(kind=kind, key=key, detail=detail, count=1, first_at=now, last_at=now)
        )
        return
    alert.count += 1
    alert.detail = detail
    alert.last_at = now
