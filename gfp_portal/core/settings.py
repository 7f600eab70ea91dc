"""Settings kept in the database (rules the Office may change), with the shipped defaults
that each domain declares."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from gfp_portal.core.audit import log_action
from gfp_portal.core.db import UTCDateTime, db, kept_for_transaction, utcnow

# Every setting with its shipped default, declared by the domain that reads it
# (register_defaults, called by create_app); the Office can change them.
DEFAULTS = {}


def register_defaults(defaults):
    """Declare a domain's settings and their shipped defaults; a key belongs to one domain."""
    for key, value in defaults.items():
        if DEFAULTS.setdefault(key, value) != value:
            raise ValueError(f"setting {key!r} is declared twice")


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AllSettings:
    """The settings as one record of the audit trail (their events name no row): what an edit
    form of them keeps and checks (core.edits.unless_crossed)."""
    __tablename__ = "settings"
    id = None


ALL_SETTINGS = AllSettings()


# Where a transaction keeps the settings it read (the session's info, cleared as it ends).
_CACHE = "core.settings"
kept_for_transaction(_CACHE)


def _stored():
    """Every stored setting, read in one query the first time a transaction asks and kept
    until it ends (a request reads many keys; most fall back to their default)."""
    info = db.session.info
    if _CACHE not in info:
        info[_CACHE] = {row.key: row.value for row in db.session.scalars(select(Setting))}
    return info[_CACHE]


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
