"""Demo data: three communes of An Giang, a team per hamlet, 60 volunteers, residents and a few
days of requests in every state, a coordinator per commune and an admin.

``load_demo(session, now)`` loads only into an empty database and says whether it did. The
request histories go through the real services, so events and audit rows are consistent; the
historical events are marked published (nobody should get SMS about last week) and one
``ReplanRequested`` per commune is left for the planner.

Commune and hamlet codes are demo codes, not the official ones. Demo logins:
``admin`` / ``demo-admin``; ``uminhthuong`` / ``demo-uminhthuong``; ``anminh`` /
``demo-anminh``; ``vankhanh`` / ``demo-vankhanh``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from demo.people import mobile_number, vietnamese_name
from dispatch import outbox
from dispatch.catalogue import KEYS
from dispatch.clock import as_utc
from dispatch.events import CampaignStarted, ReplanRequested
from dispatch.models import (
    Commune,
    Event,
    Hamlet,
    Province,
    Role,
    Team,
    User,
    Volunteer,
    VolunteerShift,
)
from dispatch.models.geo import SmsChannelKind

PROVINCE = ("91", "An Giang")


@dataclass(frozen=True)
class CommuneSpec:
    code: str
    name: str
    login: str
    lat: float
    lon: float
    sms_channel: str
    fold_diacritics: bool
    hamlets: tuple[tuple[str, float, float], ...]  # name, lat, lon
    channel_order: str = ""  # "" : the SMS channel alone


COMMUNES = (
    CommuneSpec(
        "91501",
        "U Minh Thượng",
        "uminhthuong",
        9.618,
        105.082,
        SmsChannelKind.TWILIO,
        False,
        (
            ("Minh Thuận A", 9.632, 105.071),
            ("Minh Thuận B", 9.611, 105.094),
            ("Công Sự", 9.603, 105.066),
            ("Minh Hòa", 9.641, 105.097),
        ),
        "zalo,twilio",  # Zalo first (the sandbox's fake Zalo in development), SMS after
    ),
    CommuneSpec(
        "91502",
        "An Minh",
        "anminh",
        9.684,
        104.968,
        SmsChannelKind.ANDROID_GATEWAY,
        False,
        (
            ("Ấp 1", 9.695, 104.955),
            ("Ấp 2", 9.678, 104.981),
            ("Ấp 3", 9.664, 104.962),
            ("Xẻo Đước", 9.703, 104.989),
        ),
    ),
    CommuneSpec(
        "91503",
        "Vân Khánh",
        "vankhanh",
        9.771,
        104.936,
        SmsChannelKind.TWILIO,
        True,  # long Vietnamese SMS cost 2-3x as UCS-2: this commune folds to plain letters
        (
            ("Kim Quy A", 9.783, 104.921),
            ("Kim Quy B", 9.776, 104.948),
            ("Vân Tập", 9.759, 104.931),
            ("Xẻo Nhàu", 9.792, 104.957),
        ),
    ),
)

BLOCKS = ((time(7, 0), time(11, 30)), (time(11, 0), time(16, 0)), (time(15, 30), time(21, 0)))
VOLUNTEERS_PER_HAMLET = 5


def is_empty(session: Session) -> bool:
    return not session.scalar(select(exists().where(Province.code.is_not(None))))


def load_demo(session: Session, now: datetime) -> bool:
    """Load the demo into an empty database; return False (and do nothing) otherwise.

    Inside the caller's unit of work (the ``doorstep demo`` command): one commit for it all."""
    now = as_utc(now)
    if not is_empty(session):
        return False
    rng = random.Random(20251130)
    phones: set[str] = set()
    province = Province(code=PROVINCE[0], name=PROVINCE[1])
    session.add(province)
    for spec in COMMUNES:
        commune = _commune(session, spec, province)
        _volunteers(session, rng, commune, phones)
        _coordinator(session, spec, commune)
    admin = User(username="admin", email="admin@doorstep.example", role=Role.ADMIN)
    admin.set_password("demo-admin")
    session.add(admin)
    session.flush()

    from demo.histories import load_request_histories

    load_request_histories(session, rng, now, phones)
    # History is not news: nobody should be texted about last week's visits.
    session.execute(update(Event).where(Event.published_at.is_(None)).values(published_at=now))
    for spec in COMMUNES:
        outbox.record(session, ReplanRequested(commune_code=spec.code, by="demo"))
    from demo.campaign import load_demo_campaign

    campaign = load_demo_campaign(session, rng, now)
    # The worker plans today's and later walk lists, as for a campaign a coordinator started.
    outbox.record(session, CampaignStarted(campaign.commune_code, campaign.id))
    return True


def _commune(session: Session, spec: CommuneSpec, province: Province) -> Commune:
    commune = Commune(
        code=spec.code,
        province=province,
        name=spec.name,
        lat=spec.lat,
        lon=spec.lon,
        sms_channel=spec.sms_channel,
        fold_diacritics=spec.fold_diacritics,
        channel_order=spec.channel_order,
    )
    session.add(commune)
    for index, (name, lat, lon) in enumerate(spec.hamlets, start=1):
        hamlet = Hamlet(
            code=f"{spec.code}-{index:02d}", commune=commune, name=name, lat=lat, lon=lon
        )
        session.add(hamlet)
        session.add(
            Team(
                commune=commune,
                hamlet=hamlet,
                name=f"Tổ công nghệ số cộng đồng {name}",
            )
        )
    session.flush()
    return commune


def _skills(rng: random.Random, slot: int) -> list[str]:
    """Everyone knows smartphones and VNeID (the teams' first training, and the headline of
    door-to-door campaigns); each slot guarantees one kind so a team covers all eight."""
    skills = {"smartphone_basics", "vneid", KEYS[slot % len(KEYS)], KEYS[(slot + 3) % len(KEYS)]}
    skills.update(rng.sample(KEYS, rng.randint(0, 2)))
    return sorted(skills)


def _volunteers(
    session: Session, rng: random.Random, commune: Commune, phones: set[str]
) -> list[Volunteer]:
    teams = list(session.scalars(select(Team).where(Team.commune_code == commune.code)))
    hamlets = {h.code: h for h in commune.hamlets}
    volunteers: list[Volunteer] = []
    for team in teams:
        assert team.hamlet_code is not None
        hamlet = hamlets[team.hamlet_code]
        for slot in range(VOLUNTEERS_PER_HAMLET):
            khmer = slot == 4 and commune.code != "91501"
            volunteer = Volunteer(
                phone=mobile_number(rng, phones),
                name=vietnamese_name(rng, khmer=khmer),
                team_id=team.id,
                commune_code=commune.code,
                home_lat=round(hamlet.lat + rng.uniform(-0.008, 0.008), 6),
                home_lon=round(hamlet.lon + rng.uniform(-0.008, 0.008), 6),
                skills=_skills(rng, len(volunteers) + slot),
                languages=["vi", "km"] if khmer else ["vi"],
                max_visits_per_shift=rng.choice((3, 4, 4, 5)),
                preferred_channel="web" if slot == 2 else "sms",
            )
            session.add(volunteer)
            volunteers.append(volunteer)
    session.flush()
    _shifts(session, rng, volunteers)
    return volunteers


def _shifts(session: Session, rng: random.Random, volunteers: list[Volunteer]) -> None:
    """Each (weekday, block) gets two volunteers of the commune, plus personal extra shifts."""
    chosen: set[tuple[int, int, int]] = set()
    count = len(volunteers)
    for weekday in range(7):
        for block in range(len(BLOCKS)):
            slot = weekday * len(BLOCKS) + block
            chosen.add((slot % count, weekday, block))
            chosen.add(((slot + count // 2 + 3) % count, weekday, block))
    for index in range(count):
        for weekday in rng.sample(range(7), 3):
            chosen.add((index, weekday, rng.randrange(len(BLOCKS))))
    for index, weekday, block in sorted(chosen):
        start, end = BLOCKS[block]
        session.add(
            VolunteerShift(
                volunteer_id=volunteers[index].id, weekday=weekday, start_local=start, end_local=end
            )
        )
    session.flush()


def _coordinator(session: Session, spec: CommuneSpec, commune: Commune) -> None:
    user = User(
        username=spec.login,
        email=f"{spec.login}@doorstep.example",
        role=Role.COORDINATOR,
        communes=[commune],
    )
    user.set_password(f"demo-{spec.login}")
    session.add(user)
