"""Session times as people read them: in their own zone, named, and in the session's zone.

"Tuesday 14 March 2027, 10:00–11:30 Nairobi (UTC+3) · 09:00–10:30 Geneva (UTC+2)"."""
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_location


def offset_label(moment):
    """UTC+3, UTC+5:45, UTC−5 (with a true minus sign), UTC."""
    minutes = int(moment.utcoffset().total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


# IANA zones renamed after CLDR chose its keys: CLDR still files their city names under the old
# name (Kathmandu under Asia/Katmandu).
CLDR_KEYS = {"Asia/Kathmandu": "Asia/Katmandu", "Asia/Kolkata": "Asia/Calcutta",
             "Asia/Yangon": "Asia/Rangoon", "Asia/Ho_Chi_Minh": "Asia/Saigon",
             "Europe/Kyiv": "Europe/Kiev", "America/Nuuk": "America/Godthab",
             "Atlantic/Faroe": "Atlantic/Faeroe", "Pacific/Chuuk": "Pacific/Truk",
             "Pacific/Pohnpei": "Pacific/Ponape", "Pacific/Kanton": "Pacific/Enderbury",
             "America/Indiana/Indianapolis": "America/Indianapolis",
             "America/Kentucky/Louisville": "America/Louisville"}


def city_name(zone_name, locale):
    """The zone's city in the reader's language ("كاتماندو", "Katmandou")."""
    names = Locale.parse(locale).time_zones.get(CLDR_KEYS.get(zone_name, zone_name), {})
    return names.get("city") or get_timezone_location(ZoneInfo(zone_name), locale=locale,
                                                      return_city=True)


def zone_label(zone_name, moment, locale, *, isolate=True):
    """"Nairobi (UTC+3)"; on a page the offset is isolated (U+2066…U+2069) so it reads left to
    right in Arabic too. Plain text (emails, calendar entries) leaves the marks out: many mail
    and calendar programs show them as stray boxes, and the Latin letters already run left to
    right there."""
    city = city_name(zone_name, locale)
    offset = offset_label(moment)
    if isolate:
        offset = f"\u2066{offset}\u2069"
    if city == offset_label(moment):
        return offset
    return f"{city} ({offset})"


def span(session, zone_name, locale, *, isolate=True):
    """Date and times of `session` in one zone, with the zone named."""
    zone = ZoneInfo(zone_name or "UTC")
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    times = "–".join(format_time(moment, "short", locale=locale) for moment in (start, end))
    day = format_date(start.date(), "full", locale=locale)
    if end.date() != start.date():
        times += f" ({format_date(end.date(), 'medium', locale=locale)})"
    # The locale's own way to join a date and a time ("{1}, {0}"; "{1}، {0}" in Arabic).
    joined = str(Locale.parse(locale).datetime_formats["full"]).format(times, day)
    return f"{joined} {zone_label(zone.key, start, locale, isolate=isolate)}"


def spans(session, viewer_zone, locale, *, isolate=True):
    """The viewer's reading first, then the session's own when its zone differs. `isolate`:
    for a page (or HTML) rather than plain text."""
    viewer_zone = viewer_zone or "UTC"
    readings = [span(session, viewer_zone, locale, isolate=isolate)]
    if viewer_zone != session.time_zone:
        readings.append(span(session, session.time_zone, locale, isolate=isolate))
    return readings
