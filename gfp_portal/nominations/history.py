"""What the audit events of nominations say."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import describe, hidden, language_value, title_of
from gfp_portal.core.i18n import isolated
from gfp_portal.nominations.models import Nomination, NominationState
from gfp_portal.reference.countries import country_name
from gfp_portal.registry.history import scope_text
from gfp_portal.registry.models import AppointmentRole


def _nominated(values):
    """The nominee's name is isolated, as the entity and team in `scope_text` are: a Latin
    name in an Arabic sentence keeps its own direction (the sentence is only shown on pages)."""
    scope = scope_text(values["entity"], values.get("scope"))
    name = isolated(" ".join(v for v in (values.get("given_name"), values.get("family_name"))
                             if v))
    if values["role"] == AppointmentRole.alternate:
        return _("%(name)s nominated as alternate for %(scope)s", name=name, scope=scope)
    return _("%(name)s nominated as focal point for %(scope)s", name=name, scope=scope)


def register():
    describe("nominations", title=_l("Nomination"),
             page=(Nomination, "nominations.detail", "nomination_id"), labels={
        "given_name": _l("Given name"), "family_name": _l("Family name"),
        "email": _l("Email address"), "position_title": _l("Position title"),
        "grade": _l("Grade"), "preferred_language": _l("Language of the nominee's emails"),
        "time_share": _l("Share of working time (%)"),
        "tor_acknowledged": _l("Terms of reference on file"),
        "start_date": _l("Start date of the appointment"), "justification": _l("Justification"),
        "role": _l("Role"), "entity": _l("Entity"), "scope": _l("Scope"),
        "duty_station": _l("Duty station"), "replaces": _l("Replaces"),
        "letter": _l("Nomination letter (PDF or DOCX, optional)"), "state": _l("State"),
        "appointment": _l("Appointment"), "nominator": _l("Nominated by"),
    }, values={
        "preferred_language": language_value, "role": title_of(AppointmentRole),
        "state": title_of(NominationState), "appointment": hidden, "replaces": hidden,
        "scope": lambda v: _("Headquarters") if v == "HQ" else country_name(v),
    }, sentences={
        "nomination.submit": _nominated, "nomination.verify": _nominated,
        "nomination.resubmit": _l("Changed and submitted again"),
        "nomination.withdraw": _l("Nomination withdrawn"),
        "nomination.request_changes": _l("Changes requested from the nominator"),
        "nomination.new_link": _l("New link sent to the applicant to complete the request"),
        "nomination.reject": _l("Nomination rejected"),
        "nomination.approve": _l("Nomination approved and the nominee appointed"),
    })
    describe("settings", labels={"nominations.daily_digest":
                                 _l("Tell coordinators of new nominations in one daily digest")})
