"""Segments per SMS template, as stored on the Message rows, in both modes of a commune.

``python -m bench.sms_segments`` queues every template (with the realistic long values of
``bench.template_segments``) through ``notifications.outbound.queue_sms`` for a commune that
sends with diacritics and one that folds them to ASCII, then sends each body through the real
twilio SDK to the sandbox and compares our stored count with the provider's ``num_segments``.
Prints a Markdown table; exits 1 if any template needs more than 2 segments or the counts
disagree.

A second table shows what a volunteer is sent for N offers of one plan run (2 to 7, with the
longest short kind labels and a hamlet with diacritics), in each mode: ONE digest (its segments)
when it fits in two, else N single offers; and the "which one?" question for N offers waiting,
which shortens its items until it fits. Those messages go through the same queue and sandbox.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

LIST_KINDS = ("health_insurance", "e_payment", "online_selling", "smartphone_basics")


def _offers(count: int) -> list[Any]:
    """Stand-ins for offered assignments, as ``notifications.offer_texts`` reads them."""
    from bench.template_segments import VISIT
    from dispatch.models.requests import OFFER_LETTERS

    return [
        SimpleNamespace(
            letter=OFFER_LETTERS[i],
            start_at=VISIT + timedelta(hours=i),
            request=SimpleNamespace(kind=LIST_KINDS[i % len(LIST_KINDS)]),
        )
        for i in range(count)
    ]


def list_rows(session: Any, settings: Any, send: Any, modes: Any) -> tuple[list[str], int]:
    """Rows of the second table and how many messages broke the two-segment rule."""
    from notifications.offer_texts import MAX_SEGMENTS, listing
    from notifications.outbound import Outgoing, queue_sms, segments_of

    rows, bad = [], 0
    for count in range(2, 8):
        digest_cells, choice_cells = [], []
        for lang, commune, _ in modes:
            for template, cells, details in (
                ("offer_digest", digest_cells, (2,)),
                ("offer_choice", choice_cells, (2, 1, 0)),
            ):

                def out(values: dict[str, object], t: str = template, c: str = commune,
                        lg: str = lang, n: int = count) -> Outgoing:  # fmt: skip
                    return Outgoing("+84912345678", t, values, f"list:{t}:{n}:{c}:{lg}",
                                    lang=lg, commune_code=c)  # fmt: skip

                values = listing(
                    _offers(count), lambda _a: "Minh Thuận B", lang,
                    lambda v: segments_of(session, out(v)) <= MAX_SEGMENTS, details=details,
                )  # fmt: skip
                if values is None:
                    cells.append(f"{count} single offers")
                    continue
                message = queue_sms(session, settings, out(values))
                agree = send(message)
                bad += (message.segments > MAX_SEGMENTS) + (not agree)
                cells.append(f"{message.segments} {message.encoding}" + ("" if agree else " (!)"))
        rows.append(f"| {count} | " + " | ".join(digest_cells + choice_cells) + " |")
    return rows, bad


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

    def send(message: Any) -> bool:
        """Through the twilio SDK to the sandbox: does the provider count the same?"""
        provider = channel.send(message.peer_phone, message.body, message.our_id, None)
        return bool(provider.segments == message.segments)

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
                agree = send(message)
                bad += (message.segments > 2) + (not agree)
                mark = "" if agree else " (provider disagrees)"
                cells.append(f"{message.segments} {message.encoding}, {len(message.body)} ch{mark}")
            rows.append(f"| {name} | " + " | ".join(cells) + " |")
        listed, listed_bad = list_rows(session, settings, send, modes)
        bad += listed_bad
        session.rollback()
    engine.dispose()
    sandbox.stop()
    print("| template | " + " | ".join(label for _, _, label in modes) + " |")
    print("|---" * (len(modes) + 1) + "|")
    print("\n".join(rows))
    labels = [label for _, _, label in modes]
    print("\n| offers | " + " | ".join(f"digest, {x}" for x in labels) + " | "
          + " | ".join(f"which one?, {x}" for x in labels) + " |")  # fmt: skip
    print("|---" * (2 * len(modes) + 1) + "|")
    print("\n".join(listed))
    print(f"\n{len(TEMPLATES)} templates and the lists above; over 2 segments or disagreeing "
          f"with the provider: {bad}")  # fmt: skip
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
