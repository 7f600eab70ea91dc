"""Forms of the library: the filters, and the coordinators' resource and version forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from gfp_portal.core.forms import language_choices


class LibraryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Category"), validators=[Optional()])
    tag = SelectField(_l("Topic"), validators=[Optional()])
    language = SelectField(_l("Available in"), validators=[Optional()])

    def __init__(self, *args, categories=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("All")), *((str(c.id), c.title) for c in categories)]
        self.tag.choices = [("", _l("All")), *((t, t) for t in tags)]
        self.language.choices = [("", _l("Any language")), *language_choices()]
