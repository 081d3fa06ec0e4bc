"""Run several processes in one terminal with prefixed logs; stop them all together.

Children get their own session (process group), so Ctrl-C in the terminal reaches only this
supervisor, which then sends each child exactly one SIGTERM (a second signal would make an RQ
worker abandon its running job), waits, and SIGKILLs whatever is still alive after a grace
period. If a child dies on its own, everything stops and the exit code is 1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import IO

GRACE_S = 15.0


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen[str] | None = None
    reader: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    def __init__(self, env: dict[str, str], out: IO[str] | None = None) -> None:
        self.env = env
        self.out = out or sys.stdout
        self.children: list[Child] = []
        self._stop = threading.Event()
        self._print_lock = threading.Lock()
        self._width = 8

    def add(self, name: str, argv: Sequence[str]) -> None:
        self.children.append(Child(name, list(argv)))
        self._width = max(self._width, len(name))

    def say(self, name: str, line: str) -> None:
        with self._print_lock:
            self.out.write(f"{name:<{self._width}} | {line.rstrip()}\n")
            self.out.flush()

    def _pump(self, child: Child) -> None:
        assert child.process is not None and child.process.stdout is not None
        for line in child.process.stdout:
            self.say(child.name, line)

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(
                child.argv,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                bufsize=1,
                start_new_session=True,
            )
            child.reader = threading.Thread(target=self._pump, args=(child,), daemon=True)
            child.reader.start()
            self.say("up", f"started {child.name} (pid {child.process.pid})")

    def request_stop(self, signum: int, _frame: FrameType | None) -> None:
        self.say("up", f"{signal.Signals(signum).name} received, stopping")
        self._stop.set()

    def run(self, on_tick: Callable[[], None] | None = None) -> int:
        """Wait until a stop signal (exit 0) or a child's death (exit 1), then stop all."""
        previous = {
            sig: signal.signal(sig, self.request_stop) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        code = 0
        try:
            self.start()
            while not self._stop.wait(0.2):
                dead = [c for c in self.children if c.process and c.process.poll() is not None]
                if dead:
                    for child in dead:
                        assert child.process is not None
                        self.say("up", f"{child.name} exited with {child.process.returncode}")
                    code = 1
                    break
                if on_tick is not None:
                    on_tick()
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return code

    def stop_all(self) -> None:
        running = [c for c in self.children if c.process and c.process.poll() is None]
        for child in running:
            assert child.process is not None
            _signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_S
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("up", f"{child.name} did not stop in {GRACE_S:.0f} s: killing")
                _signal_group(child.process.pid, signal.SIGKILL)
                child.process.wait()
        for child in self.children:
            if child.process is not None:
                # Grandchildren (a work horse, gunicorn's workers) share the child's group.
                _signal_group(child.process.pid, signal.SIGKILL)
            if child.reader is not None:
                child.reader.join(timeout=2)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        if sig == signal.SIGTERM:
            os.kill(pid, sig)  # the leader stops its own children in order
        else:
            os.killpg(pid, sig)
    except ProcessLookupError:
        pass
