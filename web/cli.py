"""The ``doorstep`` command: one entry point, subcommands imported only when used."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


def _plan(argv: Sequence[str]) -> int:
    from scheduler.cli import main

    return main(argv)


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "plan": _plan,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"} or args[0] not in COMMANDS:
        names = ", ".join(sorted(COMMANDS))
        print(f"usage: doorstep COMMAND [ARGS]  (commands: {names})", file=sys.stderr)
        return 0 if args and args[0] in {"-h", "--help"} else 2
    return COMMANDS[args[0]](args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
