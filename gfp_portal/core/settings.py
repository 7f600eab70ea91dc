"""Settings kept in the database (policy rules the Office may change), with shipped defaults."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from gfp_portal.core.audit import log_action
from gfp_portal.core.db import UTCDateTime, db, utcnow

# Grades from lowest to highest; the equivalence table maps other categories onto these.
GRADE_LADDER = ("G-1", "G-2", "G-3", "G-4", "G-5", "G-6", "G-7",
                "P-1", "P-2", "P-3", "P-4", "P-5", "D-1", "D-2", "ASG", "USG")

# Shipped defaults (ST/SGB/2023/3 and the UN-SWAP requirements); the Office can change them.
DEFAULTS = {
    "policy.default_term_years": 2,
    "policy.alert_days": [90, 30, 7],
    "policy.min_grade": "P-4",
    "policy.min_time_share": 20,
    "policy.require_terms_of_reference": True,
    "coverage.reminder_days": 30,
    "nominations.daily_digest": False,
    "sessions.reminder_hours": 24,
    "attendance.check_in_opens_minutes": 15,
    "attendance.check_in_closes_minutes": 30,
    "attendance.present_percent": 75,
    "attendance.partial_percent": 25,
    "evaluations.open_days": 14,
    "policy.grade_equivalence": {
        "NO-A": "P-2", "NO-B": "P-3", "NO-C": "P-4", "NO-D": "P-5", "NO-E": "P-5",
        "FS-4": "P-1", "FS-5": "P-2", "FS-6": "P-3", "FS-7": "P-4",
    },
}


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# Where a transaction keeps the settings it read (the session's info, cleared as it ends).
_CACHE = "core.settings"


def _stored():
    """Every stored setting, read in one query the first time a transaction asks and kept
    until it ends (a request reads many keys; most fall back to their default)."""
    info = db.session.info
    if _CACHE not in info:
        info[_CACHE] = {row.key: row.value for row in db.session.scalars(select(Setting))}
    return info[_CACHE]


@event.listens_for(Session, "after_transaction_end")
def _forget_stored(session, transaction):
    if transaction.parent is None:
        session.info.pop(_CACHE, None)


def get_setting(key):
    return _stored().get(key, DEFAULTS[key])


def all_settings(prefix=""):
    stored = _stored()
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()
            if key.startswith(prefix)}


def update_settings(values, *, actor, now=None):
    """Store the given settings; audit what changed. Keys must be known."""
    now = now or utcnow()
    current = all_settings()
    changes = {}
    for key, value in values.items():
        if key not in DEFAULTS:
            raise KeyError(key)
        if current[key] == value:
            continue
        changes[key] = [current[key], value]
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value, updated_at=now,
                                   updated_by_id=getattr(actor, "id", None)))
        else:
            row.value, row.updated_at = value, now
            row.updated_by_id = getattr(actor, "id", None)
    db.session.info.pop(_CACHE, None)
    if changes:
        log_action("settings.update", None, actor=actor, now=now, object_type="settings",
                   changes=changes)
    db.session.flush()
    return changes


def grade_rank(grade, equivalence=None):
    """Position of `grade` on the ladder after equivalence, or None when unknown."""
    if not grade:
        return None
    grade = grade.strip().upper()
    equivalence = get_setting("policy.grade_equivalence") if equivalence is None else equivalence
    grade = {k.upper(): v for k, v in equivalence.items()}.get(grade, grade)
    try:
        return GRADE_LADDER.index(grade)
    except ValueError:
        return None


def grades_at_or_above(minimum, equivalence):
    """Every grade code (ladder or equivalent) that meets `minimum`."""
    floor = GRADE_LADDER.index(minimum)
    codes = set(GRADE_LADDER[floor:])
    codes |= {code for code, same in equivalence.items()
              if same in GRADE_LADDER and GRADE_LADDER.index(same) >= floor}
    return codes
