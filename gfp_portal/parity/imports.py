"""Importing parity figures: a CSV or Excel file of women and men per entity, quarter, grade,
duty station and age group, checked whole first (a job writing nothing), then applied all or
nothing: the figures of every (entity, quarter) the file holds replace those kept for it.

Checking reads the database a fixed number of times whatever the size of the file (entities,
UN Country Teams, the figures kept for the file's quarters, the imports already applied);
applying deletes and inserts in batches. The same file (checksum) twice changes nothing.
"""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, tuple_

from gfp_portal.core import previews, reading
from gfp_portal.core.audit import log_action
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import format_number
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.reading import CheckedRow
from gfp_portal.extensions import db
from gfp_portal.parity.models import FIELD, HEADQUARTERS, ParityFigure, ParityImport, ParityTotal
from gfp_portal.reference.models import Entity, Unct

PREVIEW, APPLY = "parity.import-preview", "parity.import-apply"
COLUMNS = ("entity", "period", "year", "quarter", "grade", "station", "age_group", "women",
           "men")
REQUIRED = ("entity", "grade", "station", "women", "men")
ALIASES = {"category": "grade", "staff category": "grade", "female": "women", "male": "men",
           "duty station": "station", "duty station type": "station", "age": "age_group"}
STATIONS = {"headquarters": HEADQUARTERS, "hq": HEADQUARTERS, "field": FIELD}
PERIOD = (re.compile(r"(?P<year>\d{4})\s*[-/ ]?\s*q(?P<quarter>[1-4])", re.I),
          re.compile(r"q(?P<quarter>[1-4])\s*[-/ ]?\s*(?P<year>\d{4})", re.I))
FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_GRADE, MAX_AGE_GROUP = 16, 20
BATCH = 1000
# More staff than any UN entity employs: a larger count is a typing error, and the totals of
# an entity's quarter (many lines added up) stay within what the database stores.
MOST_STAFF = 100_000


def checksum(data):
    return hashlib.sha256(data).hexdigest()


@dataclass
class ParityReport:
    rows: int = 0
    errors: list = field(default_factory=list)
    figures: list = field(default_factory=list)  # [entity_id, year, quarter, grade, ...]
    entities: int = 0  # entities of the file
    periods: int = 0  # (entity, quarter) pairs of the file
    replaced_periods: int = 0  # of those, the pairs that have figures already
    replaced_entities: int = 0
    applied_at: object = None  # when an identical file was applied, if one was
    checked_after: int = 0  # the import applied last when the file was checked (0: none)

    @property
    def ok(self):
        return not self.errors


def period_of(values):
    """(year, quarter) from the `period` column ("2023-Q4", "2023 Q4", "Q4 2023"), or from
    the `year` and `quarter` columns; None when neither gives a quarter."""
    text = values.get("period", "")
    if text:
        for pattern in PERIOD:
            match = pattern.fullmatch(text.strip())
            if match:
                return int(match["year"]), int(match["quarter"])
        return None
    year, quarter = values.get("year", ""), values.get("quarter", "").upper().removeprefix("Q")
    if year.isdecimal() and len(year) == 4 and quarter in ("1", "2", "3", "4"):
        return int(year), int(quarter)
    return None


class _Row(CheckedRow):
    """One line of the file, checked; `errors` collects what is wrong with it."""

    def __init__(self, line, values, lookups):
        super().__init__(line)
        self.entity_id = self._entity(values, lookups["entities"])
        self.period = self._period(values)
        # Measured once in capitals, as it is kept: "ß" is one letter, "SS" two.
        self.grade = self.text({"grade": values.get("grade", "").upper()}, "grade", MAX_GRADE,
                               required=True)
        self.station = self._station(values, lookups["uncts"])
        self.age_group = self.text(values, "age_group", MAX_AGE_GROUP)
        self.women = self._count(values, "women")
        self.men = self._count(values, "men")
        if self.entity_id is not None and self.period[0] and not self.errors:
            self._in_its_time(values, lookups)

    @property
    def key(self):
        return (self.entity_id, *self.period, self.grade, self.station, self.age_group)

    def _entity(self, values, entities):
        acronym = values.get("entity", "")
        if not acronym:
            self.error("entity", "required", _l("This column must not be empty."))
            return None
        known = entities.get(acronym.lower())
        if known is None:
            self.error("entity", "unknown_entity", _l("No entity has the acronym “%(value)s”.",
                                                      value=acronym))
            return None
        return known[0]

    def _in_its_time(self, values, lookups):
        """A quarter that has begun, within the entity's life: a typing error (2042 for
        2024, a merged entity's former acronym) would otherwise stand as the latest figures."""
        year, quarter = self.period
        first = date(year, 3 * quarter - 2, 1)
        last = date(year + quarter // 4, 3 * quarter % 12 + 1, 1)  # the day after it
        if first > lookups["today"]:
            self.error(self._period_column(values), "future_period", _l(
                "%(year)s-Q%(quarter)s has not begun: figures are given for a quarter once it "
                "has started.", year=year, quarter=quarter))
            return
        _entity_id, opened, closed = lookups["entities"][values["entity"].lower()]
        if closed is not None and first > closed:
            self.error("entity", "entity_closed", _l(
                "%(entity)s closed on %(date)s, before %(year)s-Q%(quarter)s.",
                entity=values["entity"], date=format_date(closed, "long"), year=year,
                quarter=quarter))
        elif opened is not None and last <= opened:
            self.error("entity", "entity_not_open", _l(
                "%(entity)s opened on %(date)s, after %(year)s-Q%(quarter)s.",
                entity=values["entity"], date=format_date(opened, "long"), year=year,
                quarter=quarter))

    @staticmethod
    def _period_column(values):
        return "period" if values.get("period") or "year" not in values else "year"

    def _period(self, values):
        period = period_of(values)
        column = self._period_column(values)
        if period is None:
            text = values.get("period") or " ".join(
                v for v in (values.get("year", ""), values.get("quarter", "")) if v)
            self.error(column, "bad_period", _l(
                "“%(value)s” is not a quarter: write it as 2023-Q4, or give the year and "
                "the quarter in columns of their own.", value=text))
            return (0, 0)
        if not FIRST_YEAR <= period[0] <= LAST_YEAR:
            self.error(column, "bad_period", _l("%(year)s is not a year of the figures.",
                                                year=period[0]))
        return period

    def _station(self, values, uncts):
        text = values.get("station", "")
        station = STATIONS.get(text.lower()) or (text.upper() if text.upper() in uncts else None)
        if station is None:
            self.error("station", "bad_station", _l(
                "“%(value)s” is not a duty station type: write headquarters (or HQ), field, "
                "or the ISO3 code of a UN Country Team.", value=text))
        return station

    def _count(self, values, column):
        # Thousands may be set apart by a space, or by the (narrow) no-break space of French.
        text = re.sub(r"[ \u00a0\u202f]", "", values.get(column, ""))
        if not text:
            self.error(column, "required", _l("This column must not be empty."))
            return 0
        if text.isdecimal() and int(text) <= MOST_STAFF:
            return int(text)
        if text.isdecimal():
            self.error(column, "count_too_large", _l(
                "A line of figures counts at most %(most)s staff (“%(value)s”).",
                most=format_number(MOST_STAFF), value=text))
        elif text.startswith("-") and text[1:].isdecimal():
            self.error(column, "negative_count", _l("A number of staff cannot be negative "
                                                    "(“%(value)s”).", value=text))
        else:
            self.error(column, "bad_count", _l("“%(value)s” is not a whole number of staff.",
                                               value=text))
        return 0


def _lookups(today):
    return {"entities": {acronym.lower(): (entity_id, opened, closed)
                         for entity_id, acronym, opened, closed in db.session.execute(
                             select(Entity.id, Entity.acronym, Entity.active_from,
                                    Entity.active_to))},
            "uncts": set(db.session.scalars(select(Unct.iso3))), "today": today}


def _kept_periods(periods):
    """The (entity_id, year, quarter) among `periods` that have figures already."""
    kept = set()
    periods = sorted(periods)
    for start in range(0, len(periods), BATCH):
        kept.update(tuple(row) for row in db.session.execute(
            select(ParityFigure.entity_id, ParityFigure.year, ParityFigure.quarter)
            .where(tuple_(ParityFigure.entity_id, ParityFigure.year, ParityFigure.quarter)
                   .in_(periods[start:start + BATCH])).distinct()))
    return kept


def applied_before(sha256):
    """When a file with this checksum was applied, and every figure it wrote is still kept
    (applying it again would change nothing); else None: a file whose figures a later import
    replaced restores them."""
    kept = select(func.count()).where(ParityFigure.import_id == ParityImport.id) \
        .scalar_subquery()
    return db.session.scalar(select(ParityImport.created_at).where(
        ParityImport.sha256 == sha256, kept == ParityImport.rows)
        .order_by(ParityImport.id.desc()).limit(1))


def plan_import(rows, sha256, *, today=None, progress=None):
    """Dry run: every bad row with its line and reason, or the figures to write and what they
    replace; writes nothing. `progress(done, total)` hears each row."""
    report = ParityReport(rows=len(rows), applied_at=applied_before(sha256),
                          checked_after=last_import())
    lookups, seen = _lookups(today or utcnow().date()), {}
    for done, (line, values) in enumerate(rows, start=1):
        row = _Row(line, values, lookups)
        if not row.errors:
            if row.key in seen:
                row.error("grade", "repeated_row", _l(
                    "Line %(line)s already gives the figures of this entity, quarter, grade, "
                    "duty station and age group.", line=seen[row.key]))
            seen.setdefault(row.key, line)
        report.errors.extend(row.errors)
        if not report.errors:
            report.figures.append([*row.key, row.women, row.men])
        if progress:
            progress(done, len(rows))
    if report.errors:
        report.figures = []
        return report
    periods = {tuple(f[:3]) for f in report.figures}
    kept = _kept_periods(periods) if report.applied_at is None else set()
    report.entities = len({p[0] for p in periods})
    report.periods = len(periods)
    report.replaced_periods = len(kept)
    report.replaced_entities = len({p[0] for p in kept})
    return report


def _figure(values, import_id):
    entity_id, year, quarter, grade, station, age_group, women, men = values
    return {"import_id": import_id, "entity_id": entity_id, "year": year, "quarter": quarter,
            "grade": grade, "station": station, "age_group": age_group, "women": women,
            "men": men}


def last_import():
    """The id of the import applied last (0 before the first): a check tells what a file
    replaces as the figures stood after it."""
    return db.session.scalar(select(func.coalesce(func.max(ParityImport.id), 0)))


def _check_last_import(checked_after):
    if last_import() != checked_after:
        raise DomainError("figures_changed", _l(
            "Figures were imported since this file was checked; nothing was imported. Upload "
            "the file again to check it against the figures kept now."))


def apply_figures(figures, filename, sha256, *, actor, now=None, progress=None,
                  checked_after=None):
    """Write the checked `figures`: for each (entity, quarter) they hold, they replace the
    figures kept. Returns the ParityImport, or None when this file was applied before (then
    nothing changes). A check's figures (`checked_after` given: the id of the last import it
    saw, 0 for none) are refused once another import was applied since. The caller commits,
    or rolls back on any error: all or nothing."""
    hold_lock("parity.import", now=now)  # two imports run one after the other
    now = now or utcnow()
    if applied_before(sha256) is not None:
        return None
    if checked_after is not None:
        _check_last_import(checked_after)
    source = ParityImport(filename=filename[:200], sha256=sha256, rows=len(figures),
                          imported_by_id=actor.id if actor else None, created_at=now)
    db.session.add(source)
    db.session.flush()
    periods = sorted({tuple(f[:3]) for f in figures})
    total = len(periods) + len(figures)
    for start in range(0, len(periods), BATCH):
        db.session.execute(delete(ParityFigure).where(
            tuple_(ParityFigure.entity_id, ParityFigure.year, ParityFigure.quarter)
            .in_(periods[start:start + BATCH])))
        if progress:
            progress(min(start + BATCH, len(periods)), total)
    for start in range(0, len(figures), BATCH):
        db.session.execute(insert(ParityFigure), [_figure(f, source.id)
                                                  for f in figures[start:start + BATCH]])
        if progress:
            progress(len(periods) + min(start + BATCH, len(figures)), total)
    for start in range(0, len(periods), BATCH):
        _write_totals(periods[start:start + BATCH])
    log_action("parity.import", source, actor=actor, now=now,
               changes={"file": [None, source.filename], "rows": [None, source.rows]})
    return source


def _write_totals(periods):
    """The ParityTotals of these (entity, year, quarter), summed again from their figures."""
    key = (ParityFigure.entity_id, ParityFigure.year, ParityFigure.quarter)
    db.session.execute(delete(ParityTotal).where(
        tuple_(ParityTotal.entity_id, ParityTotal.year, ParityTotal.quarter).in_(periods)))
    db.session.execute(insert(ParityTotal).from_select(
        ["entity_id", "year", "quarter", "women", "men"],
        select(*key, func.sum(ParityFigure.women), func.sum(ParityFigure.men))
        .where(tuple_(*key).in_(periods)).group_by(*key)))


def import_whole(filename, data, *, actor, now=None, name=None):
    """Check and apply a whole file at once (the demo data, the benchmark); refused with a
    DomainError when any row is bad. The import is recorded under `name` (the file's name
    unless told). Returns the ParityImport (None: applied before)."""
    report = plan_import(reading_rows(filename, data), checksum(data),
                         today=(now or utcnow()).date())
    if not report.ok:
        raise DomainError("import_has_errors", _l("The file has errors; nothing was "
                                                  "imported. Check it again."))
    return apply_figures(report.figures, name or filename, checksum(data), actor=actor,
                         now=now)


def reading_rows(filename, data):
    """[(line, {column: text})] of a parity file; the header is line 1. A file without a
    line of figures, or whose header names no quarter, is refused whole."""
    rows = reading.read_table(filename, data, columns=COLUMNS, required=REQUIRED,
                              aliases=ALIASES)
    if not rows:
        raise DomainError("bad_file", _l("The file has no line of figures below its first "
                                         "line."), field="file")
    if "period" not in rows[0][1] and not {"year", "quarter"} <= rows[0][1].keys():
        raise DomainError("bad_file", _l(
            "The first line names no quarter: give it in a column “period” (2023-Q4), or "
            "give the year and the quarter in columns “year” and “quarter”."), field="file")
    return rows


# --- as jobs: check (preview), then apply what was checked -----------------------------------

def start_preview(data, filename, *, actor, language, now=None):
    """Keep the upload and queue its check; returns the Job."""
    return previews.start_check(PREVIEW, data, filename, actor=actor, language=language,
                                now=now)


def preview(upload, filename, *, progress=None):
    """The check job's work: read the kept upload, check it whole, keep what applying writes;
    the result (JSON) its page shows."""
    data = previews.uploaded(upload)
    sha256 = checksum(data)
    try:
        rows = reading_rows(filename, data)
    except DomainError as error:
        return {"ok": False, "filename": filename, "rows": 0, "file_error": str(error.message),
                "errors": []}
    if progress:
        progress(0, len(rows))
    report = plan_import(rows, sha256, progress=progress)
    result = {"ok": report.ok, "filename": filename, "rows": report.rows,
              "errors": [{"line": e.line, "column": e.column, "code": e.code,
                          "message": str(e.message)} for e in report.errors],
              "entities": report.entities, "periods": report.periods,
              "replaced_periods": report.replaced_periods,
              "replaced_entities": report.replaced_entities,
              "applied_at": report.applied_at.isoformat() if report.applied_at else None,
              "applied_on": format_date(report.applied_at, "long") if report.applied_at
              else None}
    if report.ok and report.applied_at is None:
        result["plan"] = previews.keep_plan({"sha256": sha256, "figures": report.figures,
                                             "after": report.checked_after})
    return result


def start_apply(preview_job_id, *, actor, language, now=None):
    """Queue the import of what the check `preview_job_id` checked; returns the Job."""
    return previews.queue_apply(
        PREVIEW, APPLY, preview_job_id, actor=actor, language=language, now=now,
        check_plan=lambda plan: _check_last_import(plan["after"]))


def apply_previewed(preview_job_id, *, actor, now=None, progress=None):
    """The apply job's work: the kept figures, written all or nothing; its result, and the
    plan's token (to drop once the import is committed)."""
    now = now or utcnow()
    job, plan = previews.checked_plan(preview_job_id, PREVIEW, now)
    source = apply_figures(plan["figures"], job.result["filename"], plan["sha256"],
                           actor=actor, now=now, progress=progress, checked_after=plan["after"])
    return {"preview": job.id, "filename": job.result["filename"],
            "figures": len(plan["figures"]) if source else 0, "unchanged": source is None,
            "periods": job.result["periods"], "entities": job.result["entities"]}, \
        job.result["plan"]
