"""What the registry's audit events say: people, appointments and duty stations."""
from datetime import date

from babel.lists import format_list
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import (
    describe,
    hidden,
    language_value,
    plain_value,
    title_of,
    zone_value,
)
from gfp_portal.core.i18n import current_language, is_country_code, isolated, join_list
from gfp_portal.reference.countries import country_name
from gfp_portal.registry.models import AppointmentRole, AppointmentStatus, EndReason, Person


# The values a sentence takes are isolated (U+2068…U+2069): in Arabic, a Latin acronym
# followed by a date would otherwise run into it ("2026/11/UNESCO، 17"). The sentences are
# only shown on pages.
def scope_text(entity, scope):
    """"UNESCO — Kenya" or "UNESCO headquarters", from the acronym and ISO3 an event keeps."""
    if not scope or scope == "HQ":
        return _("%(entity)s headquarters", entity=isolated(entity))
    return _("%(entity)s — %(unct)s", entity=isolated(entity),
             unct=isolated(country_name(scope)))


def term_text(start, end):
    shown = [format_date(date.fromisoformat(d), "medium") for d in (start, end) if d]
    return isolated(" – ".join(shown)) if shown else ""


def _appointed(values):
    scope, term = scope_text(values["entity"], values.get("scope")), \
        term_text(values.get("start_date"), values.get("end_date"))
    if values["role"] == AppointmentRole.alternate:
        return _("Appointed alternate for %(scope)s, %(term)s", scope=scope, term=term)
    return _("Appointed focal point for %(scope)s, %(term)s", scope=scope, term=term)


def _renewed(values):
    return _("Term renewed: %(term)s",
             term=term_text(values.get("start_date"), values.get("end_date")))


def _replaced(values):
    return _("%(appointed)s, replacing the previous holder", appointed=_appointed(values))


def _ended(values):
    day = isolated(format_date(date.fromisoformat(values["ended_on"]), "medium")) \
        if values.get("ended_on") else "—"
    reason = values.get("end_reason")
    if reason:
        return _("Term ended on %(date)s (%(reason)s)", date=day,
                 reason=EndReason(reason).title)
    return _("Term ended on %(date)s", date=day)


def _station(value):
    """A duty station kept as "Geneva, CHE" (registry.models.station_code), in the reader's
    language; one that an older event kept by its name reads as it was written."""
    city, _sep, code = value.rpartition(", ")
    if city and len(code) == 3 and code.isupper() and is_country_code(code):
        return join_list([city, country_name(code)])
    return value


def _grade_table(value):
    if isinstance(value, dict):
        return format_list([f"{code} = {grade}" for code, grade in sorted(value.items())],
                           locale=current_language())
    return plain_value(value)


def register():
    person_labels = {
        "given_name": _l("Given name"), "family_name": _l("Family name"),
        "email": _l("Email address"), "phone": _l("Phone"),
        "position_title": _l("Position title"), "grade": _l("Grade"), "entity": _l("Entity"),
        "duty_station": _l("Duty station"), "preferred_language": _l("Preferred language"),
        "time_zone": _l("Time zone"),
        "directory_consent": _l("Show contact details in the network directory"),
    }
    describe("people", title=_l("Person"), labels=person_labels,
             page=(Person, "registry.person", "person_id"),
             values={"preferred_language": language_value, "time_zone": zone_value,
                     "duty_station": _station},
             sentences={"person.create": _l("Added to the registry"),
                        "person.update": _l("Profile updated")})
    describe("appointments", title=_l("Appointment"), labels={
        "person": _l("Person"), "entity": _l("Entity"), "scope": _l("Scope"),
        "role": _l("Role"), "status": _l("Status"), "start_date": _l("Start date"),
        "end_date": _l("End date"), "time_share": _l("Share of working time (%)"),
        "tor_on_file": _l("Terms of reference on file"),
        "appointed_by_name": _l("Appointed by (name)"),
        "appointed_by_title": _l("Appointed by (title)"),
        "end_reason": _l("Reason"), "ended_on": _l("Last day"),
    }, values={
        "person": hidden, "role": title_of(AppointmentRole),
        "status": title_of(AppointmentStatus), "end_reason": title_of(EndReason),
        "scope": lambda v: _("Headquarters") if v == "HQ" else country_name(v),
    }, sentences={
        "appointment.create": _appointed, "appointment.import": _appointed,
        "appointment.import_history": _appointed,
        "appointment.renew": _renewed, "appointment.replace": _replaced,
        "appointment.end": _ended, "appointment.update": _l("Appointment corrected"),
    })
    describe("duty_stations", title=_l("Duty station"), labels={
        "city": _l("City"), "country_iso3": _l("Country"), "time_zone": _l("Time zone")},
        values={"country_iso3": country_name, "time_zone": zone_value},
        sentences={"duty_station.create": _l("Duty station added")})
    describe("settings", labels={
        "policy.default_term_years": _l("Default term (years)"),
        "policy.alert_days": _l("Alert days"),
        "policy.min_grade": _l("Minimum grade"),
        "policy.min_time_share": _l("Minimum share of working time (%)"),
        "policy.require_terms_of_reference": _l("Terms of reference required"),
        "policy.grade_equivalence": _l("Grade equivalence table"),
    }, values={"policy.grade_equivalence": _grade_table})
