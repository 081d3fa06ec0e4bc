"""The ``doorstep`` command: one entry point, subcommands imported only when used."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


def _plan(argv: Sequence[str]) -> int:
    from scheduler.cli import main

    return main(argv)


def _parse_sms(argv: Sequence[str]) -> int:
    from notifications.parse_cli import main

    return main(argv)


def _households(argv: Sequence[str]) -> int:
    from web.household_cli import households_command

    return households_command(argv)


def _runtime(name: str) -> Callable[[Sequence[str]], int]:
    """A runtime command (web/commands.py), imported only when it runs."""

    def run(argv: Sequence[str]) -> int:
        from web import commands

        command: Callable[[Sequence[str]], int] = getattr(commands, f"{name}_command")
        return command(argv)

    return run


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "plan": _plan,
    "parse-sms": _parse_sms,
    "up": _runtime("up"),
    "worker": _runtime("worker"),
    "demo": _runtime("demo"),
    "db": _runtime("db"),
    "households": _households,
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
