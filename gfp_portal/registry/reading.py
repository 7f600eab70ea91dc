"""Reading a registry import: the columns of the registry export, read by the shared reader
(core/reading.py), which bounds the file and refuses it with the reason and the line."""
from gfp_portal.core import reading
from gfp_portal.core.reading import MAX_BYTES, MAX_ROWS  # noqa: F401
from gfp_portal.registry.exports import COLUMNS

REQUIRED = ("given_name", "family_name", "email")


def read_table(filename, data):
    """[(line, {column: text})] of a registry file; the header is line 1."""
    return reading.read_table(filename, data, columns=COLUMNS, required=REQUIRED)
