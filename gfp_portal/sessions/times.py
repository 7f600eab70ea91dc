"""Session times as people read them: in their own zone, named, and in the session's zone.

"Tuesday 14 March 2027, 10:00–11:30 Nairobi (UTC+3) · 09:00–10:30 Geneva (UTC+2)"."""
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time

from gfp_portal.core.timezones import zone_label


def span(session, zone_name, locale, *, isolate=True):
    """Date and times of `session` in one zone, with the zone named."""
    return _span(session.starts_at, session.ends_at, zone_name or "UTC", locale, isolate)


@lru_cache(maxsize=4096)
def _span(starts_at, ends_at, zone_name, locale, isolate):
    """A session's times read the same for every viewer in the same zone and language: worked
    out once per process."""
    zone = ZoneInfo(zone_name)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    times = "–".join(format_time(moment, "short", locale=locale) for moment in (start, end))
    day = format_date(start.date(), "full", locale=locale)
    if end.date() != start.date():
        times += f" ({format_date(end.date(), 'medium', locale=locale)})"
    # The locale's own way to join a date and a time ("{1}, {0}"; "{1}، {0}" in Arabic).
    joined = str(Locale.parse(locale).datetime_formats["full"]).format(times, day)
    # The clocks may move during a session of several days: its end's offset is named too.
    return f"{joined} {zone_label(zone.key, start, locale, isolate=isolate, until=end)}"


def spans(session, viewer_zone, locale, *, isolate=True):
    """The viewer's reading first, then the session's own when its zone differs. `isolate`:
    for a page (or HTML) rather than plain text."""
    viewer_zone = viewer_zone or "UTC"
    readings = [span(session, viewer_zone, locale, isolate=isolate)]
    if viewer_zone != session.time_zone:
        readings.append(span(session, session.time_zone, locale, isolate=isolate))
    return readings
