"""Segments per SMS template, as stored on the Message rows, in both modes of a commune.

``python -m bench.sms_segments`` queues every template (with the realistic long values of
``bench.template_segments``) through ``notifications.outbound.queue_sms`` for a commune that
sends with diacritics and one that folds them to ASCII, then sends each body through the real
twilio SDK to the sandbox and compares our stored count with the provider's ``num_segments``.
Prints a Markdown table; exits 1 if any template needs more than 2 segments or the counts
disagree.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def main() -> int:
    from bench.template_segments import values_for
    from dispatch.db import make_engine, make_session_factory, upgrade
    from dispatch.models import Commune, Province
    from dispatch.settings import load_settings
    from notifications.channels.twilio_channel import TwilioChannel
    from notifications.outbound import Outgoing, queue_sms
    from notifications.sandbox import (
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        SANDBOX_FROM_NUMBER,
        start_sandbox,
    )
    from notifications.templates import TEMPLATES

    folder = Path(tempfile.mkdtemp(prefix="sms-segments-"))
    url = f"sqlite:///{folder / 'segments.sqlite3'}"
    upgrade(url)
    settings = load_settings(
        {
            "DOORSTEP_INSTANCE_PATH": str(folder),
            "DATABASE_URL": url,
            "DOORSTEP_SECRET_KEY": "bench-secret-key-long-enough-0002",
            "DOORSTEP_QUIET_HOURS": "",
        }
    )
    sandbox = start_sandbox(callback_delay_s=0.01)
    channel = TwilioChannel(
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        public_url="http://127.0.0.1:9",  # callbacks are not needed here
        from_number=SANDBOX_FROM_NUMBER,
        api_base_url=sandbox.url,
    )
    engine = make_engine(url)
    modes = (
        ("vi", "ACCENT", "vi, diacritics"),
        ("vi", "FOLD", "vi, folded"),
        ("en", "ACCENT", "en"),
    )
    bad = 0
    rows = []
    with make_session_factory(engine)() as session:
        session.add(Province(code="AG", name="An Giang"))
        session.add(Commune(code="ACCENT", province_code="AG", name="A", lat=9.6, lon=105.1))
        session.add(
            Commune(
                code="FOLD", province_code="AG", name="B", lat=9.6, lon=105.1, fold_diacritics=True
            )
        )
        session.flush()
        for i, name in enumerate(TEMPLATES):
            cells = []
            for lang, commune, _ in modes:
                out = Outgoing(
                    "+84912345678", name, values_for(name, lang), f"seg:{i}:{commune}:{lang}",
                    lang=lang, commune_code=commune,
                )  # fmt: skip
                message = queue_sms(session, settings, out)
                provider = channel.send(message.peer_phone, message.body, message.our_id, None)
                agree = provider.segments == message.segments
                bad += (message.segments > 2) + (not agree)
                mark = "" if agree else f" (provider {provider.segments})"
                cells.append(f"{message.segments} {message.encoding}, {len(message.body)} ch{mark}")
            rows.append(f"| {name} | " + " | ".join(cells) + " |")
        session.rollback()
    engine.dispose()
    sandbox.stop()
    print("| template | " + " | ".join(label for _, _, label in modes) + " |")
    print("|---" * (len(modes) + 1) + "|")
    print("\n".join(rows))
    print(f"\n{len(TEMPLATES)} templates; over 2 segments or disagreeing with the provider: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
