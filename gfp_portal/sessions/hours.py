"""Fair hours: whether a session's time falls within the working day (08:00–18:00 local) of the
people it is for, the best start times of a day, a second slot for those the first leaves out,
and per year, the share of the network offered a session at a reasonable hour.

People are counted by time zone (their duty station's, else their own), read in one grouped
query; everything else is arithmetic on those counts."""
from collections import Counter
from dataclasses import dataclass
from datetime import time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select

from gfp_portal.core.timezones import day_start
from gfp_portal.extensions import db
from gfp_portal.reference.models import DutyStation, Region, Unct
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from gfp_portal.sessions.models import SessionStatus, TrainingSession
from gfp_portal.sessions.queries import session_year

DAY_STARTS, DAY_ENDS = time(8), time(18)
STEP = timedelta(minutes=30)
HEADQUARTERS = "headquarters"
EVERYONE = ("focal_point", "alternate")


# A person's time zone: their duty station's, else their own.
ZONE = func.coalesce(DutyStation.time_zone, Person.time_zone)


def _people_by_zone(*groups):
    """People holding an active appointment, counted once per `groups` and time zone."""
    return (select(*groups, ZONE, func.count(distinct(Person.id)))
            .select_from(Person)
            .join(Appointment, (Appointment.person_id == Person.id) &
                  (Appointment.status == AppointmentStatus.active))
            .outerjoin(DutyStation, DutyStation.id == Person.duty_station_id)
            .group_by(*groups, ZONE))


def audience_zones(roles, region=None):
    """time zone -> how many people hold an active appointment in one of `roles` (within the
    UN Country Teams of `region`, when given): one query."""
    stmt = _people_by_zone().where(Appointment.role.in_(roles))
    if region:
        stmt = stmt.join(Unct, Unct.id == Appointment.unct_id).where(
            Unct.region == Region(region))
    return dict(db.session.execute(stmt).all())


@lru_cache(maxsize=4096)
def _zone(name):
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def within_day(starts, ends, zone):
    """Whether starts–ends (aware datetimes) lies within 08:00–18:00 of one day in `zone`."""
    local_start, local_end = starts.astimezone(_zone(zone)), ends.astimezone(_zone(zone))
    return (local_start.date() == local_end.date() and local_start.time() >= DAY_STARTS
            and local_end.time() <= DAY_ENDS)


@dataclass(frozen=True)
class Reach:
    """Of `total` people, `reached` have the time within their working day."""
    reached: int
    total: int

    @property
    def share(self):
        return self.reached / self.total if self.total else 0.0


def reach(zones, starts, ends):
    return Reach(sum(n for zone, n in zones.items() if within_day(starts, ends, zone)),
                 sum(zones.values()))


def _candidates(day, duration, zone):
    """Every start on the half hour of `day` in `zone` (as aware UTC datetimes), each once:
    counted in UTC, as a day when the clocks move has 23 or 25 hours."""
    name = _zone(zone).key  # an unknown zone reads as UTC, as everywhere in this module
    starts, day_ends = day_start(day, name), day_start(day + timedelta(days=1), name)
    while starts < day_ends:
        yield starts, starts + duration
        starts += STEP


def best_starts(zones, day, duration, zone, *, count=3):
    """The `count` starts of `day` (in the session's `zone`) that reach the most people,
    the earliest first among equals: [(starts, Reach)], those reaching nobody left out."""
    scored = [(starts, reach(zones, starts, ends)) for starts, ends in
              _candidates(day, duration, zone)]
    scored.sort(key=lambda pair: (-pair[1].reached, pair[0]))
    return [pair for pair in scored[:count] if pair[1].reached]


def second_slot(zones, starts, ends, zone):
    """For a series: the start on the same day (in `zone`) that reaches the most of the people
    the first slot leaves out; (starts, Reach among those left out), or None if none."""
    left_out = {z: n for z, n in zones.items() if not within_day(starts, ends, z)}
    best = best_starts(left_out, starts.astimezone(_zone(zone)).date(), ends - starts, zone,
                       count=1)
    return best[0] if best else None


@dataclass
class HoursCheck:
    """What the session form shows for a time: its reach, the best starts of that day and,
    for a series, the second slot (starts as local times of the session's zone)."""
    reach: Reach
    best: list          # [(local datetime, Reach)]
    second: tuple | None  # (local datetime, Reach among those the first leaves out)


def check(starts, ends, zone, roles, *, region=None):
    """The HoursCheck of a session from `starts` to `ends` (aware) in `zone`, for the people
    holding `roles` (in `region`, when given)."""
    zones = audience_zones(roles, region)
    tz = _zone(zone)
    day = starts.astimezone(tz).date()
    best = [(when.astimezone(tz), r) for when, r in best_starts(zones, day, ends - starts, zone)]
    second = second_slot(zones, starts, ends, zone)
    return HoursCheck(reach(zones, starts, ends), best,
                      (second[0].astimezone(tz), second[1]) if second else None)


# --- the report: who was offered a session at a reasonable hour, per year -------------------

def _zones_by_region():
    """(region value or HEADQUARTERS) -> {time zone: people} over everyone with an active
    appointment; a person counts in the region of each of their teams (one query)."""
    stmt = _people_by_zone(Unct.region).outerjoin(Unct, Unct.id == Appointment.unct_id)
    regions = {}
    for region, time_zone, people in db.session.execute(stmt):
        key = region.value if region is not None else HEADQUARTERS
        regions.setdefault(key, Counter())[time_zone] += people
    return regions


@dataclass
class YearReach:
    year: int
    sessions: int
    by_region: dict     # region key -> Reach
    network: Reach


def offered_by_year():
    """Per year with published sessions, newest first: how many people (by region, and in the
    whole network) had at least one session of that year within their working day. A
    session is of the year of its first day where it is held, as the dashboard counts it.
    Today's people and time zones are used for every year."""
    regions = _zones_by_region()
    network = audience_zones(EVERYONE)  # a person with teams in two regions counts once here
    times = db.session.execute(
        select(session_year(), TrainingSession.starts_at, TrainingSession.ends_at)
        .where(TrainingSession.status == SessionStatus.published)).all()
    by_year = {}
    for year, starts, ends in times:
        by_year.setdefault(int(year), set()).add((starts, ends))
    every_zone = set(network)
    years = []
    for year in sorted(by_year, reverse=True):
        slots = sorted(by_year[year])
        offered = {zone for zone in every_zone
                   if any(within_day(starts, ends, zone) for starts, ends in slots)}
        by_region = {key: _offered(zones, offered) for key, zones in regions.items()}
        years.append(YearReach(year, len(slots), by_region, _offered(network, offered)))
    return years


def _offered(zones, offered):
    return Reach(sum(n for zone, n in zones.items() if zone in offered), sum(zones.values()))
