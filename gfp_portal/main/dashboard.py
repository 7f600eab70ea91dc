"""The network over time, as the dashboard shows it: its size, coverage, training, evaluations
and library downloads, each as a figure (a chart and the table of its numbers), read in a fixed
number of queries whatever the size of the network."""
from bisect import bisect_left, bisect_right
from calendar import monthrange
from collections import defaultdict
from datetime import date
from functools import cached_property
from itertools import accumulate
from typing import NamedTuple

from babel import Locale
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext

from gfp_portal.attendance import evaluations
from gfp_portal.attendance.queries import attendance_per_year, next_end, trained_per_year
from gfp_portal.core import data_version
from gfp_portal.core.figures import Column, Figure
from gfp_portal.core.i18n import LANGUAGES, current_language
from gfp_portal.coverage.queries import member_cells
from gfp_portal.reference.models import EntityType, Region
from gfp_portal.registry.models import AppointmentRole, AppointmentStatus
from gfp_portal.registry.queries import term_rows
from gfp_portal.resources.analytics import downloads_per_month
from gfp_portal.sessions.queries import sessions_per_year
from gfp_portal.sessions.topics import topics as all_topics

# The figures in the order the page shows them; each has its own files at /dashboard/<key>.csv
# and /dashboard/<key>.xlsx.
KEYS = ("network", "network-regions", "network-entity-types", "coverage", "sessions",
        "trained-regions", "trained-entity-types", "attendance", "evaluations", "downloads")


def file_stem(key):
    """The name of the files of the figure `key` (and of its sheet), in the reader's
    language."""
    return {"network": pgettext("file name", "network"),
            "network-regions": pgettext("file name", "network-regions"),
            "network-entity-types": pgettext("file name", "network-entity-types"),
            "coverage": pgettext("file name", "coverage"),
            "sessions": pgettext("file name", "sessions"),
            "trained-regions": pgettext("file name", "trained-regions"),
            "trained-entity-types": pgettext("file name", "trained-entity-types"),
            "attendance": pgettext("file name", "attendance"),
            "evaluations": pgettext("file name", "evaluations"),
            "downloads": pgettext("file name", "downloads")}[key]


# The earliest year the network figures go back to, however old the oldest record.
FIRST_YEAR = 2000
HEADQUARTERS = "headquarters"
NO_APPOINTMENT = "none"


def month_ends(first, today):
    """The last day of every month from `first`'s to the one before `today`'s, then today."""
    points, year, month = [], first.year, first.month
    while (year, month) < (today.year, today.month):
        points.append(date(year, month, monthrange(year, month)[1]))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return [*points, today]


def year_ends(first_year, today):
    """31 December of every year from `first_year` to last year, then today."""
    return [*(date(year, 12, 31) for year in range(first_year, today.year)), today]


class Span(NamedTuple):
    """One term as the figures over time read it."""
    start: date
    last: date               # the last day it is held (date.max: no end date)
    role: str
    scope: str               # the region's value, or HEADQUARTERS
    entity_type: str
    unct_id: int | None
    entity_id: int


def spans_of(rows):
    """term_rows() as Spans: an active term is held up to its end date (open without one),
    whether or not the daily run has marked it ended yet; an ended or withdrawn one was held up
    to the day it ended."""
    # Looked up once rather than once a term: there are thousands.
    active, opened, never = AppointmentStatus.active.value, date.max, date.min
    return [Span(start, (end or opened) if status == active else ended_on or end or never, role,
                 region or HEADQUARTERS, kind, unct_id, entity_id)
            for role, status, start, end, ended_on, unct_id, entity_id, region, kind in rows]


def held_at(spans, points, field):
    """{span.<field>: [terms held at each point]}: a term counts at a point when it started on
    or before that day and was still held on it. Counted by adding one where each term starts
    and taking one away after it ends, so it stays linear in the terms."""
    changes = defaultdict(lambda: [0] * (len(points) + 1))
    for one in spans:
        first, last = bisect_left(points, one.start), bisect_right(points, one.last)
        if first < last:
            steps = changes[getattr(one, field)]
            steps[first] += 1
            steps[last] -= 1
    return {name: list(accumulate(steps[:-1])) for name, steps in changes.items()}


def covered_at(spans, points):
    """[{(unct_id, entity_id)} held by a focal point at each point] (UNCT scopes only)."""
    covered = [set() for __ in points]
    for one in spans:
        if one.role != AppointmentRole.focal_point or one.unct_id is None:
            continue
        first, last = bisect_left(points, one.start), bisect_right(points, one.last)
        for index in range(first, last):
            covered[index].add((one.unct_id, one.entity_id))
    return covered


def scope_columns():
    """(key, label) of the regions, then headquarters."""
    return [*((r.value, r.title) for r in Region), (HEADQUARTERS, _("Headquarters"))]


def year_range(years):
    """Every year from the first to the last of `years` (a gap year shows as zero)."""
    return list(range(min(years), max(years) + 1)) if years else []


def figures_of(*, today, now):
    """Every figure, in the order of KEYS, in the reader's language: computed once, then
    reused by this process until a change is committed, the day ends or another session
    ends."""
    def compute():
        return Dashboard(today=today, now=now).figures(), next_end(now=now)

    return data_version.reuse(("dashboard", current_language(), today), compute, now=now)


def figure_of(key, *, today, now):
    return next(one for one in figures_of(today=today, now=now) if one.key == key)


class Dashboard:
    """Reads each source once, when a figure first needs it."""

    def __init__(self, *, today, now):
        self.today, self.now = today, now

    def figure(self, key):
        return getattr(self, "_" + key.replace("-", "_"))()

    def figures(self):
        return [self.figure(key) for key in KEYS]

    # --- the registry ---------------------------------------------------------------------

    @cached_property
    def spans(self):
        return spans_of(term_rows())

    @cached_property
    def first_day(self):
        """The first day of the month of the earliest start (this month when there is none)."""
        starts = [one.start for one in self.spans if one.start <= self.today]
        first = max(min(starts, default=self.today), date(FIRST_YEAR, 1, 1))
        return first.replace(day=1)

    def _network(self):
        months = month_ends(self.first_day, self.today)
        held = held_at(self.spans, months, "role")
        zeros = [0] * len(months)
        focal_points = held.get(AppointmentRole.focal_point, zeros)
        alternates = held.get(AppointmentRole.alternate, zeros)
        return Figure(
            "network", _("Active focal points and alternates"), "line",
            [day.replace(day=1) for day in months],
            [Column(_("Focal points"), focal_points), Column(_("Alternates"), alternates),
             Column(_("Total"), [a + b for a, b in zip(focal_points, alternates, strict=True)])],
            note=_("A term counts in a month when it started on or before the last day of "
                   "that month and had not ended before it; the current month counts the "
                   "terms held today."))

    def _yearly_terms(self, key_name, title, field, columns):
        points = year_ends(self.first_day.year, self.today)
        held = held_at(self.spans, points, field)
        zeros = [0] * len(points)
        shown_columns = [Column(label, held.get(name, zeros)) for name, label in columns]
        total = [sum(values) for values in zip(*(c.values for c in shown_columns), strict=True)]
        return Figure(key_name, title, "line", [p.year for p in points],
                      [*shown_columns, Column(_("Total"), total, charted=False)],
                      note=_("Focal points and alternates at the end of each year; the current "
                             "year counts the terms held today."))

    def _network_regions(self):
        return self._yearly_terms("network-regions", _("Focal points and alternates by region"),
                                  "scope", scope_columns())

    def _network_entity_types(self):
        return self._yearly_terms("network-entity-types",
                                  _("Focal points and alternates by type of entity"),
                                  "entity_type", [(t.value, t.title) for t in EntityType])

    def _coverage(self):
        points = year_ends(self.first_day.year, self.today)
        cells = defaultdict(set)
        for unct_id, entity_id, region in member_cells(self.today):
            cells[region].add((unct_id, entity_id))
        covered = covered_at(self.spans, points)
        columns = []
        for region in Region:
            if cells[region]:
                columns.append(Column(region.title, [len(cells[region] & held) / len(cells[region])
                                                     for held in covered], share=True))
        every = set().union(*cells.values())
        columns.append(Column(_("All regions"), [len(every & held) / len(every) if every else None
                                                 for held in covered], share=True))
        return Figure("coverage", _("Share of UN Country Team cells with a focal point"), "line",
                      [p.year for p in points], columns,
                      note=_("An approximation: the cells are today's member entities of each "
                             "UN Country Team, and a cell counts as covered in a year when a "
                             "focal point held it on 31 December (today for the current "
                             "year)."))

    # --- training -------------------------------------------------------------------------

    def _sessions(self):
        counts = defaultdict(int)
        for year, topic, count in sessions_per_year():
            counts[year, topic] += count
        years = year_range({year for year, __ in counts})
        keys = [t for t in all_topics() if any((y, t.key) in counts for y in years)]
        columns = [Column(t.title, [counts.get((y, t.key), 0) for y in years]) for t in keys]
        columns.append(Column(_("Total"), [sum(counts.get((y, t.key), 0) for t in keys)
                                           for y in years], charted=False))
        return Figure("sessions", _("Sessions per year, by topic"), "bar", years, columns,
                      note=_("Published sessions, past and planned, by the year they start in; "
                             "cancelled sessions are not counted."))

    @cached_property
    def trained(self):
        return trained_per_year()

    def _trained(self, key, title, rows, columns):
        counts = defaultdict(int)
        for year, group, people in rows:
            counts[year, group] += people
        years = year_range({year for year, __ in counts})
        shown_columns = [Column(label, [counts.get((y, name), 0) for y in years])
                         for name, label in columns
                         if name != NO_APPOINTMENT or any((y, name) in counts for y in years)]
        total = [sum(values) for values in zip(*(c.values for c in shown_columns), strict=True)]
        return Figure(key, title, "bar", years,
                      [*shown_columns, Column(_("Total"), total, charted=False)],
                      note=_("People marked present or partly present at a session of the "
                             "year, each counted once a year, under the scope and entity of "
                             "their latest appointment."))

    def _trained_regions(self):
        rows = [(year, (region.value if region else HEADQUARTERS) if appointed else NO_APPOINTMENT,
                 people)
                for year, region, __, appointed, people in self.trained]
        return self._trained("trained-regions", _("People trained per year, by region"), rows,
                             [*scope_columns(), (NO_APPOINTMENT, _("No appointment"))])

    def _trained_entity_types(self):
        rows = [(year, kind.value if kind else NO_APPOINTMENT, people)
                for year, __, kind, ___, people in self.trained]
        return self._trained("trained-entity-types",
                             _("People trained per year, by type of entity"), rows,
                             [*((t.value, t.title) for t in EntityType),
                              (NO_APPOINTMENT, _("No appointment"))])

    def _attendance(self):
        by_year = {year: (registered, attended)
                   for year, registered, attended in attendance_per_year(now=self.now)}
        years = year_range(set(by_year))
        registered = [by_year.get(y, (0, 0))[0] for y in years]
        attended = [by_year.get(y, (0, 0))[1] for y in years]
        return Figure(
            "attendance", _("Attendance rate per year"), "line", years,
            [Column(_("Seats taken"), registered, charted=False),
             Column(_("Present or partly present"), attended, charted=False),
             Column(_("Attendance rate"), [a / r if r else None
                                           for a, r in zip(attended, registered, strict=True)],
                    share=True)],
            note=_("Sessions that have ended: people marked present or partly present, over "
                   "the people registered."))

    def _evaluations(self):
        by_year = dict(evaluations.results_per_year())
        years = year_range(set(by_year))
        results = [by_year.get(y) for y in years]

        def share(measure):
            return [measure(r) if r is not None and r.shown else None for r in results]

        return Figure(
            "evaluations", _("Evaluation results per year"), "line", years,
            [Column(_("Answers"), [r.answers if r else 0 for r in results], charted=False),
             Column(_("Resources applicable to the duty station"),
                    share(lambda r: r.shares["applicable"]), share=True),
             Column(_("Overall rating good or fantastic"),
                    share(lambda r: r.ratings["good"] + r.ratings["fantastic"]), share=True),
             Column(_("Stronger sense of belonging"),
                    share(lambda r: r.shares["belonging"]), share=True),
             Column(_("Feel empowered to implement the tools"),
                    share(lambda r: r.shares["empowered"]), share=True)],
            headline=2,
            note=ngettext("Only the sessions with at least %(num)s answer count: below that, "
                          "a session's results are never shown, not even within a year's.",
                          "Only the sessions with at least %(num)s answers count: below that, "
                          "a session's results are never shown, not even within a year's.",
                          evaluations.MIN_ANSWERS))

    # --- the library ----------------------------------------------------------------------

    def _downloads(self):
        counts = defaultdict(int)
        for month, language, downloads in downloads_per_month():
            counts[month, language] += downloads
        months = []
        if counts:
            first = min(month for month, __ in counts)
            months = [day.replace(day=1) for day in month_ends(first, self.today)]
        columns = [Column(Locale.parse(code).get_display_name(current_language()), [
            counts.get((m, code), 0) for m in months]) for code in LANGUAGES]
        columns.append(Column(_("Total"), [sum(c.values[i] for c in columns)
                                           for i in range(len(months))], charted=False))
        return Figure("downloads", _("Library downloads per month, by language"), "line",
                      months, columns)
