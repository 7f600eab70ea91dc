"""Reading a registry import: the columns of the registry export, read by the shared reader
(core/reading.py), which bounds the file and refuses it with the reason and the line."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core import reading
from gfp_portal.core.errors import DomainError
from gfp_portal.registry.exports import COLUMNS

REQUIRED = ("given_name", "family_name", "email")
APPOINTMENT_COLUMNS = COLUMNS[13:]
# With the person's email, these name the appointment a row is about. A file without one of
# them cannot say which term it means (without scope, a row would read as headquarters).
APPOINTMENT_KEY = ("role", "appointment_entity", "scope", "start_date")


def read_table(filename, data):
    """[(line, {column: text})] of a registry file; the header is line 1. A file with any
    appointment column is refused unless it has all of APPOINTMENT_KEY."""
    rows = reading.read_table(filename, data, columns=COLUMNS, required=REQUIRED)
    header = rows[0][1].keys() if rows else ()  # every row has each column of the header
    missing = [column for column in APPOINTMENT_KEY if column not in header]
    if missing and any(column in header for column in APPOINTMENT_COLUMNS):
        raise DomainError("bad_file", _l(
            "The file has appointment columns but lacks these: %(columns)s. The columns "
            "%(key)s identify each appointment. Add the missing columns, or leave out every "
            "appointment column to update people only.",
            columns=", ".join(missing), key=", ".join(APPOINTMENT_KEY)), field="file")
    return rows
