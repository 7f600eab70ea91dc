"""Forms of the nomination workflow: the nomination itself, the decisions and the list filter."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from gfp_portal.core.forms import (
    DataRequired,
    EditsRecord,
    EmailAddressField,
    FilterForm,
    PlausibleDateField,
    PortalForm,
    SelectField,
    SingleLineField,
    TextAreaField,
    WholeNumberField,
    language_choices,
)
from gfp_portal.nominations.models import NominationKind, NominationState
from gfp_portal.registry.forms import PersonNameFields, person_name_fields, role_choices


class NominationForm(PersonNameFields, PortalForm):
    known_email = EmailAddressField(
        _l("Email address of someone already in the registry"),
        validators=[Optional(), Length(max=320)], render_kw={"dir": "ltr"},
        description=_l("To nominate a person the registry already knows, give their address "
                       "and fill in the nominee's details from their record."))
    fill_in = SubmitField(_l("Fill in from the registry"))
    scope = SelectField(_l("UN Country Team"), validators=[DataRequired()])
    entity = SelectField(_l("Entity"), validators=[
        DataRequired(message=_l("Choose the entity."))])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    replaces = SelectField(_l("Replaces"), coerce=int, validators=[Optional()],
                               description=_l("The current holder this person takes over "
                                              "from, if any; their appointment ends on "
                                              "approval."))
    position_title = SingleLineField(_l("Position title"), validators=[Optional(), Length(max=200)])
    grade = SingleLineField(_l("Grade"), validators=[Optional(), Length(max=16)],
                            description=_l("For example P-4, NO-C or G-6."))
    duty_station = SelectField(_l("Duty station"), coerce=int, validators=[Optional()])
    preferred_language = SelectField(_l("Language of the nominee's emails"))
    time_share = WholeNumberField(_l("Share of working time (%)"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100."))])
    start_date = PlausibleDateField(_l("Start date"), validators=[Optional()],
                                    description=_l("Leave empty to start on the day of approval."))
    tor_acknowledged = BooleanField(_l("The nominee has received and accepted the terms of "
                                       "reference"))
    justification = TextAreaField(_l("Justification"), render_kw={"rows": 4}, validators=[
        DataRequired(message=_l("Explain why you nominate this person.")), Length(max=4000)])
    letter = FileField(_l("Nomination letter (PDF or DOCX, optional)"),
                       description=_l("At most %(limit)s MB."))
    show_holders = SubmitField(_l("Show the current holders"))
    # The UN-SWAP warnings the nominator has been shown (their codes): a nomination with
    # warnings is submitted only once they have been seen.
    warnings_seen = HiddenField()
    submit = SubmitField(_l("Submit the nomination"))

    def __init__(self, *args, scope_choices=(), entity_choices=(), holder_choices=(),
                 station_choices=(), letter_limit_mb=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = list(scope_choices)
        self.entity.choices = [(a, a) for a in entity_choices]
        self.role.choices = role_choices()
        self.replaces.choices = [(0, _l("Nobody (a vacant role)")), *holder_choices]
        self.duty_station.choices = [(0, _l("— none —")), *station_choices]
        self.preferred_language.choices = language_choices()
        if letter_limit_mb is not None:
            self.letter.description = _l("At most %(limit)s MB.", limit=letter_limit_mb)


class DecisionForm(PortalForm):
    """Reject or request changes: the text is required by the service and shown to the
    nominator."""

    text = TextAreaField(_l("Message to the nominator"), render_kw={"rows": 3},
                         validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Send"))


class NominationFilterForm(FilterForm):
    state = SelectField(_l("State"), validators=[Optional()])
    unct = SelectField(_l("UN Country Team"), validators=[Optional()])
    entity = SelectField(_l("Entity"), validators=[Optional()])
    older_than = WholeNumberField(_l("Waiting for more than (days)"), validators=[
        Optional(), NumberRange(min=0, max=3650)])
    kind = SelectField(_l("Type"), validators=[Optional()])

    def __init__(self, *args, unct_choices=(), entity_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [("", _l("All states")), ("pending", _l("Waiting for a decision")),
                              *NominationState.choices(omit=(NominationState.unverified,))]
        self.kind.choices = [("", _l("All types")), *NominationKind.choices()]
        self.unct.choices = [("", _l("All UN Country Teams")), ("HQ", _l("Headquarters")),
                             *unct_choices]
        self.entity.choices = [("", _l("All entities")), *[(a, a) for a in entity_choices]]


class JoinForm(person_name_fields(own=True), PortalForm):
    """A newly appointed focal point or alternate asks to join (anonymous)."""

    entity = SelectField(_l("Entity"), validators=[
        DataRequired(message=_l("Choose your entity."))])
    scope = SelectField(_l("Scope of your appointment"), validators=[DataRequired()],
                            description=_l("Headquarters when you serve the whole entity; "
                                           "otherwise the UN Country Team of your country "
                                           "office."))
    role = SelectField(_l("Role"), validators=[DataRequired()])
    position_title = SingleLineField(_l("Position title"), validators=[
        DataRequired(message=_l("Enter your position title.")), Length(max=200)],
        render_kw={"autocomplete": "organization-title"})
    grade = SingleLineField(_l("Grade"), validators=[Optional(), Length(max=16)],
                            description=_l("For example P-4, NO-C or G-6."))
    duty_station = SelectField(_l("Duty station"), coerce=int, validators=[Optional()])
    start_date = PlausibleDateField(_l("Start date of the appointment"), validators=[
        DataRequired(message=_l("Enter the start date of your appointment."))])
    time_share = WholeNumberField(_l("Share of working time (%)"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100."))])
    preferred_language = SelectField(_l("Preferred language"))
    memo = FileField(_l("Appointment memo or letter (PDF or DOCX)"))
    submit = SubmitField(_l("Send my request"))

    def __init__(self, *args, scope_choices=(), entity_choices=(), station_choices=(),
                 letter_limit_mb=None, memo_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity.choices = [("", _l("— choose —")), *[(a, a) for a in entity_choices]]
        self.scope.choices = [("HQ", _l("Headquarters (whole entity)")), *scope_choices]
        self.role.choices = role_choices()
        self.duty_station.choices = [(0, _l("— none —")), *station_choices]
        self.preferred_language.choices = language_choices()
        self.memo.description = _l("The memo or letter of your head of entity appointing you. "
                                   "At most %(limit)s MB.", limit=letter_limit_mb)
        self.memo_required = memo_required
        # Asked by validate_memo, not by a validator: marked as required where it is.
        self.memo.flags.required = memo_required

    def validate_memo(self, field):
        if self.memo_required and not getattr(field.data, "filename", None):
            raise ValidationError(_l("Attach the memo or letter that appoints you."))


class ApproveForm(EditsRecord, PortalForm):
    """Approval, confirmed from the page that named what it changes in the nominee's registry
    record: it carries that record's latest event as the page showed it (`seen`)."""

    replace = BooleanField(_l("Replace the current focal point"))
    submit = SubmitField(_l("Approve and appoint"))
