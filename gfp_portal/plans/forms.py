"""Forms of implementation plans: the list filter, a period, a plan, and what a plan's page
edits (status, responsible people, a document, targets, a review note)."""
import re

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from gfp_portal.core.forms import (
    CheckboxListField,
    DataRequired,
    EditsRecord,
    FilterForm,
    ParsedField,
    PlausibleDateField,
    PortalForm,
    RequiredFileField,
    SelectField,
    SingleLineField,
    TextAreaField,
    WholeNumberField,
    language_choices,
)
from gfp_portal.plans.models import PlanStatus, Standing
from gfp_portal.reference.models import EntityType

MAX_TARGET_LINES = 200


class PlanFilterForm(FilterForm):
    period = SelectField(_l("Period"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    type = SelectField(_l("Entity type"), validators=[Optional()])

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.period.choices = [(str(p.id), p.label) for p in periods]
        self.status.choices = [("", _l("All")), *Standing.choices()]
        self.type.choices = [("", _l("All")), *EntityType.choices()]


class PeriodForm(PortalForm):
    name = SingleLineField(_l("Name"), validators=[
        DataRequired(message=_l("Please enter the name of the period.")), Length(max=40)],
        description=_l("For example 2025–2027."))
    first_year = WholeNumberField(_l("First year"), validators=[
        InputRequired(message=_l("Enter a whole number.")),
        NumberRange(min=2000, max=2100, message=_l("Enter a year from %(low)s to %(high)s.",
                                                   low=2000, high=2100))])
    last_year = WholeNumberField(_l("Last year"), validators=[
        InputRequired(message=_l("Enter a whole number.")),
        NumberRange(min=2000, max=2100, message=_l("Enter a year from %(low)s to %(high)s.",
                                                   low=2000, high=2100))])
    deadline = PlausibleDateField(_l("Submission deadline"), validators=[
        InputRequired(message=_l("Please enter the submission deadline."))])
    submit = SubmitField(_l("Create the period"))


class PlanForm(PortalForm):
    entity = SelectField(_l("Entity"), coerce=int, validators=[
        DataRequired(message=_l("Choose the entity."))])
    period = SelectField(_l("Period"), coerce=int, validators=[
        DataRequired(message=_l("Choose the period."))])
    submit = SubmitField(_l("Create the plan"))

    def __init__(self, *args, entity_choices=(), periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entity.choices = [(0, _l("— choose —")), *entity_choices]
        self.period.choices = [(p.id, p.label) for p in periods]


class StatusForm(PortalForm):
    status = SelectField(_l("Status"), validators=[DataRequired()])
    submit = SubmitField(_l("Change the status"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = PlanStatus.choices()


class ResponsibleForm(EditsRecord, PortalForm):
    people = CheckboxListField(_l("Responsible focal points"), coerce=int,
                               validators=[Optional()])
    submit = SubmitField(_l("Save the responsible focal points"))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people.choices = list(choices)


class DocumentForm(PortalForm):
    language = SelectField(_l("Language of the document"), validators=[DataRequired()])
    file = RequiredFileField(_l("The plan (PDF or DOCX)"))
    submit = SubmitField(_l("Upload the document"))

    def __init__(self, *args, limit_mb=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        if limit_mb is not None:
            self.file.description = _l("At most %(limit)s MB.", limit=limit_mb)


_SEPARATORS = re.compile(r"\s*[,;\t]\s*")


class TargetsField(ParsedField, TextAreaField):
    """One `GRADE, YEAR, PERCENT` per line; kept as a list of {grade, year, women_percent}
    (the service checks grades, years and duplicates)."""

    @staticmethod
    def format(rows):
        return "\n".join(f"{r['grade']}, {r['year']}, {r['women_percent']}" for r in rows or ())

    @staticmethod
    def parse(text):
        rows, errors = [], []
        lines = [line.strip() for line in text.splitlines()]
        if len([line for line in lines if line]) > MAX_TARGET_LINES:
            return [], [lazy_ngettext("Enter at most %(num)s line.", "Enter at most %(num)s lines.",
                                      MAX_TARGET_LINES)]
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            parts = _SEPARATORS.split(line)
            if len(parts) != 3 or not parts[1].isdecimal() or not parts[2].isdecimal() \
                    or len(parts[1]) > 4 or len(parts[2]) > 3:
                errors.append(_l("Line %(line)s (“%(text)s”): write one GRADE, YEAR, PERCENT "
                                 "per line, e.g. P-4, 2023, 50.", line=number, text=line[:80]))
                continue
            rows.append({"grade": parts[0], "year": int(parts[1]),
                         "women_percent": int(parts[2])})
        return rows, errors


class TargetsForm(EditsRecord, PortalForm):
    targets = TargetsField(
        _l("Targets"), render_kw={"rows": 8, "dir": "ltr"},
        description=_l("One target per line: grade or staff category, year, share of women "
                       "(%), e.g. P-4, 2023, 50. The list replaces the current targets."))
    submit = SubmitField(_l("Save the targets"))


class NoteForm(PortalForm):
    text = TextAreaField(_l("Review note"), render_kw={"rows": 4}, validators=[
        DataRequired(message=_l("Please write the note.")), Length(max=4000)],
        description=_l("The responsible focal points are told by email."))
    submit = SubmitField(_l("Add the note"))
