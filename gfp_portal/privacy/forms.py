"""The confirmation of an anonymisation: the coordinator types the person's family name."""
from flask_babel import lazy_gettext as _l
from wtforms import SubmitField
from wtforms.validators import InputRequired, Length, StopValidation

from gfp_portal.core.forms import PortalForm, SingleLineField


class AnonymiseForm(PortalForm):
    family_name = SingleLineField(
        _l("Family name of the person, to confirm"),
        validators=[InputRequired(message=_l("Type the family name of the person to "
                                             "confirm.")), Length(max=200)],
        description=_l("Type the family name exactly as the record shows it."))
    submit = SubmitField(_l("Anonymise this person"))

    def __init__(self, *args, expected, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def validate_family_name(self, field):
        typed = " ".join((field.data or "").split())
        if typed.casefold() != " ".join(self.expected.split()).casefold():
            raise StopValidation(_l("This is not the family name of the person: nothing has "
                                    "been changed."))
