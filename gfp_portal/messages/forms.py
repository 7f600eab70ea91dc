"""The composer (texts in four languages, kind and audience filters), the sending
confirmation and the newsletter preference."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from gfp_portal.core.forms import (
    DataRequired,
    PortalForm,
    SelectField,
    SingleLineField,
    TextAreaField,
    WholeNumberField,
    language_choices,
    written_in,
)
from gfp_portal.messages.models import MessageKind
from gfp_portal.reference.models import EntityType, Region
from gfp_portal.registry.models import AppointmentStatus

LANGUAGE_LABELS = {"en": (_l("Subject in English"), _l("Message in English")),
                   "fr": (_l("Subject in French"), _l("Message in French")),
                   "es": (_l("Subject in Spanish"), _l("Message in Spanish")),
                   "ar": (_l("Subject in Arabic"), _l("Message in Arabic"))}


BAD_CHOICE = _l("One of the audience filters names something that does not exist. Choose it "
                "again.")


def offered(message=BAD_CHOICE):
    """A select's value must be one of its choices: the portal's own words, in the reader's
    language (instead of the generic check of the select)."""
    def check(form, field):
        if field.data not in {str(choice[0]) for choice in field.choices}:
            raise StopValidation(str(message))
    return check


def _filter(label, **kwargs):
    return SelectField(label, validate_choice=False, validators=[Optional(), offered()],
                       **kwargs)


class MessageForm(PortalForm):
    kind = RadioField(_l("Kind of message"), default=MessageKind.notice.value,
                      validate_choice=False, validators=[
                          InputRequired(message=_l("Choose the kind of message.")),
                          offered(_l("Choose the kind of message."))])
    subject_en = SingleLineField(LANGUAGE_LABELS["en"][0], render_kw=written_in("en"),
                                 validators=[DataRequired(
                                     message=_l("Enter the subject in English.")),
                                     Length(max=200)])
    body_en = TextAreaField(LANGUAGE_LABELS["en"][1], render_kw=written_in("en", rows=8),
                            validators=[DataRequired(message=_l("Enter the message in English.")),
                                        Length(max=20000)])
    subject_fr = SingleLineField(LANGUAGE_LABELS["fr"][0], render_kw=written_in("fr"),
                                 validators=[Optional(), Length(max=200)])
    body_fr = TextAreaField(LANGUAGE_LABELS["fr"][1], render_kw=written_in("fr", rows=8),
                            validators=[Optional(), Length(max=20000)])
    subject_es = SingleLineField(LANGUAGE_LABELS["es"][0], render_kw=written_in("es"),
                                 validators=[Optional(), Length(max=200)])
    body_es = TextAreaField(LANGUAGE_LABELS["es"][1], render_kw=written_in("es", rows=8),
                            validators=[Optional(), Length(max=20000)])
    subject_ar = SingleLineField(LANGUAGE_LABELS["ar"][0], render_kw=written_in("ar"),
                                 validators=[Optional(), Length(max=200)])
    body_ar = TextAreaField(LANGUAGE_LABELS["ar"][1], render_kw=written_in("ar", rows=8),
                            validators=[Optional(), Length(max=20000)])
    role = _filter(_l("Role"))
    status = _filter(_l("Appointment status"))
    entity = _filter(_l("Entity"))
    entity_type = _filter(_l("Type of entity"))
    unct = _filter(_l("UN Country Team"))
    region = _filter(_l("Region"))
    language = _filter(_l("Language of the recipients"))
    not_attended = _filter(_l("Has not yet attended a session on"))
    below_parity = BooleanField(_l("Only entities below the parity range"))
    version = HiddenField()  # of the draft as the page showed it
    submit = SubmitField(_l("Save and preview"))

    def __init__(self, *args, entity_choices=(), unct_choices=(), role_choices=(),
                 topic_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = MessageKind.choices()
        self.role.choices = [("", _l("Focal points and alternates")), *role_choices]
        self.status.choices = AppointmentStatus.choices()
        self.entity.choices = [("", _l("All entities")),
                               *[(str(i), acronym) for i, acronym in entity_choices]]
        self.entity_type.choices = [("", _l("All types of entity")), *EntityType.choices()]
        self.unct.choices = [("", _l("All UN Country Teams")), ("HQ", _l("Headquarters")),
                             *unct_choices]
        self.region.choices = [("", _l("All regions")), *Region.choices()]
        self.language.choices = [("", _l("All languages")), *language_choices()]
        self.not_attended.choices = [("", _l("— any —")), *topic_choices]

    TEXTS = ("subject_en", "body_en", "subject_fr", "body_fr", "subject_es", "body_es",
             "subject_ar", "body_ar")
    AUDIENCE = ("role", "status", "entity", "entity_type", "unct", "region", "language",
                "not_attended", "below_parity")

    def message_data(self):
        data = {name: self[name].data for name in self.TEXTS}
        data["kind"] = self.kind.data
        data["audience"] = {name: self[name].data for name in self.AUDIENCE}
        return data

    @classmethod
    def data_of(cls, message, version):
        data = {name: getattr(message, name) for name in cls.TEXTS}
        data["version"] = version
        data["kind"] = message.kind.value
        data.update({name: message.audience.get(name, "") for name in cls.AUDIENCE})
        data["status"] = message.audience.get("status") or AppointmentStatus.active.value
        data["below_parity"] = bool(message.audience.get("below_parity"))
        return data


class SendForm(PortalForm):
    """The confirmation: it carries the number of people the preview showed, and which
    version of the draft it showed (its last change)."""
    expected = WholeNumberField(widget=HiddenField.widget, validators=[InputRequired()])
    shown = HiddenField()
    submit = SubmitField(_l("Send"))


class NewsletterForm(PortalForm):
    receive = BooleanField(_l("Send me the newsletter of the network"),
                           description=_l("Mandatory notices from the Office reach you "
                                          "whatever you choose here."))
    submit = SubmitField(_l("Save my choice"))


class UnsubscribeForm(PortalForm):
    submit = SubmitField(_l("Stop sending me the newsletter"))


class ResubscribeForm(PortalForm):
    """The way back, on the page that says the newsletter was left (by this link or
    another). It says what it asks in a field of its own, not by its button's name, which
    not every way of sending a form carries."""
    receive = HiddenField(default="1")
    submit = SubmitField(_l("Receive the newsletter again"))
