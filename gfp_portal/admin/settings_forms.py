"""The policy settings form: term, alert days, UN-SWAP minimums and the grade equivalence table."""
import re

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import InputRequired, NumberRange, StopValidation

from gfp_portal.core.forms import (
    EditsRecord,
    ParsedField,
    PortalForm,
    SelectField,
    TextAreaField,
    WholeNumberField,
)
from gfp_portal.registry.policy import GRADE_LADDER

MAX_ALERT_DAYS = 3650

# Form field -> setting key.
SETTING_KEYS = {
    "default_term_years": "policy.default_term_years",
    "alert_days": "policy.alert_days",
    "min_grade": "policy.min_grade",
    "min_time_share": "policy.min_time_share",
    "require_terms_of_reference": "policy.require_terms_of_reference",
    "grade_equivalence": "policy.grade_equivalence",
    "coverage_reminder_days": "coverage.reminder_days",
    "plan_reminder_days": "plans.reminder_days",
    "nominations_daily_digest": "nominations.daily_digest",
    "practices_public": "practices.public",
    "reminder_hours": "sessions.reminder_hours",
    "check_in_opens_minutes": "attendance.check_in_opens_minutes",
    "check_in_closes_minutes": "attendance.check_in_closes_minutes",
    "present_percent": "attendance.present_percent",
    "partial_percent": "attendance.partial_percent",
    "evaluation_days": "evaluations.open_days",
    "parity_range_min": "parity.range_min",
    "parity_range_max": "parity.range_max",
    "messages_per_minute": "messages.per_minute",
    "unconfirmed_request_days": "privacy.unconfirmed_request_days",
    "contact_data_days": "privacy.contact_data_days",
    "guest_data_days": "privacy.guest_data_days",
    "audit_detail_days": "privacy.audit_detail_days",
    "mail_body_days": "privacy.mail_body_days",
    "induction_terms": "induction.terms_of_reference",
    "induction_guidelines": "induction.key_guidelines",
    "induction_recent_days": "induction.recent_days",
}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")

MAX_RETENTION_DAYS = 36500


def _whole(label, low, high, description=None):
    """An integer setting between `low` and `high`, with a translated message."""
    return WholeNumberField(label, description=description, validators=[
        InputRequired(message=_l("Enter a whole number.")),
        NumberRange(min=low, max=high, message=_l("Enter a number from %(low)s to %(high)s.",
                                                  low=low, high=high))])


class AlertDaysField(ParsedField, StringField):
    """Comma-separated numbers of days, kept as a list from the largest to the smallest."""

    @staticmethod
    def format(days):
        return ", ".join(str(d) for d in days or ())

    @staticmethod
    def parse(text):
        days, errors = set(), []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            if not item.isdecimal() or not 1 <= int(item) <= MAX_ALERT_DAYS:
                errors.append(_l("“%(value)s” is not a number of days from 1 to %(max)s.",
                                 value=item, max=MAX_ALERT_DAYS))
            else:
                days.add(int(item))
        if not days and not errors:
            errors.append(_l("Enter at least one number of days, e.g. 90, 30, 7."))
        return sorted(days, reverse=True), errors


class AddressesField(ParsedField, StringField):
    """Addresses of library resources (the end of /resources/<address>), separated by commas;
    kept as a list, in the order given. With `single`, at most one (kept as text)."""

    def __init__(self, *args, single=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.single = single

    @staticmethod
    def format(value):
        return value if isinstance(value, str) else ", ".join(value or ())

    def parse(self, text):
        addresses, errors = [], []
        for item in (part.strip().lower() for part in text.split(",")):
            if not item:
                continue
            if not SLUG.match(item):
                errors.append(_l("“%(value)s” is not the address of a resource (lowercase "
                                 "letters, digits and hyphens).", value=item[:60]))
            elif item not in addresses:
                addresses.append(item)
        if self.single:
            if len(addresses) > 1:
                errors.append(_l("Enter one address only."))
            return (addresses[0] if addresses else ""), errors
        return addresses, errors


class GradeEquivalenceField(ParsedField, TextAreaField):
    """One `CODE = GRADE` per line, GRADE on the grade ladder; kept as {CODE: GRADE}."""

    @staticmethod
    def format(table):
        return "\n".join(f"{code} = {grade}" for code, grade in (table or {}).items())

    @staticmethod
    def parse(text):
        table, errors = {}, []
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            code, sep, grade = (part.strip().upper() for part in line.partition("="))
            if not sep or not code or not grade:
                errors.append(_l("Line %(line)s (“%(text)s”): write one CODE = GRADE per "
                                 "line, e.g. NO-C = P-4.", line=number, text=line))
            elif grade not in GRADE_LADDER:
                errors.append(_l("Line %(line)s (“%(text)s”): %(grade)s is not a grade of "
                                 "the ladder (%(ladder)s).", line=number, text=line,
                                 grade=grade, ladder=", ".join(GRADE_LADDER)))
            elif code in GRADE_LADDER:
                errors.append(_l("Line %(line)s (“%(text)s”): %(code)s is already a grade "
                                 "of the ladder.", line=number, text=line, code=code))
            elif code in table:
                errors.append(_l("Line %(line)s (“%(text)s”): %(code)s is listed twice.",
                                 line=number, text=line, code=code))
            else:
                table[code] = grade
        return table, errors


class SettingsForm(EditsRecord, PortalForm):
    default_term_years = WholeNumberField(
        _l("Default term (years)"),
        validators=[InputRequired(message=_l("Enter the default term in years.")),
                    NumberRange(min=1, max=10, message=_l("Enter a term from 1 to 10 years."))],
        description=_l("Used for the end date of a new appointment when none is given."))
    alert_days = AlertDaysField(
        _l("Alert days"),
        description=_l("Days before the end of a term when the focal point and the "
                       "coordinators are alerted, separated by commas, e.g. 90, 30, 7."))
    min_grade = SelectField(_l("Minimum grade"), choices=list(GRADE_LADDER),
                            description=_l("Appointments below this grade get a compliance "
                                           "warning (never blocking)."))
    min_time_share = WholeNumberField(
        _l("Minimum share of working time (%)"),
        validators=[InputRequired(message=_l("Enter the minimum share of working time.")),
                    NumberRange(min=0, max=100,
                                message=_l("Enter a percentage from 0 to 100."))])
    require_terms_of_reference = BooleanField(_l("Terms of reference required"))
    grade_equivalence = GradeEquivalenceField(
        _l("Grade equivalence table"), render_kw={"rows": 10},
        description=_l("One CODE = GRADE per line, e.g. NO-C = P-4; GRADE is one of "
                       "%(ladder)s.", ladder=", ".join(GRADE_LADDER)))
    coverage_reminder_days = WholeNumberField(
        _l("Days between coverage reminders"),
        validators=[InputRequired(message=_l("Enter a number of days.")),
                    NumberRange(min=1, max=365, message=_l("Enter a number of days from 1 to "
                                                           "365."))],
        description=_l("A Resident Coordinator is reminded of the gaps of their UN Country "
                       "Team at most once in this period."))
    plan_reminder_days = AlertDaysField(
        _l("Implementation plan reminders (days before the deadline)"),
        description=_l("Days before a period's submission deadline when the focal points "
                       "responsible for a plan not yet submitted are reminded, separated by "
                       "commas, e.g. 30, 7."))
    nominations_daily_digest = BooleanField(
        _l("Tell coordinators of new nominations in one daily digest"),
        description=_l("Otherwise each coordinator gets an email for every nomination "
                       "submitted."))
    practices_public = BooleanField(
        _l("Published good practices are open to every visitor, signed in or not"),
        description=_l("Otherwise only signed-in members of the network see them."))
    reminder_hours = _whole(_l("Session reminder (hours before the start)"), 1, 336)
    check_in_opens_minutes = _whole(_l("Check-in opens (minutes before the start)"), 0, 240)
    check_in_closes_minutes = _whole(_l("Check-in closes (minutes after the end)"), 0, 240)
    present_percent = _whole(_l("Present from (percent of the scheduled time, meeting reports)"),
                             1, 100)
    partial_percent = _whole(_l("Partly present from (percent of the scheduled time)"), 0, 100)
    evaluation_days = _whole(_l("Evaluation open for (days after the session)"), 1, 90)
    parity_range_min = _whole(_l("Parity range: lowest share of women (%)"), 0, 100)
    parity_range_max = _whole(
        _l("Parity range: highest share of women (%)"), 0, 100,
        description=_l("An entity whose staff are between these shares of women, both "
                       "included, is within the parity range (47 to 53 % by default)."))
    messages_per_minute = _whole(
        _l("Messages to the network: emails sent per minute"), 1, 10000,
        description=_l("A message to many people leaves the outbox at this rate, batch after "
                       "batch, so that the mail server does not refuse it."))
    unconfirmed_request_days = _whole(
        _l("Keep requests to join never confirmed for (days)"), 0, MAX_RETENTION_DAYS,
        description=_l("0 keeps them until their link expires."))
    contact_data_days = _whole(
        _l("Anonymise people whose last appointment ended more than (days) ago"), 0,
        MAX_RETENTION_DAYS,
        description=_l("Their name and contact data are erased; their appointments, "
                       "registrations and attendance are kept, so every figure stays true. "
                       "0 keeps them forever."))
    guest_data_days = _whole(
        _l("Anonymise guests whose last session ended more than (days) ago"), 0,
        MAX_RETENTION_DAYS,
        description=_l("Their name and email address are erased; their places, attendance and "
                       "certificates are kept. 0 keeps them forever."))
    audit_detail_days = _whole(
        _l("Keep the details of audit events for (days)"), 0, MAX_RETENTION_DAYS,
        description=_l("Older events keep who did what and when, without the changed values. "
                       "0 keeps them forever."))
    mail_body_days = _whole(
        _l("Keep the text of sent emails for (days)"), 0, MAX_RETENTION_DAYS,
        description=_l("Older emails keep their recipient, subject and dates. 0 keeps them "
                       "forever."))
    induction_terms = AddressesField(
        _l("Induction: address of the terms of reference in the library"), single=True,
        description=_l("New focal points open this resource, then tick that they have read "
                       "it. Leave empty: no such step."))
    induction_guidelines = AddressesField(
        _l("Induction: addresses of the key guidelines in the library"),
        description=_l("Separated by commas; new focal points open each in their language."))
    induction_recent_days = _whole(_l("Induction: appointments started within (days)"), 1,
                                   3650, description=_l(
                                       "An appointment that started longer ago (an import of "
                                       "the registry as it stands) starts no induction."))
    submit = SubmitField(_l("Save settings"))

    def validate_alert_days(self, field):
        term = self.default_term_years.data
        if field.data and term and max(field.data) >= 365 * term:
            raise StopValidation(lazy_ngettext(
                "Each alert must fall within the default term: fewer than %(num)s day "
                "before its end.",
                "Each alert must fall within the default term: fewer than %(num)s days "
                "before its end.", 365 * term))

    def validate_partial_percent(self, field):
        if field.data is not None and self.present_percent.data is not None and \
                field.data > self.present_percent.data:
            raise StopValidation(_l("The threshold for partly present cannot be above the "
                                    "one for present."))

    def validate_parity_range_max(self, field):
        if field.data is not None and self.parity_range_min.data is not None and \
                field.data <= self.parity_range_min.data:
            raise StopValidation(_l("The highest share of the parity range must be above the "
                                    "lowest."))

    @classmethod
    def from_settings(cls, values):
        return cls(data={name: values[key] for name, key in SETTING_KEYS.items()})

    def settings_values(self):
        return {key: getattr(self, name).data for name, key in SETTING_KEYS.items()}
