"""Where people live: Province -> Commune -> Hamlet, keyed by official code.

Codes, not names, are keys: after the 2025 merger many communes share a name.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.models.base import Base


class SmsChannelKind:
    TWILIO = "twilio"
    ANDROID_GATEWAY = "android_gateway"
    ALL = (TWILIO, ANDROID_GATEWAY)


class ChannelKind:
    """Every channel a commune can put in its order (Zalo first, SMS after, usually)."""

    ZALO = "zalo"
    ALL = (ZALO, *SmsChannelKind.ALL)


class Province(Base):
    __tablename__ = "province"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))

    communes: Mapped[list[Commune]] = relationship(back_populates="province")


class Commune(Base):
    """A commune and its settings (channels, whether SMS text folds diacritics)."""

    __tablename__ = "commune"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float]
    lon: Mapped[float]
    sms_channel: Mapped[str] = mapped_column(String(32), default=SmsChannelKind.TWILIO)
    fold_diacritics: Mapped[bool] = mapped_column(default=False)
    # Channels to try in order, e.g. "zalo,android_gateway,twilio"; empty: sms_channel alone.
    channel_order: Mapped[str] = mapped_column(String(64), default="")

    @property
    def channels(self) -> list[str]:
        """The channel order, ending with an SMS channel (the commune's own when none is named)."""
        chosen = [c.strip() for c in self.channel_order.split(",") if c.strip()]
        if not any(c in SmsChannelKind.ALL for c in chosen):
            chosen.append(self.sms_channel)
        return chosen

    province: Mapped[Province] = relationship(back_populates="communes")
    hamlets: Mapped[list[Hamlet]] = relationship(back_populates="commune", order_by="Hamlet.code")


class Hamlet(Base):
    __tablename__ = "hamlet"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float]
    lon: Mapped[float]

    commune: Mapped[Commune] = relationship(back_populates="hamlets")


class Team(Base):
    """A community digital technology team, one per hamlet in the demo."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"), index=True)
    hamlet_code: Mapped[str | None] = mapped_column(ForeignKey("hamlet.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    commune: Mapped[Commune] = relationship()
    hamlet: Mapped[Hamlet | None] = relationship()
