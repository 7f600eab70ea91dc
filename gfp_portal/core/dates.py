"""The dates the portal accepts. A year typed as 9999 or 0001 is a slip of the keyboard, and
the dates worked out from it (a term's default end, the day after a term, a session's hours)
would not exist."""
from flask_babel import lazy_gettext as _l

FIRST_YEAR, LAST_YEAR = 1900, 2100
OUT_OF_RANGE = _l("Enter a date between the years %(first)s and %(last)s.", first=FIRST_YEAR,
                  last=LAST_YEAR)


def is_plausible(value):
    """True for no date, or a date (or date and time) from FIRST_YEAR to LAST_YEAR."""
    return value is None or FIRST_YEAR <= value.year <= LAST_YEAR
