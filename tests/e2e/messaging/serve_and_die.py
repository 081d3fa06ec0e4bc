"""A web process for the fault test: the real app on a real port, which dies of SIGKILL (as
it would by the OOM killer or a power cut) right after an inbound SMS's first step commits.

``python -m tests.e2e.messaging.serve_and_die PORT``; settings from the environment.
"""

from __future__ import annotations

import os
import signal
import sys

from werkzeug.serving import make_server

from dispatch.settings import load_settings
from notifications import inbound_accept
from web import create_app


def _die(*_args: object, **_kwargs: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # between step 1 (committed) and step 2


def main() -> None:
    port = int(sys.argv[1])
    app = create_app(load_settings(os.environ), {"RATE_LIMIT_STORAGE": "memory"})
    # The webhook hands step 2 to a job through the module: the process dies after step 1's
    # commit, before the job exists.
    inbound_accept.enqueue_handling = _die
    server = make_server("127.0.0.1", port, app)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
