"""The forms of the induction path: the Office's filters, the person's tick."""
from flask_babel import lazy_gettext as _l
from wtforms import SubmitField
from wtforms.validators import Length, Optional

from gfp_portal.core.forms import FilterForm, PortalForm, SelectField, SingleLineField

STATE_TITLES = {"not_started": _l("Not started"), "in_progress": _l("In progress"),
                "completed": _l("Completed")}


class InductionFilterForm(FilterForm):
    q = SingleLineField(_l("Name"), validators=[Optional(), Length(max=200)])
    state = SelectField(_l("Progress"), validators=[Optional()])
    entity = SelectField(_l("Entity"), validators=[Optional()])

    def __init__(self, *args, entity_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [("", _l("All")), ("open", _l("Not completed")),
                              *STATE_TITLES.items()]
        self.entity.choices = [("", _l("All entities")), *[(a, a) for a in entity_choices]]


class TermsReadForm(PortalForm):
    submit = SubmitField(_l("I have read the terms of reference"))
