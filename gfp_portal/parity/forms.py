"""The parity figures' one form: the file to import."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.forms import file_check_form

ParityImportForm = file_check_form(
    _l("CSV or Excel file"),
    _l("The columns described above. Nothing is written before you confirm the check."),
    _l("Check the file"))
