"""A province-sized data set: 102 communes, about 1,035 hamlets (a team each), 8,000 volunteers
with weekly shifts, and a generator of one day's requests (about 30,000 over 07:00-21:00 with
a morning peak) arriving by SMS, the web form and the partner API.

Made for load tests and demos of scale (``doorstep demo --province``, ``bench.province``);
deterministic for a seed. Loaded with bulk inserts (one statement per table and batch), since
8,000 volunteers one ORM object at a time would take minutes. Codes are synthetic (``91600``
onwards), never the official ones.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from demo.communes import BLOCKS, is_empty
from demo.people import mobile_number, vietnamese_name
from dispatch import outbox
from dispatch.catalogue import KEYS
from dispatch.events import ReplanRequested
from dispatch.models import Commune, Hamlet, Province, Team, User, Volunteer, VolunteerShift
from dispatch.models.users import Role

PROVINCE = ("91", "An Giang")
_WORDS = ("An", "Bình", "Hòa", "Phú", "Tân", "Long", "Mỹ", "Thạnh", "Vĩnh", "Đông", "Tây",
          "Khánh", "Lợi", "Hưng", "Thới", "Phước", "Châu", "Định", "Hiệp", "Xuân")  # fmt: skip
# One day's arrivals: this share in a morning peak (normal around 08:30, sd 50 min), the rest
# spread evenly over 07:00-21:00. At 30,000 requests the peak reaches about 2.1 a second.
PEAK_SHARE, PEAK_AT_S, PEAK_SD_S = 0.4, 1.5 * 3600, 50 * 60
DAY_S = 14 * 3600
CHANNEL_SHARES = (("sms", 0.6), ("web", 0.25), ("api", 0.15))


@dataclass(frozen=True)
class ProvinceSpec:
    communes: int = 102
    hamlets: int = 1035
    volunteers: int = 8000
    requests: int = 30_000
    seed: int = 14

    def scaled(self, factor: float) -> ProvinceSpec:
        return ProvinceSpec(
            max(1, round(self.communes * factor)), max(1, round(self.hamlets * factor)),
            max(1, round(self.volunteers * factor)), max(1, round(self.requests * factor)),
            self.seed,
        )  # fmt: skip


@dataclass(frozen=True)
class Arrival:
    """One request of the day: when (seconds after 07:00 local), how, where, what, who."""

    at_s: float
    channel: str  # sms | web | api
    commune_code: str
    hamlet_code: str
    hamlet_name: str
    kind: str
    phone: str


def commune_code(index: int) -> str:
    return f"91{600 + index:03d}"


def load_province(session: Session, spec: ProvinceSpec) -> bool:
    """Load the province into an empty database (in the caller's unit of work); False (nothing
    done) otherwise."""
    if not is_empty(session):
        return False
    rng = random.Random(spec.seed)
    session.add(Province(code=PROVINCE[0], name=PROVINCE[1]))
    session.flush()
    hamlets = _places(session, spec, rng)
    _volunteers(session, spec, rng, hamlets)
    admin = User(username="admin", email="admin@doorstep.example", role=Role.ADMIN)
    admin.set_password("demo-admin")
    session.add(admin)
    for index in range(spec.communes):
        outbox.record(session, ReplanRequested(commune_code=commune_code(index), by="demo"))
    return True


def _places(session: Session, spec: ProvinceSpec, rng: random.Random) -> list[dict[str, object]]:
    side = math.ceil(math.sqrt(spec.communes))
    communes, hamlets = [], []
    for index in range(spec.communes):
        lat = 9.6 + 1.2 * (index // side) / side + rng.uniform(-0.02, 0.02)
        lon = 104.6 + 1.0 * (index % side) / side + rng.uniform(-0.02, 0.02)
        name = f"Xã {rng.choice(_WORDS)} {rng.choice(_WORDS)} {index + 1}"
        communes.append({"code": commune_code(index), "province_code": PROVINCE[0],
                         "name": name, "lat": round(lat, 5), "lon": round(lon, 5)})  # fmt: skip
    session.execute(insert(Commune), communes)
    for index in range(spec.hamlets):
        commune = communes[index % spec.communes]
        number = index // spec.communes + 1
        hamlets.append({
            "code": f"{commune['code']}-{number:02d}", "commune_code": commune["code"],
            "name": f"Ấp {rng.choice(_WORDS)} {number}",
            "lat": round(float(commune["lat"]) + rng.uniform(-0.03, 0.03), 5),  # type: ignore[arg-type]
            "lon": round(float(commune["lon"]) + rng.uniform(-0.03, 0.03), 5),  # type: ignore[arg-type]
        })  # fmt: skip
    session.execute(insert(Hamlet), hamlets)
    teams = [{"commune_code": h["commune_code"], "hamlet_code": h["code"],
              "name": f"Tổ công nghệ số cộng đồng {h['name']}"} for h in hamlets]  # fmt: skip
    ids = session.scalars(insert(Team).returning(Team.id, sort_by_parameter_order=True), teams)
    for hamlet, team_id in zip(hamlets, ids, strict=True):
        hamlet["team_id"] = team_id
    return hamlets


def _volunteers(
    session: Session, spec: ProvinceSpec, rng: random.Random, hamlets: list[dict[str, object]]
) -> None:
    phones: set[str] = set()
    rows = []
    for index in range(spec.volunteers):
        hamlet = hamlets[index % len(hamlets)]
        skills = {"smartphone_basics", KEYS[index % len(KEYS)], KEYS[(index + 3) % len(KEYS)]}
        rows.append({
            "phone": mobile_number(rng, phones), "name": vietnamese_name(rng),
            "team_id": hamlet["team_id"], "commune_code": hamlet["commune_code"],
            "home_lat": round(float(hamlet["lat"]) + rng.uniform(-0.008, 0.008), 6),  # type: ignore[arg-type]
            "home_lon": round(float(hamlet["lon"]) + rng.uniform(-0.008, 0.008), 6),  # type: ignore[arg-type]
            "skills": sorted(skills), "languages": ["vi"],
            "max_visits_per_shift": rng.choice((3, 4, 4, 5)),
        })  # fmt: skip
    for start in range(0, len(rows), 2000):
        batch = rows[start : start + 2000]
        ids = list(session.scalars(
            insert(Volunteer).returning(Volunteer.id, sort_by_parameter_order=True), batch
        ))  # fmt: skip
        shifts = []
        for volunteer_id in ids:
            # Weekly shifts: three to five (weekday, block) pairs each.
            for weekday, block in rng.sample([(d, b) for d in range(7) for b in range(3)],
                                             rng.randint(3, 5)):  # fmt: skip
                begin, end = BLOCKS[block]
                shifts.append({"volunteer_id": volunteer_id, "weekday": weekday,
                               "start_local": begin, "end_local": end})  # fmt: skip
        session.execute(insert(VolunteerShift), shifts)


def arrivals(spec: ProvinceSpec, hamlets: list[tuple[str, str, str]]) -> Iterator[Arrival]:
    """The day's requests in time order; ``hamlets`` = (commune code, hamlet code, name)."""
    rng = random.Random(spec.seed * 7919)
    times = []
    for _ in range(spec.requests):
        if rng.random() < PEAK_SHARE:
            times.append(min(DAY_S - 1.0, max(0.0, rng.gauss(PEAK_AT_S, PEAK_SD_S))))
        else:
            times.append(rng.uniform(0, DAY_S))
    phones: set[str] = set()
    channels = [name for name, _share in CHANNEL_SHARES]
    weights = [share for _name, share in CHANNEL_SHARES]
    for at_s in sorted(times):
        commune, hamlet, name = rng.choice(hamlets)
        yield Arrival(round(at_s, 3), rng.choices(channels, weights)[0], commune, hamlet, name,
                      rng.choice(KEYS), mobile_number(rng, phones))  # fmt: skip


def peak_rate_per_s(spec: ProvinceSpec) -> float:
    """Requests a second at the top of the morning peak (for sizing the bench)."""
    peak = spec.requests * PEAK_SHARE / (PEAK_SD_S * math.sqrt(2 * math.pi))
    return peak + spec.requests * (1 - PEAK_SHARE) / DAY_S
