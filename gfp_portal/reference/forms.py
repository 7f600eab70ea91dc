"""Forms for entities and UN Country Teams."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField
from wtforms.validators import Length, Optional, Regexp

from gfp_portal.core.forms import (
    CheckboxListField,
    DataRequired,
    EditsRecord,
    FilterForm,
    PlausibleDateField,
    PortalForm,
    SelectField,
    SingleLineField,
    TextAreaField,
)
from gfp_portal.reference.models import EntityType, Region


def entity_type_choices():
    return EntityType.choices()


def region_choices():
    return Region.choices()


class EntityForm(EditsRecord, PortalForm):
    acronym = SingleLineField(_l("Acronym"), validators=[
        DataRequired(message=_l("Enter the acronym.")), Length(max=40)])
    name = SingleLineField(_l("Name (English)"), validators=[
        DataRequired(message=_l("Enter the name.")), Length(max=255)])
    type = SelectField(_l("Type"), validators=[DataRequired()])
    is_verified = BooleanField(_l("Checked against an official list"))
    active_from = PlausibleDateField(_l("Active from"), validators=[Optional()],
                                     description=_l("Leave empty when not known."))
    active_to = PlausibleDateField(
        _l("Active until"), validators=[Optional()],
        description=_l("Set when the entity was closed, renamed or merged."))
    email_domains = SingleLineField(
        _l("Email domains"), validators=[Optional(), Length(max=400)],
        description=_l("The domains of the entity's official addresses, separated by spaces "
                       "(e.g. unicef.org). A request to join from another domain gets a "
                       "warning."))
    reason = TextAreaField(_l("Reason for the change"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = entity_type_choices()


class UnctForm(EditsRecord, PortalForm):
    iso3 = SingleLineField(_l("Host country (ISO 3166 alpha-3 code)"), validators=[
        DataRequired(message=_l("Enter the country code.")),
        Regexp(r"^\s*[A-Za-z]{3}\s*$", message=_l("Enter three letters, such as KEN."))])
    name_en = SingleLineField(_l("Name (English)"), validators=[
        DataRequired(message=_l("Enter the name.")), Length(max=120)])
    region = SelectField(_l("Region"), validators=[DataRequired()])
    countries = SingleLineField(
        _l("Other countries and territories covered"), validators=[Optional(), Length(max=400)],
        description=_l("ISO 3166 alpha-3 codes separated by spaces, for a multi-country "
                       "office (e.g. ATG DMA GRD)."))
    is_verified = BooleanField(_l("Checked against an official list"))
    members = CheckboxListField(_l("Member entities"), coerce=int, validators=[Optional()])
    reason = TextAreaField(_l("Reason for the change"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, entity_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = region_choices()
        self.members.choices = list(entity_choices)


class ReferenceFilterForm(FilterForm):
    q = SingleLineField(_l("Search"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Type"), validators=[Optional()])

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("All")), *kinds]
