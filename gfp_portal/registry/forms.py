"""Forms of the registry: people, appointments, their end, renewal and replacement, filters."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import BooleanField, SubmitField
from wtforms.validators import Email, Length, NumberRange, Optional

from gfp_portal.core.forms import (
    DataRequired,
    EditsRecord,
    EmailAddressField,
    FilterForm,
    PlausibleDateField,
    PortalForm,
    SelectField,
    SingleLineField,
    SingleLineTelField,
    TextAreaField,
    TimeZoneField,
    WholeNumberField,
    file_check_form,
    language_choices,
)
from gfp_portal.reference.models import Region
from gfp_portal.registry.models import AppointmentRole, EndReason


def role_choices():
    return AppointmentRole.choices()


def person_name_fields(own=False):
    """A mixin of the given name, family name and email address, as every form about a person
    asks them. `own`: the person types their own, which a browser may fill in for them (the
    autofill tokens of WCAG 2.1 SC 1.3.5); a form about someone else offers no such thing."""

    def autofill(token):
        return {"autocomplete": token} if own else None

    class PersonNameFields:
        given_name = SingleLineField(_l("Given name"), validators=[
            DataRequired(message=_l("Enter the given name.")), Length(max=120)],
            render_kw=autofill("given-name"))
        family_name = SingleLineField(_l("Family name"), validators=[
            DataRequired(message=_l("Enter the family name.")), Length(max=120)],
            render_kw=autofill("family-name"))
        email = EmailAddressField(_l("Email address"), validators=[
            DataRequired(message=_l("Enter the email address.")),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
            Length(max=320)], render_kw=autofill("email"))

    return PersonNameFields


PersonNameFields = person_name_fields()


class PersonForm(EditsRecord, PersonNameFields, PortalForm):
    phone = SingleLineTelField(_l("Phone"), validators=[Optional(), Length(max=64)])
    position_title = SingleLineField(_l("Position title"), validators=[Optional(), Length(max=200)])
    grade = SingleLineField(_l("Grade"), validators=[Optional(), Length(max=16)],
                            description=_l("For example P-4, NO-C or G-6."))
    entity = SelectField(_l("Entity"), validators=[Optional()])
    duty_station = SelectField(_l("Duty station"), coerce=int, validators=[Optional()])
    preferred_language = SelectField(_l("Preferred language"))
    time_zone = TimeZoneField(_l("Time zone"))
    directory_consent = BooleanField(_l("Show contact details in the network directory"))
    reason = TextAreaField(_l("Reason for the change"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, entity_choices=(), station_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entity.choices = [("", _l("— none —")), *[(a, a) for a in entity_choices]]
        self.duty_station.choices = [(0, _l("— none —")), *station_choices]
        self.preferred_language.choices = language_choices()


class AppointmentForm(PortalForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    entity = SelectField(_l("Entity"), validators=[
        DataRequired(message=_l("Choose the entity."))])
    scope = SelectField(_l("Scope"), validators=[DataRequired()], description=_l(
        "Headquarters (the whole entity) or one UN Country Team."))
    start_date = PlausibleDateField(_l("Start date"), validators=[
        DataRequired(message=_l("Enter the start date."))])
    end_date = PlausibleDateField(_l("End date"), validators=[Optional()],
                                  description=_l("Leave empty for the standard term."))
    time_share = WholeNumberField(_l("Share of working time (%)"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100."))])
    tor_on_file = BooleanField(_l("Terms of reference on file"))
    appointed_by_name = SingleLineField(_l("Appointed by (name)"),
                                        validators=[Optional(), Length(max=200)])
    appointed_by_title = SingleLineField(_l("Appointed by (title)"),
                                         validators=[Optional(), Length(max=200)],
                                         description=_l("Head of entity or Resident Coordinator."))
    submit = SubmitField(_l("Appoint"))

    def __init__(self, *args, entity_choices=(), scope_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
        self.entity.choices = [(a, a) for a in entity_choices]
        self.scope.choices = [("HQ", _l("Headquarters")), *scope_choices]


class ReplaceForm(AppointmentForm):
    given_name = SingleLineField(_l("Given name of the new holder"), validators=[Optional(),
                                                                                 Length(max=120)])
    family_name = SingleLineField(_l("Family name of the new holder"), validators=[Optional(),
                                                                                   Length(max=120)])
    email = EmailAddressField(_l("Email address of the new holder"), validators=[
        DataRequired(message=_l("Enter the email address.")),
        Email(message=_l("Enter a valid email address."), check_deliverability=False)],
        description=_l("A person already in the registry is found by email; otherwise give "
                       "the names too and a new record is created."))
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Replace"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("role", "entity", "scope"):
            delattr(self, name)


class EndAppointmentForm(PortalForm):
    reason = SelectField(_l("Reason"), validators=[DataRequired()])
    ended_on = PlausibleDateField(_l("Last day"), validators=[
        DataRequired(message=_l("Enter the last day."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("End the appointment"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = EndReason.choices(omit=(EndReason.replaced,))


class RenewForm(PortalForm):
    end_date = PlausibleDateField(_l("New end date"), validators=[Optional()],
                                  description=_l("Leave empty for the standard term."))
    submit = SubmitField(_l("Renew for a new term"))


class RegistryFilterForm(FilterForm):
    q = SingleLineField(_l("Search"), validators=[Optional(), Length(max=200)],
                        description=_l("Name, email or position"))
    entity = SelectField(_l("Entity"), validators=[Optional()])
    unct = SelectField(_l("UN Country Team"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    role = SelectField(_l("Role"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()], default="active")
    expiring = WholeNumberField(_l("Term ends within (days)"), validators=[
        Optional(), NumberRange(min=0, max=3650)])
    lapsed = WholeNumberField(_l("Term ended in the last (days)"), validators=[
        Optional(), NumberRange(min=0, max=3650)])
    warning = BooleanField(_l("Compliance warnings only"))
    sort = SelectField(_l("Sort by"), validators=[Optional()])

    def __init__(self, *args, entity_choices=(), unct_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entity.choices = [("", _l("All entities")), *[(a, a) for a in entity_choices]]
        self.unct.choices = [("", _l("All UN Country Teams")), *unct_choices]
        self.region.choices = [("", _l("All regions")), *Region.choices()]
        self.role.choices = [("", _l("All roles")), *role_choices()]
        self.status.choices = [("active", lazy_pgettext("appointment", "Active")),
                               ("ended", _l("Ended")),
                               ("withdrawn", _l("Withdrawn")), ("any", _l("Any")),
                               ("none", _l("No appointment")),
                               ("left", _l("Left: no active appointment"))]
        self.sort.choices = [("name", _l("Name")), ("entity", _l("Entity")),
                             ("end_date", _l("End of term"))]


class ProfileForm(EditsRecord, PortalForm):
    """What focal points keep up to date themselves on /me."""

    phone = SingleLineTelField(_l("Phone"), validators=[Optional(), Length(max=64)],
                               render_kw={"autocomplete": "tel"})
    position_title = SingleLineField(_l("Position title"), validators=[Optional(), Length(max=200)],
                                     render_kw={"autocomplete": "organization-title"})
    directory_consent = BooleanField(_l("Show my email address and phone in the network "
                                        "directory"))
    submit = SubmitField(_l("Save my profile"))


ImportForm = file_check_form(
    _l("CSV or Excel file"),
    _l("The same columns as the export. Nothing is written before you confirm the preview."),
    _l("Check the file"))
