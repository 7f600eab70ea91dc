"""User, its roles and UNCT scope, and single-use account tokens."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import UTCDateTime, association_table, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.tokens import new_raw
from gfp_portal.extensions import db
from gfp_portal.reference.models import Unct
from gfp_portal.registry.models import Person


class Role(TitledEnum):
    admin = _l("Administrator")
    coordinator = _l("Coordinator")
    resident_coordinator = _l("Resident Coordinator")
    focal_point = _l("Focal point")


user_uncts = association_table("user_uncts", ("user_id", "users.id"), ("unct_id", "uncts.id"))


def new_session_token():
    return new_raw(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=False)
    # Changes on every password change or deactivation, which signs out every other session.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), unique=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the personal calendar feed's token; None: no feed (or revoked).
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    uncts: Mapped[list[Unct]] = relationship(secondary=user_uncts, order_by=Unct.iso3)
    person: Mapped[Person | None] = relationship()

    def get_id(self):
        return self.session_token

    @property
    def roles(self):
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, role):
        return Role(role) in self.roles

    def has_any_role(self, roles):
        return bool(self.roles & {Role(r) for r in roles})

    @property
    def is_staff(self):
        """Coordinators and admins run the network."""
        return self.has_any_role(("coordinator", "admin"))

    @property
    def display_name(self):
        return self.person.full_name if self.person else self.email

    @property
    def is_anonymised(self):
        """The account of a person anonymised (privacy.anonymise): closed for good, its
        address and password erased."""
        return self.person is not None and self.person.anonymised_at is not None

    @property
    def has_password(self):
        """Activated once: the person chose a password (kept while deactivated)."""
        return self.password_hash is not None

    @property
    def status(self):
        if self.is_active:
            return "active"
        return "deactivated" if self.deactivated_at else "invited"

    def __str__(self):
        return self.email


Index("uq_users_email_lower", func.lower(User.email), unique=True)


# Who wrote an audit event: core's trail keeps only the user's id; the relationship to the User
# model is declared here, by the domain that owns it.
AuditEvent.actor = relationship(User, lazy="joined")


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[Role] = enum_column(Role, length=32, primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class TokenPurpose(enum.StrEnum):
    activation = "activation"
    password_reset = "password_reset"  # noqa: S105 — a token purpose, not a secret


class AccountToken(db.Model):
    """A single-use, expiring link token; only its SHA-256 digest is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = enum_column(TokenPurpose, length=32)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
