"""A record of each coverage reminder sent to a Resident Coordinator (to space them out)."""
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from gfp_portal.core.db import UTCDateTime, utcnow
from gfp_portal.extensions import db


class CoverageReminder(db.Model):
    __tablename__ = "coverage_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    gaps: Mapped[int] = mapped_column(default=0)
