"""Forms of the programme: an agenda item, an invitation link, a guest's request for a place."""
from flask_babel import lazy_gettext as _l
from wtforms import SubmitField
from wtforms.validators import Email, Length, NumberRange, Optional

from gfp_portal.core.forms import (
    CheckboxListField,
    DataRequired,
    EditsRecord,
    EmailAddressField,
    PlausibleDateTimeField,
    PortalForm,
    SelectField,
    ShownByClocks,
    SingleLineField,
    TextAreaField,
    WholeNumberField,
    language_choices,
)
from gfp_portal.core.i18n import LANGUAGES
from gfp_portal.programme.guests import MAX_PLACES
from gfp_portal.programme.models import Sector
from gfp_portal.sessions.forms import LOCAL, TitleFields, description_fields


def sector_choices():
    """The sectors after an empty first choice: a sector is chosen, never given by default."""
    return [("", _l("— choose —")), *Sector.choices()]


class AgendaItemForm(EditsRecord, TitleFields, description_fields(2), PortalForm):
    starts_at = PlausibleDateTimeField(_l("Starts"), format=LOCAL, validators=[
        DataRequired(message=_l("Enter the start date and time.")),
        ShownByClocks(lambda form: form.time_zone)],
        description=_l("In the time zone of the session."))
    staff = CheckboxListField(_l("Presenters from the Office"), coerce=int,
                              validators=[Optional()])
    people = TextAreaField(_l("Presenters from the registry"), render_kw={"rows": 2},
                           validators=[Optional(), Length(max=5000)],
                           description=_l("Their email addresses, one per line."))
    guests = CheckboxListField(_l("Guest presenters"), coerce=int, validators=[Optional()])
    guest_name = SingleLineField(_l("New guest presenter: name"),
                                 validators=[Optional(), Length(max=200)])
    guest_organisation = SingleLineField(_l("New guest presenter: organisation"),
                                         validators=[Optional(), Length(max=200)])
    guest_sector = SelectField(_l("New guest presenter: sector"), validators=[Optional()])
    submit = SubmitField(_l("Save the item"))

    def __init__(self, *args, time_zone, staff_choices=(), guest_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone  # the session's: the start is read in it
        self.staff.choices = list(staff_choices)
        self.guests.choices = list(guest_choices)
        self.guest_sector.choices = sector_choices()


class InvitationForm(PortalForm):
    places = WholeNumberField(_l("Guest places"), validators=[
        Optional(), NumberRange(min=1, max=MAX_PLACES, message=_l(
            "Enter a whole number from 1, or leave empty for no limit."))],
        description=_l("Leave empty for no limit."))
    submit = SubmitField(_l("Create an invitation link"))


class GuestRequestForm(PortalForm):
    name = SingleLineField(_l("Name"), validators=[
        DataRequired(message=_l("Enter your name.")), Length(max=200)])
    email = EmailAddressField(_l("Email address"), validators=[
        DataRequired(message=_l("Enter your email address.")),
        Email(message=_l("Enter a valid email address.")), Length(max=320)])
    organisation = SingleLineField(_l("Organisation"), validators=[
        DataRequired(message=_l("Enter your organisation.")), Length(max=200)])
    sector = SelectField(_l("Sector"), validators=[
        DataRequired(message=_l("Choose your sector."))])
    preferred_language = SelectField(_l("Preferred language"), validators=[DataRequired()])
    submit = SubmitField(_l("Ask for a place"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = sector_choices()
        self.preferred_language.choices = [c for c in language_choices() if c[0] in LANGUAGES]
