"""Doorstep's domain core: models, state machines, events + outbox, services, jobs.

Public entry points (domain, helper D):
- ``dispatch.db``: ``make_engine(url, *, worker=False)``, ``make_session_factory(engine)``,
  ``upgrade(url)`` (Alembic to head), ``UTCDateTime``, ``begin_write(session)`` (SQLite:
  start a writer transaction; ``unit_of_work`` calls it), ``make_revision(message)``
  (autogenerate a new migration against a scratch SQLite database).
- ``dispatch.errors``: ``DomainError``, the root of every domain error (``IllegalTransition``,
  ``NotFound``, ``Conflict``, ``InvalidCommand``, ``Duplicate``).
- ``dispatch.clock``: ``LOCAL_TZ`` (Asia/Ho_Chi_Minh), ``utcnow()``, ``as_utc()``,
  ``local_to_utc(day, time)``, ``to_local()``.
- ``dispatch.models``: every model (``Province``, ``Commune``, ``Hamlet``, ``Team``,
  ``Volunteer``, ``VolunteerShift``, ``ShiftException``, ``Resident``, ``HelpRequest``,
  ``Assignment``, ``Event``, ``Message``, ``PlanRun``, ``AuditLog``, ``User``, ...).
- ``dispatch.catalogue``: ``KINDS``, ``BY_KEY``, ``KEYS``, ``get_kind(key)``.
- ``dispatch.states``: ``RequestStatus``, ``AssignmentStatus``, ``transition()``,
  ``IllegalTransition``, ``OPEN_REQUEST_STATUSES``, ``LIVE_ASSIGNMENT_STATUSES``,
  ``FIXED_ASSIGNMENT_STATUSES``.
- ``dispatch.events``: the event dataclasses, ``EVENT_TYPES``, ``parse_event(type, payload)``.
- ``dispatch.outbox``: ``record(session, event)``.
- ``dispatch.services``: commands and services (see that package's docstring).
The demo data lives outside the core, in the top-level ``demo`` package.
"""
