"""The header's search form."""
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms.validators import Length, ValidationError

from gfp_portal.core.forms import PortalForm, SingleLineField
from gfp_portal.core.search import fold
from gfp_portal.main.search import MAX_LENGTH


class SearchForm(PortalForm):
    """`q`, read from the query string: words to look for in everything the viewer may see."""

    class Meta:
        csrf = False

    q = SingleLineField(_l("Search the portal"), render_kw={"type": "search"}, validators=[
        Length(max=MAX_LENGTH, message=lazy_ngettext(
            "Type at most %(num)s character to search.",
            "Type at most %(num)s characters to search.", MAX_LENGTH))])

    def validate_q(self, field):
        # The field makes a line break a space: what was typed tells that there was one.
        if any(unicodedata.category(c) == "Cc" for c in (field.raw_data or [""])[0]):
            raise ValidationError(_l("The search cannot contain control characters "
                                     "(line breaks, tabulations)."))
        if not fold(field.data):
            raise ValidationError(_l("Type a name, an acronym, a country or a title to "
                                     "search."))
