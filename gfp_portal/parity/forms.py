"""The parity figures' one form: the file to import."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from gfp_portal.core.forms import RequiredFileField


class ParityImportForm(FlaskForm):
    file = RequiredFileField(
        _l("CSV or Excel file"),
        description=_l("The columns described above. Nothing is written before you confirm "
                       "the check."))
    submit = SubmitField(_l("Check the file"))
