"""Coordinator and admin logins. Passwords are hashed with werkzeug.security."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from dispatch.models.base import Base, Timestamps
from dispatch.models.geo import Commune


class Role:
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ALL = (ADMIN, COORDINATOR)


user_commune = Table(
    "user_commune",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("commune_code", ForeignKey("commune.code", ondelete="CASCADE"), primary_key=True),
)


class User(Timestamps, Base):
    __tablename__ = "user_account"  # "user" is reserved on PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.COORDINATOR)
    active: Mapped[bool] = mapped_column(default=True)

    communes: Mapped[list[Commune]] = relationship(secondary=user_commune)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def can_see(self, commune_code: str) -> bool:
        """Admins see every commune; a coordinator only the communes they are scoped to."""
        return self.is_admin or any(c.code == commune_code for c in self.communes)
