"""A registry file's rows read as the registry's data: each cell checked on its own (a date, a
choice, a length, an address, an entity, a scope), a row read as a person and an appointment,
and the rules of the file as a whole (one person per address, one active focal point per
scope)."""
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gfp_portal.core.dates import OUT_OF_RANGE, is_plausible
from gfp_portal.core.i18n import LANGUAGES, is_country_code
from gfp_portal.core.reading import CheckedRow
from gfp_portal.core.text import email_address
from gfp_portal.core.timezones import is_timezone
from gfp_portal.extensions import db
from gfp_portal.reference.models import DutyStation, Entity, Unct
from gfp_portal.registry.exports import COLUMNS
from gfp_portal.registry.imports.reading import REQUIRED
from gfp_portal.registry.models import (
    Appointment,
    AppointmentRole,
    AppointmentStatus,
    EndReason,
    Person,
)

PERSON_COLUMNS = COLUMNS[:13]
BOOLEANS = {"yes": True, "no": False, "": False}
STATION = ("duty_station_city", "duty_station_country", "duty_station_time_zone")
# The longest text each column keeps, as the registry's forms allow it.
LENGTHS = {**{c: Person.__table__.c[c].type.length
              for c in ("given_name", "family_name", "phone", "position_title", "grade")},
           "duty_station_city": DutyStation.__table__.c.city.type.length,
           **{c: Appointment.__table__.c[c].type.length
              for c in ("appointed_by_name", "appointed_by_title")}}


class _Row(CheckedRow):
    """One line of the file, parsed; `errors` collects what is wrong with it."""

    def __init__(self, line, values, lookups):
        super().__init__(line)
        # One address however its accents are written, as the registry keeps it.
        self.raw = {**values, "email": email_address(values["email"])}
        self.person = self._person(lookups)
        self.appointment = self._appointment(lookups) if values.get("role") else None

    def raw_person(self):
        return tuple(self.raw.get(c, "") for c in PERSON_COLUMNS)

    def _check_lengths(self, columns):
        for column in columns:
            self.text(self.raw, column, LENGTHS[column])

    def _date(self, column, required=False):
        value = self.raw.get(column, "")
        if not value:
            if required:
                self.error(column, "required", _l("This column must not be empty."))
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.error(column, "bad_date", _l("“%(value)s” is not a date (YYYY-MM-DD).",
                                              value=value))
            return None
        if not is_plausible(parsed):
            self.error(column, "bad_date", OUT_OF_RANGE)
            return None
        return parsed

    def _choice(self, column, allowed, default=None):
        value = self.raw.get(column, "")
        if not value:
            return default
        if value not in allowed:
            self.error(column, "bad_value", _l("“%(value)s” is not one of: %(allowed)s.",
                                               value=value, allowed=", ".join(allowed)))
            return default
        return value

    def _person(self, lookups):
        """The person's data of the columns the file has: a column it leaves out is no value
        (the person keeps theirs; a new person gets the registry's defaults), an empty cell
        of a column it has is one (no phone; the default language, time zone, consent)."""
        raw, data = self.raw, {}
        for column in REQUIRED:
            if not raw.get(column):
                self.error(column, "required", _l("This column must not be empty."))
        self._check_lengths(("given_name", "family_name", "phone", "position_title", "grade",
                             "duty_station_city"))
        # An anonymised person's address is the one the portal gave them, in a domain kept for
        # no mail: an export of everyone lists it, and the plan leaves the row alone (or
        # refuses it as a change of an anonymised person).
        if raw.get("email") and raw["email"].lower() not in lookups["anonymised"]:
            try:
                validate_email(raw["email"], check_deliverability=False)
            except EmailNotValidError:
                self.error("email", "bad_email", _l("“%(value)s” is not a valid email "
                                                    "address.", value=raw["email"]))
        for column in ("given_name", "family_name", "email", "phone", "position_title",
                       "grade"):
            if column in REQUIRED or column in raw:
                data[column] = raw.get(column) or None
        if "entity" in raw:
            data["entity"] = self._entity("entity", lookups) if raw["entity"] else None
        if "preferred_language" in raw:
            data["preferred_language"] = self._choice("preferred_language", LANGUAGES, "en")
        if "time_zone" in raw:
            data["time_zone"] = raw["time_zone"] or "UTC"
            if not is_timezone(data["time_zone"]):
                self.error("time_zone", "bad_time_zone", _l("“%(value)s” is not a known time "
                                                            "zone.", value=data["time_zone"]))
        if "directory_consent" in raw:
            data["directory_consent"] = BOOLEANS.get(self._choice("directory_consent",
                                                                  ("yes", "no"), "no"))
        if any(column in raw for column in STATION):
            data["duty_station"] = self._station()
        return data

    def _station(self):
        """(city, country, time zone) of the duty station, or None."""
        station = [self.raw.get(c, "") for c in STATION]
        if not any(station):
            return None
        if not all(station):
            self.error("duty_station_city", "incomplete_station",
                       _l("Give the city, country and time zone of the duty station, "
                          "or none of them."))
        elif not is_country_code(station[1]):
            self.error("duty_station_country", "bad_country",
                       _l("“%(value)s” is not an ISO 3166 alpha-3 country code.",
                          value=station[1]))
        elif not is_timezone(station[2]):
            self.error("duty_station_time_zone", "bad_time_zone",
                       _l("“%(value)s” is not a known time zone.", value=station[2]))
        else:
            return tuple(station)
        return None

    def _entity(self, column, lookups):
        entity = lookups["entities"].get(self.raw[column].lower())
        if entity is None:
            self.error(column, "unknown_entity", _l("No entity has the acronym “%(value)s”.",
                                                    value=self.raw[column]))
        return entity

    def _appointment(self, lookups):
        """The appointment's data of the columns the file has. Its role, entity, scope (HQ
        when the cell is empty) and start date name it: a file of appointments has all four
        (read_table). Another column the file leaves out is no value: a registry appointment
        keeps its own (its status too), a new one gets the appointment form's."""
        raw = self.raw
        data = {"role": self._choice("role", tuple(r.value for r in AppointmentRole))}
        data["entity"] = self._entity("appointment_entity", lookups) \
            if raw.get("appointment_entity") else None
        if not raw.get("appointment_entity"):
            self.error("appointment_entity", "required", _l("This column must not be empty."))
        scope = raw.get("scope", "").upper() or "HQ"
        data["unct"] = None
        if scope != "HQ":
            data["unct"] = lookups["uncts"].get(scope)
            if data["unct"] is None:
                self.error("scope", "unknown_scope",
                           _l("“%(value)s” is neither HQ nor the code of a UN Country Team.",
                              value=raw.get("scope")))
        if "status" in raw:
            data["status"] = self._choice("status", tuple(s.value for s in AppointmentStatus),
                                          "active")
        data["start_date"] = self._date("start_date", required=True)
        for column in ("end_date", "ended_on"):
            if column in raw:
                data[column] = self._date(column)
        if "end_reason" in raw:
            data["end_reason"] = self._choice("end_reason", tuple(r.value for r in EndReason))
        if "time_share" in raw:
            data["time_share"] = self._time_share()
        if "tor_on_file" in raw:
            data["tor_on_file"] = BOOLEANS.get(self._choice("tor_on_file", ("yes", "no"), "no"))
        self._check_lengths(("appointed_by_name", "appointed_by_title"))
        for column in ("appointed_by_name", "appointed_by_title"):
            if column in raw:
                data[column] = raw[column] or None
        return data

    def _time_share(self):
        if not self.raw["time_share"]:
            return None
        try:
            share = int(self.raw["time_share"])
            if not 0 <= share <= 100:
                raise ValueError
        except ValueError:
            self.error("time_share", "bad_time_share",
                       _l("The share of working time is a whole number from 0 to 100."))
            return None
        return share


def lookups_for(registry):
    """What a row's cells are checked against: the addresses of the anonymised people of
    `registry` (the LoadedRegistry), the entities by lower-case acronym, the UN Country Teams
    by code."""
    return {"anonymised": {email for email, person in registry.people.items()
                           if person.anonymised_at is not None},
            "entities": {e.acronym.lower(): e for e in db.session.scalars(select(Entity))},
            "uncts": {u.iso3: u for u in db.session.scalars(
                select(Unct).options(selectinload(Unct.members)))}}


def check_file(rows, lookups):
    """Parse every row; file-wide rules: one person per email, one focal point per scope."""
    parsed = [_Row(line, values, lookups) for line, values in rows]
    people, focal_points = {}, {}  # email -> (first line, person columns); scope -> line
    for row in parsed:
        email = (row.person["email"] or "").lower()
        if email in people and people[email][1] != row.raw_person():
            row.error("email", "duplicate_email",
                      _l("This email address is already used on line %(line)s for a person "
                         "with other details.", line=people[email][0]))
        elif email:
            people.setdefault(email, (row.line, row.raw_person()))
        a = row.appointment
        # Without a status column, a row may stand for an ended term: the plan checks the
        # new ones against the registry's holders and the file's.
        if a and a["role"] == "focal_point" and a.get("status") == "active" and a["entity"]:
            key = (a["entity"].id, a["unct"].id if a["unct"] else None)
            if key in focal_points:
                row.error("role", "second_focal_point",
                          _l("Line %(line)s already makes someone the active focal point for "
                             "this entity and scope.", line=focal_points[key]))
            else:
                focal_points[key] = row.line
    return parsed
