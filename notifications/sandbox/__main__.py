"""``python -m notifications.sandbox --port 8025``: serve the fake Twilio API until Ctrl-C."""

from __future__ import annotations

import argparse
import sys

from notifications.sandbox.server import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, start_sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notifications.sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--account-sid", default=SANDBOX_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=SANDBOX_AUTH_TOKEN)
    parser.add_argument("--callback-delay", type=float, default=0.5, help="seconds per status")
    parser.add_argument("--timeout-delay", type=float, default=30.0, help="'timeout' fault wait")
    args = parser.parse_args(argv)
    running = start_sandbox(
        host=args.host,
        port=args.port,
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        callback_delay_s=args.callback_delay,
        timeout_delay_s=args.timeout_delay,
        quiet=False,
    )
    print(f"Twilio sandbox on {running.url} (account {args.account_sid})", flush=True)
    try:
        running.thread.join()
    except KeyboardInterrupt:
        running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
