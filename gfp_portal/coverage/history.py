"""What the coverage domain's audit events say: the one setting it reads."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import describe


def register():
    describe("settings", labels={"coverage.reminder_days": _l("Days between coverage reminders")})
