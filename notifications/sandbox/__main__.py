"""``python -m notifications.sandbox --port 8025``: serve the fake Twilio API until Ctrl-C;
``--zalo --port 8125 --webhook-url URL``: the fake Zalo (OAuth, ZNS, signed webhooks)."""

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
    parser.add_argument("--zalo", action="store_true", help="serve the fake Zalo instead")
    parser.add_argument("--webhook-url", help="where the fake Zalo posts its signed webhooks")
    args = parser.parse_args(argv)
    if args.zalo:
        from notifications.sandbox.zalo_app import start_zalo_sandbox
        from notifications.sandbox.zalo_store import ZaloSandboxState

        state = ZaloSandboxState(webhook_url=args.webhook_url, timeout_delay_s=args.timeout_delay)
        running = start_zalo_sandbox(state, host=args.host, port=args.port, quiet=False)
        print(f"Zalo sandbox on {running.url} (webhooks to {args.webhook_url})", flush=True)
    else:
        running = start_sandbox(  # type: ignore[assignment]
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
