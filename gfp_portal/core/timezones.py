"""IANA time zones as people choose and read them: "Nairobi (UTC+3)", canonical names only.

The choices are the zones of `zone.tab` (one per region of a country, under the name IANA
recommends), plus UTC. Deprecated aliases (Asia/Calcutta, Europe/Kiev, US/Eastern…) are not
offered; a value saved under one still works, reads as its city, and maps to its zone.
"""
from datetime import UTC, date, datetime, time
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import format_datetime, get_timezone_location
from flask_babel import get_locale

from gfp_portal.core.i18n import collation_key, current_language, viewer_zone


def _tzdata_lines(name):
    with resources.files("tzdata.zoneinfo").joinpath(name).open(encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle if line.strip() and line[0] != "#"]


@lru_cache(maxsize=1)
def timezone_names():
    """The canonical zones people choose from, sorted by name."""
    return tuple(sorted({line.split("\t")[2] for line in _tzdata_lines("zone.tab")} | {"UTC"}))


@lru_cache(maxsize=1)
def _links():
    """alias -> zone, from the tz database's own list of links ("L target alias")."""
    links = {}
    for line in _tzdata_lines("tzdata.zi"):
        parts = line.split()
        if parts[0] == "L" and len(parts) == 3:
            links[parts[2]] = parts[1]
    return links


def canonical_zone(name):
    """The zone offered for `name`: itself when offered, else the zone it is an alias of
    ("Asia/Calcutta" → "Asia/Kolkata", "Etc/UTC" → "UTC"); None for no zone at all."""
    if not is_timezone(name):
        return None
    offered = set(timezone_names())
    seen = set()
    while name not in offered and name in _links() and name not in seen:
        seen.add(name)
        name = _links()[name]
    if name in {"Etc/UTC", "Etc/GMT", "Etc/Universal", "Etc/Zulu", "GMT", "UCT"}:
        return "UTC"
    return name


@lru_cache(maxsize=1)
def _zone_keys():
    return frozenset(available_timezones())


def is_timezone(name):
    """True for a zone of the tz database, by its list of names: a name typed or posted is
    never looked up as a file (one too long for a file name would stop the request)."""
    return bool(name) and name in _zone_keys()


def _offset_label(minutes):
    """UTC+3, UTC+5:45, UTC−5 (with a true minus sign), UTC: for an offset of `minutes`."""
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


@lru_cache(maxsize=4096)
def city_name(zone_name, locale):
    """The zone's city in the reader's language ("كاتماندو", "Katmandou")."""
    names = Locale.parse(locale).time_zones.get(CLDR_KEYS.get(zone_name, zone_name), {})
    return names.get("city") or get_timezone_location(ZoneInfo(zone_name), locale=locale,
                                                      return_city=True)


def zone_label(zone_name, moment, locale, *, isolate=True, until=None):
    """"Nairobi (UTC+3)"; on a page the offset is isolated (U+2066…U+2069) so it reads left to
    right in Arabic too. Plain text (emails, calendar entries) leaves the marks out: many mail
    and calendar programs show them as stray boxes, and the Latin letters already run left to
    right there. `until`: the end of a span from `moment`, whose offset is named too when the
    clocks move in between ("Zurich (UTC+1 → UTC+2)")."""
    return _zone_label(zone_name, _minutes(moment), locale, isolate,
                       _minutes(until) if until is not None else None)


def _minutes(moment):
    return int(moment.utcoffset().total_seconds() // 60)


@lru_cache(maxsize=4096)
def _zone_label(zone_name, minutes, locale, isolate, until_minutes=None):
    """zone_label, kept for each zone, offsets and language: a list shows tens of moments."""
    city = city_name(zone_name, locale)
    offset = _offset_label(minutes)
    if city == offset:
        city = None
    if until_minutes is not None and until_minutes != minutes:
        offset = f"{offset} → {_offset_label(until_minutes)}"
    isolated = f"\u2066{offset}\u2069" if isolate else offset
    return f"{city} ({isolated})" if city else isolated


def moment_reading(moment, format="short"):
    """A moment as a page shows it: its date and time where the viewer is, with their zone
    named ("6 Dec 2026, 10:00 Nairobi (UTC+3)"), as every time the portal shows is read."""
    return _reading(moment.replace(tzinfo=moment.tzinfo or UTC), format, viewer_zone(),
                    str(get_locale()), current_language(), True)


def moment_in(moment, zone_name, language, format="short", *, isolate=True):
    """moment_reading for a reader who is not the viewer (an email's recipient): in their
    zone and language; `isolate` as for zone_label (plain text leaves the marks out)."""
    return _reading(moment.replace(tzinfo=moment.tzinfo or UTC), format, zone_name or "UTC",
                    language, language, isolate)


@lru_cache(maxsize=2048)
def _reading(moment, format, zone, locale, language, isolate):
    """moment_reading, kept: a list shows the same moment many times (marks recorded at once)
    and the same page is read again."""
    tzinfo = ZoneInfo(zone)
    return (f"{format_datetime(moment, format, tzinfo=tzinfo, locale=locale)} "
            f"{zone_label(zone, moment.astimezone(tzinfo), language, isolate=isolate)}")


def choice_label(zone_name, moment, locale):
    """"Nairobi (UTC+3)" for a list of choices: the offset of now, UTC as itself."""
    if zone_name == "UTC":
        return "UTC"
    return zone_label(zone_name, moment.astimezone(ZoneInfo(zone_name)), locale)


@lru_cache(maxsize=16)
def _choices(locale, hour):
    moment = datetime.fromisoformat(hour)
    labels = {name: choice_label(name, moment, locale) for name in timezone_names()}
    # Two zones whose cities read alike are told apart by their region ("Asia/…").
    counts = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    for name, label in labels.items():
        if counts[label] > 1:
            labels[name] = f"{label} · {name.split('/')[0]}"
    return tuple(sorted(labels.items(), key=lambda pair: collation_key(pair[1], locale)))


def zone_name(name, locale, now=None):
    """How a saved zone reads ("Kolkata (UTC+5:30)"), an alias as the zone it stands for."""
    if not name:
        return ""
    zone = canonical_zone(name)
    if zone is None:
        return name
    return choice_label(zone, now or datetime.now(UTC), locale)


def timezone_choices(locale, now=None):
    """(zone, "Nairobi (UTC+3)") for every canonical zone, as the reader's language sorts the
    cities; the offsets are those of `now` (this hour)."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return list(_choices(locale, now.isoformat()))


def day_start(day, zone_name):
    """The moment, in UTC, at which `day` begins in the time zone `zone_name` (UTC if none)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone_name or "UTC")).astimezone(UTC)


def year_start(day, zone_name):
    """The moment, in UTC, at which the year of `day` begins in `zone_name` (UTC if none):
    "this year" as a reader there counts it."""
    return day_start(date(day.year, 1, 1), zone_name)


def wall_time(moment, zone_name):
    """The date and time (naive) that clocks in `zone_name` show at `moment`; None for None."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


def from_wall_time(local, zone_name, *, keep=None):
    """The moment, in UTC, at which clocks in `zone_name` show `local` (naive); None for None.
    Of an hour the clocks show twice, when they move back, the first is taken, unless `keep`
    (the moment a form showed as this time, sent back unchanged) is the second."""
    if local is None:
        return None
    if keep is not None and wall_time(keep, zone_name) == local:
        return keep.astimezone(UTC)
    return local.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def is_skipped(local, zone_name):
    """Whether clocks in `zone_name` never show `local`: it falls in the time they skip when
    they move forward (New York, 14 March 2027, 02:00–03:00)."""
    return wall_time(from_wall_time(local, zone_name), zone_name) != local
