"""Forms of the practices and awards: the library's filters, a practice and its language
versions, the Office's decisions, an award."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from gfp_portal.core.forms import (
    DataRequired,
    EditsRecord,
    FilterForm,
    PortalForm,
    SelectField,
    SingleLineField,
    TextAreaField,
    WholeNumberField,
    language_choices,
    written_in,
)
from gfp_portal.practices.models import GuidelineArea, PracticeState

YEAR_MESSAGE = _l("Enter a year, for example 2024.")
# The text of a version is in the version's language, whatever the page's direction.
IN_ITS_LANGUAGE = {"dir": "auto"}


class PracticeFilterForm(FilterForm):
    q = SingleLineField(_l("Search"), validators=[Optional(), Length(max=200)])
    entity = SelectField(_l("Entity"), validators=[Optional()])
    year = SelectField(_l("Year"), validators=[Optional()])
    area = SelectField(_l("Area"), validators=[Optional()])
    language = SelectField(_l("Available in"), validators=[Optional()])
    state = SelectField(_l("State"), validators=[Optional()])

    def __init__(self, *args, entities=(), years=(), signed_in=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity.choices = [("", _l("All")), *((str(i), acronym) for i, acronym in entities)]
        self.year.choices = [("", _l("All")), *((str(y), str(y)) for y in years)]
        self.area.choices = [("", _l("All")), *GuidelineArea.choices()]
        self.language.choices = [("", _l("Any language")), *language_choices()]
        if signed_in:
            # Published by default; the other states are the review queue (for a focal point,
            # their own practices in that state).
            self.state.choices = [("", PracticeState.published.title), *PracticeState.choices(
                omit=(PracticeState.published,))]
        else:
            del self.state

    def filters(self):
        """The filter values; a value that is not one of the choices filters nothing."""
        self.validate()
        chosen = {name: field.data or None for name, field in self._fields.items()}
        state = chosen.get("state")
        return {"q": chosen["q"], "entity": int(chosen["entity"] or 0) or None,
                "year": int(chosen["year"] or 0) or None, "area": chosen["area"],
                "language": chosen["language"],
                "state": PracticeState(state) if state else None}


class VersionFields(PortalForm):
    """The text of a practice in one language."""

    language = SelectField(_l("Language"), validators=[DataRequired()])
    title = SingleLineField(_l("Title"), render_kw=IN_ITS_LANGUAGE, validators=[
        DataRequired(message=_l("Enter the title.")), Length(max=300)])
    summary = TextAreaField(_l("Summary"), render_kw={**IN_ITS_LANGUAGE, "rows": 3},
                            validators=[Optional(), Length(max=2000)],
                            description=_l("Two or three sentences for the list of practices."))
    body = TextAreaField(_l("Measures taken"), render_kw={**IN_ITS_LANGUAGE, "rows": 8},
                         validators=[DataRequired(message=_l("Describe the measures taken.")),
                                     Length(max=20000)])
    results = TextAreaField(
        _l("Results: figures before and after"), render_kw={**IN_ITS_LANGUAGE, "rows": 3},
        validators=[Optional(), Length(max=4000)],
        description=_l("For example: women in the P and higher categories, 32 per cent in "
                       "2020 and 41 per cent in 2023."))

    def __init__(self, *args, languages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = list(languages) if languages is not None else language_choices()


class PracticeForm(EditsRecord, VersionFields):
    """A new practice with its first language version; without the version when editing."""

    entity = SelectField(_l("Entity"), coerce=int, validators=[DataRequired()])
    year = WholeNumberField(_l("Year"), validators=[
        InputRequired(message=YEAR_MESSAGE),
        NumberRange(min=1990, max=2100, message=YEAR_MESSAGE)],
        description=_l("The year the measures were taken or their results measured."))
    area = SelectField(_l("Area of the Enabling Environment Guidelines"),
                       validators=[DataRequired()])
    contacts = TextAreaField(
        _l("Contacts"), render_kw={"rows": 2, "dir": "ltr"},
        validators=[Optional(), Length(max=2000)],
        description=_l("Email addresses of people in the registry who can tell more about "
                       "this practice, separated by commas."))
    submit = SubmitField(_l("Submit to the Office"))

    def __init__(self, *args, entities=(), with_version=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity.choices = list(entities)
        self.area.choices = GuidelineArea.choices()
        if not with_version:
            for name in ("language", "title", "summary", "body", "results"):
                del self[name]
            self.submit.label.text = _l("Save")


class VersionForm(EditsRecord, VersionFields):
    submit = SubmitField(_l("Save"))


class ReviewForm(EditsRecord, PortalForm):
    """A decision of the Office on a practice (publish): it carries the practice's latest
    event as the page showed it, so that a practice changed since is not decided on
    unread."""


class DecisionForm(ReviewForm):
    """Request changes or decline: the text is required by the service and shown to the
    submitter."""

    text = TextAreaField(_l("Message to the submitter"), render_kw={"rows": 3},
                         validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Send"))


class AwardForm(EditsRecord, PortalForm):
    year = WholeNumberField(_l("Year"), validators=[
        InputRequired(message=YEAR_MESSAGE),
        NumberRange(min=1990, max=2100, message=YEAR_MESSAGE)])
    event = SingleLineField(_l("Event"), validators=[
        DataRequired(message=_l("Enter the event.")), Length(max=200)],
        description=_l("For example: Global Annual Meeting 2024."))
    name = SingleLineField(_l("Award"), validators=[
        DataRequired(message=_l("Enter the name of the award.")), Length(max=200)])
    entity = SelectField(_l("Entity"), coerce=int, validators=[Optional()])
    recipients = TextAreaField(
        lazy_pgettext("award", "Recipients"), render_kw={"rows": 2, "dir": "ltr"},
        validators=[DataRequired(message=_l("Name at least one recipient by their email "
                                            "address.")), Length(max=2000)],
        description=_l("Email addresses of people in the registry, separated by commas."))
    citation_en = TextAreaField(_l("Citation in English"), render_kw=written_in("en", rows=3),
                                validators=[Optional(), Length(max=4000)])
    citation_fr = TextAreaField(_l("Citation in French"), render_kw=written_in("fr", rows=3),
                                validators=[Optional(), Length(max=4000)])
    citation_es = TextAreaField(_l("Citation in Spanish"), render_kw=written_in("es", rows=3),
                                validators=[Optional(), Length(max=4000)])
    citation_ar = TextAreaField(_l("Citation in Arabic"), render_kw=written_in("ar", rows=3),
                                validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, entities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entity.choices = [(0, _l("— none —")), *entities]
