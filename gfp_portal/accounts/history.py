"""What the audit events of user accounts say."""
from flask_babel import lazy_gettext as _l

from gfp_portal.accounts.models import Role
from gfp_portal.core.history import describe, language_value, plain_value, zone_value
from gfp_portal.reference.countries import country_name

_STATUS = {"invited": _l("Invited"), "active": _l("Active"), "deactivated": _l("Deactivated")}


def _roles(values):
    return [str(Role(v).title) for v in values] if isinstance(values, list) \
        else str(Role(values).title)


def _uncts(values):
    return [country_name(v) for v in values] if isinstance(values, list) else country_name(values)


def _status(value):
    return str(_STATUS.get(value, value))


def _listed(formatter):
    return lambda value: plain_value(formatter(value))


def register():
    describe("users", title=_l("User account"), labels={
        "email": _l("Email address"), "roles": _l("Roles"), "uncts": _l("UN Country Team"),
        "status": _l("Status"), "locale": _l("Language"), "time_zone": _l("Time zone"),
    }, values={"roles": _listed(_roles), "uncts": _listed(_uncts), "status": _status,
               "locale": language_value, "time_zone": zone_value},
        sentences={
        "user.invite": _l("Invited to activate an account"),
        "user.activate": _l("Account activated"),
        "user.sign_out": _l("Signed out everywhere"),
        "user.password_reset_requested": _l("Password reset requested"),
        "user.password_reset": _l("Password reset"),
        "user.password_change": _l("Password changed"),
        "user.preferences": _l("Language and time zone changed"),
        "user.roles": _l("Roles changed"),
        "user.deactivate": _l("Account deactivated"),
        "user.reactivate": _l("Account reactivated"),
        "user.data_export": _l("Own data downloaded"),
        "user.invite_resent": _l("Activation email sent again"),
        "user.create_admin": _l("Administrator account created"),
        "user.calendar_token": _l("New calendar feed address"),
    })
