"""Forms of the library: the filters, and the coordinators' resource and version forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SubmitField
from wtforms.validators import Length, Optional

from gfp_portal.core.forms import (
    DataRequired,
    EditsRecord,
    FilterForm,
    PortalForm,
    SelectField,
    SingleLineField,
    TextAreaField,
    language_choices,
)
from gfp_portal.core.i18n import collation_key
from gfp_portal.resources.models import Visibility, tag_title


class LibraryFilterForm(FilterForm):
    q = SingleLineField(_l("Search"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Category"), validators=[Optional()])
    tag = SelectField(_l("Topic"), validators=[Optional()])
    language = SelectField(_l("Available in"), validators=[Optional()])

    def __init__(self, *args, categories=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("All")), *((str(c.id), c.title) for c in categories)]
        self.tag.choices = [("", _l("All")), *sorted(
            ((t, tag_title(t)) for t in tags), key=lambda choice: collation_key(choice[1]))]
        self.language.choices = [("", _l("Any language")), *language_choices()]

    def filters(self):
        """The filter values; a value that is not one of the choices (an old bookmark) filters
        nothing."""
        self.validate()
        chosen = {name: field.data or None for name, field in self._fields.items()}
        return {"q": chosen["q"], "category": int(chosen["category"] or 0) or None,
                "tag": chosen["tag"], "language": chosen["language"]}


class ResourceForm(EditsRecord, PortalForm):
    slug = SingleLineField(_l("Web address"), validators=[
        DataRequired(message=_l("Enter the web address.")), Length(max=120)],
        description=_l("Shown in the link: /resources/<address>. Lower-case letters, digits "
                       "and hyphens."), render_kw={"dir": "ltr"})
    category = SelectField(_l("Category"), coerce=int, validators=[DataRequired()])
    visibility = SelectField(_l("Who may see it"), validators=[DataRequired()])
    tags = SingleLineField(_l("Topics"), validators=[Optional(), Length(max=400)],
                           description=_l("Separated by commas, for example: mentoring, parity."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [(c.id, c.title) for c in categories]
        self.visibility.choices = Visibility.choices()


class VersionForm(EditsRecord, PortalForm):
    language = SelectField(_l("Language"), validators=[DataRequired()])
    # The text is in the version's language, whatever the page's direction.
    title = SingleLineField(_l("Title"), validators=[
        DataRequired(message=_l("Enter the title.")), Length(max=300)],
        render_kw={"dir": "auto"})
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=4000)],
                            render_kw={"dir": "auto", "rows": 4})
    file = FileField(_l("File (PDF, DOCX, PPTX or XLSX)"))
    external_url = SingleLineField(_l("Or a link to the document"),
                                   validators=[Optional(), Length(max=1000)],
                                   render_kw={"dir": "ltr"},
                                   description=_l("Instead of a file, for example a page on the "
                                                  "UN Women website."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = list(languages)


class CategoryForm(PortalForm):
    name = SingleLineField(_l("Name"), validators=[
        DataRequired(message=_l("Enter the name.")), Length(max=120)])
    submit = SubmitField(_l("Add the category"))
