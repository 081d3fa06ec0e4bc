"""The RQ worker process: queues events, planning, messages; a scheduler; the periodic sweep.

The worker's engine uses NullPool, so the work horse RQ forks for each job opens its own
database connections and never reuses one of the parent's. The sweep runs in a thread of the
worker's main process (a forked horse copies only the forking thread, never the sweeper);
a short Redis lock makes one sweep per interval across all workers.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Sequence

import redis
from rq import SimpleWorker, Worker
from rq.worker import DequeueStrategy
from sqlalchemy.orm import configure_mappers

from dispatch.clock import utcnow
from dispatch.heartbeat import Heartbeat
from dispatch.queues import PLANNING, QUEUE_NAMES, SERIALIZER
from dispatch.runtime import Runtime, bootstrap, install
from dispatch.settings import Settings
from scheduler.component import preload_other_engines
from scheduler.parallel import workers

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 15.0
# Safety nets of other areas, as dotted paths ``f(runtime) -> int`` (dispatch imports none of
# them): outgoing SMS whose delivery job was lost (Redis down at commit, a killed worker);
# inbound SMS whose handling was dropped (a web process killed between its two steps).
EXTRA_SWEEPS: dict[str, str] = {
    "sms_restarted": "notifications.delivery_sweep.sweep_stuck",
    "sms_status_fetched": "notifications.delivery_sweep.sweep_unconfirmed",
    "sms_inbound_redone": "notifications.inbound.sweep_unhandled",
}
_SWEEP_LOCK = "doorstep:sweep:lock"


def sweep_once(runtime: Runtime) -> dict[str, int]:
    """One pass of every safety net; each part is idempotent, so a double run is harmless.

    - the outbox: rows not marked published (e.g. written while Redis was down);
    - re-plans: communes marked dirty whose plan job was lost, and communes where a wished
      time has come within the planning horizon since their last plan;
    - offers: offers past their deadline whose expiry job never ran;
    - ``EXTRA_SWEEPS``: e.g. SMS stuck without a delivery job.
    """
    from dispatch import planning, relay, replan, replan_sweep

    debounce = runtime.settings.replan_debounce_seconds
    now = utcnow()
    due = set(planning.communes_with_wishes_coming_into_reach(runtime.sessions, now))
    due |= set(replan_sweep.communes_with_unplanned_requests(runtime.sessions, now))
    for commune in sorted(due):
        replan.request_replan(runtime.queues, commune, debounce)
    counts = {
        "published": relay.sweep(runtime.sessions, runtime.queues),
        "replans": replan.sweep_dirty(runtime.queues, debounce),
        "expired": planning.expire_due_offers(runtime.sessions),
    }
    for name, path in EXTRA_SWEEPS.items():
        module, _, function = path.rpartition(".")
        counts[name] = int(getattr(importlib.import_module(module), function)(runtime))
    return counts


class Sweeper(threading.Thread):
    """Runs :func:`sweep_once` every ``interval_s`` until stopped; errors are logged, not fatal."""

    def __init__(
        self,
        runtime: Runtime,
        interval_s: float = SWEEP_INTERVAL_S,
        sweep: Callable[[Runtime], dict[str, int]] = sweep_once,
    ) -> None:
        super().__init__(name="doorstep-sweeper", daemon=True)
        self.runtime = runtime
        self.interval_s = interval_s
        self._sweep = sweep
        self._stop_event = threading.Event()

    def run(self) -> None:
        self.tick()  # at start: publish what waited while no worker (or Redis) was up
        while not self._stop_event.wait(self.interval_s):
            self.tick()

    def tick(self) -> None:
        try:
            lock_ms = max(1, int(self.interval_s * 900))
            if not self.runtime.redis.set(_SWEEP_LOCK, "1", nx=True, px=lock_ms):
                return  # another worker swept within this interval
            counts = self._sweep(self.runtime)
            if any(counts.values()):
                log.info("sweep: %s", counts)
        except redis.RedisError as error:
            log.warning("sweep skipped, Redis unreachable: %s", error)
        except Exception:
            log.exception("sweep failed; next try in %.0f s", self.interval_s)

    def stop(self) -> None:
        self._stop_event.set()


def preload_job_modules() -> None:
    """Import every job's module once in the worker, so each forked work horse inherits it
    instead of importing it again (seconds per job for Twilio's SDK on a small machine)."""
    from dispatch.handlers import JOB_MODULES, event_graph

    modules = {path.rpartition(".")[0] for paths in event_graph().values() for path in paths}
    for module in sorted(modules | set(JOB_MODULES)):
        importlib.import_module(module)


def _keep_scheduler(worker: Worker | SimpleWorker) -> None:
    """Take over a queue's scheduling when its scheduler died (its lock released by the
    heartbeat), within a beat rather than at RQ's next maintenance, ten minutes on."""
    scheduler = worker.scheduler
    if scheduler is None:
        return
    process = getattr(scheduler, "_process", None)
    if process is None or not process.is_alive():
        scheduler.acquire_locks(auto_start=True)  # type: ignore[no-untyped-call]


def run_worker(
    settings: Settings,
    queue_names: Sequence[str] = QUEUE_NAMES,
    *,
    burst: bool = False,
    with_scheduler: bool = True,
    sweep_interval_s: float = SWEEP_INTERVAL_S,
    fork: bool = True,
    on_start: Callable[[Runtime], None] | None = None,
) -> bool:
    """Work until stopped (or, with ``burst``, until the queues are empty); ``on_start`` gets
    the worker's runtime before any job runs (the fault benches shrink retry delays on it)."""
    unknown = [name for name in queue_names if name not in QUEUE_NAMES]
    if unknown:
        raise ValueError(f"unknown queue {unknown[0]!r} (queues: {', '.join(QUEUE_NAMES)})")
    runtime = bootstrap(settings, worker=True)
    if on_start is not None:
        on_start(runtime)
    install(runtime)
    # SQLAlchemy configures mappers on first use under a process-wide lock. Done here, before
    # the sweeper thread starts, no work horse can be forked while that thread holds the lock
    # (the horse would wait on it forever, inside its open write transaction).
    import dispatch.models  # noqa: F401  (every mapper registered before configuring)

    configure_mappers()
    # Likewise the engine's first connection runs its dialect set-up under a mutex: made here,
    # in the main thread, no work horse can be forked while the sweeper holds that mutex (the
    # horse's first query would hang on it until the job's timeout: seen as 120 s stalls).
    with runtime.engine.connect():
        pass
    queues = [runtime.queues.by_name(name) for name in queue_names]
    sweeper = Sweeper(runtime, sweep_interval_s)
    if burst:
        sweeper.tick()
    else:
        sweeper.start()
    preload_job_modules()
    if PLANNING in queue_names and workers() > 1:
        # The planner's second member (VROOM, PyVRP) imports pandas: once here, not in the
        # first plan's time.
        preload_other_engines()
    # Forking a work horse per job isolates each job but costs a fork and its page faults:
    # ~0.2 s of wall time per job on a loaded 2-core machine, which caps a worker at a few
    # jobs a second. Short jobs (events, SMS) may run in the worker itself (``fork=False``):
    # a job that kills the process is then handled like a SIGKILLed worker (heartbeat, reap,
    # retry).
    worker_class = Worker if fork else SimpleWorker
    worker = worker_class(queues, connection=runtime.redis, serializer=SERIALIZER)
    # Our own short-lived heartbeat: RQ's registration outlives a SIGKILLed worker by minutes.
    beats = Heartbeat(
        runtime.redis,
        worker.name,
        queue_names,
        settings.ops.heartbeat_ttl_s,
        on_beat=(lambda: _keep_scheduler(worker)) if with_scheduler and not burst else None,
    )
    beats.start()
    try:
        # Round robin: a flood of events cannot starve the (coalesced) plan jobs, nor them SMS.
        return worker.work(
            burst=burst,
            with_scheduler=with_scheduler,
            logging_level="INFO",
            dequeue_strategy=DequeueStrategy.ROUND_ROBIN,
        )
    finally:
        beats.stop()
        sweeper.stop()
        install(None)
        runtime.close()
