"""FormerAddress: the addresses a person had before the registry changed theirs, kept as
digests so that anonymising them finds what was written to those addresses once the audit
details period has emptied the registry's history."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gfp_portal.core.db import UTCDateTime, utcnow
from gfp_portal.extensions import db


class FormerAddress(db.Model):
    """One address `person_id` no longer has, as the SHA-256 digest of its lower-case form:
    never shown, never readable, only compared with the addresses the outbox, nominations
    and guests hold. Removed when the person is anonymised."""

    __tablename__ = "former_addresses"
    __table_args__ = (UniqueConstraint("person_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    digest: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
