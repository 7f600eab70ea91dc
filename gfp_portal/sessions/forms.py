"""Forms of the training pages: the session, its filters, the roster, the series."""
from flask_babel import lazy_gettext as _l
from wtforms import SubmitField
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional

from gfp_portal.core.forms import (
    CheckboxListField,
    DataRequired,
    EditsRecord,
    EmailAddressField,
    FilterForm,
    MonthField,
    PlausibleDateTimeField,
    PortalForm,
    SelectField,
    ShownByClocks,
    SingleLineField,
    SingleLineURLField,
    TextAreaField,
    TimeZoneField,
    WholeNumberField,
    language_choices,
    written_in,
)
from gfp_portal.core.i18n import LANGUAGES
from gfp_portal.reference.models import Region
from gfp_portal.sessions.models import Audience, Format, WaitlistPolicy

LOCAL = "%Y-%m-%dT%H:%M"


class TitleFields:
    """The title in each language, English required, as the session and series forms ask it."""

    title_en = SingleLineField(_l("Title in English"), validators=[
        DataRequired(message=_l("Enter the title in English.")), Length(max=200)],
        render_kw=written_in("en"))
    title_fr = SingleLineField(_l("Title in French"), validators=[Optional(), Length(max=200)],
                               render_kw=written_in("fr"))
    title_es = SingleLineField(_l("Title in Spanish"), validators=[Optional(), Length(max=200)],
                               render_kw=written_in("es"))
    title_ar = SingleLineField(_l("Title in Arabic"), validators=[Optional(), Length(max=200)],
                               render_kw=written_in("ar"))


def description_fields(rows):
    """A mixin of the description in each language, each optional, in a box `rows` lines
    high: the session form asks it, and so does an agenda item's."""

    class DescriptionFields:
        description_en = TextAreaField(_l("Description in English"),
                                       render_kw=written_in("en", rows=rows),
                                       validators=[Optional(), Length(max=5000)])
        description_fr = TextAreaField(_l("Description in French"),
                                       render_kw=written_in("fr", rows=rows),
                                       validators=[Optional(), Length(max=5000)])
        description_es = TextAreaField(_l("Description in Spanish"),
                                       render_kw=written_in("es", rows=rows),
                                       validators=[Optional(), Length(max=5000)])
        description_ar = TextAreaField(_l("Description in Arabic"),
                                       render_kw=written_in("ar", rows=rows),
                                       validators=[Optional(), Length(max=5000)])

    return DescriptionFields


# The session's times are read in the time zone the form gives.
SHOWN_BY_CLOCKS = ShownByClocks(lambda form: form.time_zone.data)


class SessionForm(EditsRecord, TitleFields, description_fields(3), PortalForm):
    topic = SelectField(_l("Topic"), validators=[DataRequired()])
    format = SelectField(_l("Format"), validators=[DataRequired()])
    time_zone = TimeZoneField(_l("Time zone of the session"), validators=[DataRequired()],
                            description=_l("Start, end and registration dates are read in this "
                                           "time zone."))
    starts_at = PlausibleDateTimeField(_l("Starts"), format=LOCAL, validators=[
        DataRequired(message=_l("Enter the start date and time.")), SHOWN_BY_CLOCKS])
    ends_at = PlausibleDateTimeField(_l("Ends"), format=LOCAL, validators=[
        DataRequired(message=_l("Enter the end date and time.")), SHOWN_BY_CLOCKS])
    join_url = SingleLineURLField(_l("Join link"), validators=[
        Optional(), URL(message=_l("Enter a full web address, starting with https://.")),
        Length(max=500)], description=_l("Shown to registered people only."))
    venue = SingleLineField(_l("Venue"), validators=[Optional(), Length(max=300)])
    languages = CheckboxListField(_l("Delivered in"), validators=[
        DataRequired(message=_l("Choose at least one language."))])
    capacity = WholeNumberField(_l("Seats"), validators=[
        InputRequired(message=_l("Enter the number of seats.")),
        NumberRange(min=0, max=100000, message=_l("Enter a number of seats from 0."))])
    registration_opens_at = PlausibleDateTimeField(_l("Registration opens"), format=LOCAL,
                                                   validators=[Optional(), SHOWN_BY_CLOCKS],
                                                   description=_l("Leave empty: open at once."))
    registration_closes_at = PlausibleDateTimeField(
        _l("Registration closes"), format=LOCAL, validators=[Optional(), SHOWN_BY_CLOCKS],
        description=_l("Leave empty: open until the session starts."))
    audience = SelectField(_l("For"), validators=[DataRequired()])
    waitlist_policy = SelectField(_l("Waiting list"), validators=[DataRequired()],
                                  description=_l("Who gets a freed seat first; among equals, "
                                                 "the earliest to join the waiting list."))
    series = SelectField(_l("Series"), coerce=int, validators=[Optional()])
    # To check the hours for part of the audience only; not kept with the session.
    hours_region = SelectField(_l("People to check the hours for"), validators=[Optional()])
    check_hours = SubmitField(_l("Check the hours"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, series_choices=(), topic_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.hours_region.choices = [("", _l("The whole audience")), *Region.choices()]
        # The active topics; a session being edited keeps its own, even if deactivated.
        self.topic.choices = list(topic_choices)
        self.format.choices = Format.choices()
        self.languages.choices = [c for c in language_choices() if c[0] in LANGUAGES]
        self.audience.choices = Audience.choices()
        self.waitlist_policy.choices = WaitlistPolicy.choices()
        self.series.choices = [(0, _l("— none —")), *series_choices]


class SessionFilterForm(FilterForm):
    q = SingleLineField(_l("Search"), validators=[Optional(), Length(max=200)])
    when = SelectField(_l("When"), validators=[Optional()])
    topic = SelectField(_l("Topic"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])
    format = SelectField(_l("Format"), validators=[Optional()])
    month = MonthField(_l("Month"), validators=[Optional()])
    within = WholeNumberField(_l("Starting within (days)"), validators=[
        Optional(), NumberRange(min=0, max=3650)])
    # For the Office only (the view removes it for others).
    evaluation_closes = WholeNumberField(_l("Evaluation closes within (days)"), validators=[
        Optional(), NumberRange(min=0, max=3650)])

    def __init__(self, *args, topic_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.when.choices = [("upcoming", _l("Upcoming")), ("past", _l("Past")),
                             ("any", _l("Any date"))]
        self.topic.choices = [("", _l("All topics")), *topic_choices]
        self.language.choices = [("", _l("All languages")), *language_choices()]
        self.format.choices = [("", _l("All formats")), *Format.choices()]


class AddPersonForm(PortalForm):
    email = EmailAddressField(_l("Email address of the person to add"), validators=[
        DataRequired(message=_l("Enter the email address.")), Length(max=320)])
    submit = SubmitField(_l("Add"))


class GroupForm(PortalForm):
    """Register every active focal point or alternate matching the filters."""

    region = SelectField(_l("Region"), validators=[Optional()])
    unct = SelectField(_l("UN Country Team"), validators=[Optional()])
    role = SelectField(_l("Role"), validators=[Optional()])
    entity = SelectField(_l("Entity"), validators=[Optional()])
    not_attended = SelectField(_l("Has not yet attended a session on"),
                               validators=[Optional()])
    submit = SubmitField(_l("Register the group"))

    def __init__(self, *args, entity_choices=(), region_choices=(), role_choices=(),
                 unct_choices=(), topic_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [("", _l("All regions")), *region_choices]
        self.unct.choices = [("", _l("All UN Country Teams")), ("HQ", _l("Headquarters")),
                             *unct_choices]
        self.role.choices = [("", _l("All roles")), *role_choices]
        self.entity.choices = [("", _l("All entities")), *[(a, a) for a in entity_choices]]
        self.not_attended.choices = [("", _l("— any —")), *topic_choices]


class SeriesForm(TitleFields, PortalForm):
    submit = SubmitField(_l("Create the series"))
