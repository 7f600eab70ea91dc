"""A figure over time: its columns of numbers per period, drawn as a chart (core.charts), read
as a table in the viewer's language and exported as files (CSV, Excel) with the same numbers.
The network dashboard and the parity pages show their figures this way
(templates/macros/charts.html)."""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from babel.dates import format_skeleton
from flask_babel import format_percent
from flask_babel import gettext as _

from gfp_portal.core import charts
from gfp_portal.core.i18n import current_language, format_number
from gfp_portal.core.tables import Percentage


@dataclass
class Column:
    label: str
    values: list              # per period: a count, a share from 0 to 1, or None (not shown)
    share: bool = False
    charted: bool = True


@dataclass
class Figure:
    key: str
    title: str
    kind: str                 # "line" or "bar"
    periods: list             # dates (first days of months) or years
    columns: list             # [Column]
    headline: int = -1        # the column the summary sentence reads
    note: str | None = None

    @property
    def monthly(self):
        return bool(self.periods) and isinstance(self.periods[0], date)

    @cached_property
    def period_labels(self):
        """Each period named in the viewer's language, once for the chart, the sentence and
        the table."""
        locale = current_language()
        if self.monthly:
            return [format_skeleton("yMMM", period, locale=locale) for period in self.periods]
        return [format_skeleton("y", date(period, 1, 1), locale=locale)
                for period in self.periods]

    def tick_label(self, index):
        """Every year is named; a monthly figure over more than a year names its years (at
        January), a shorter one its months (every other one beyond six)."""
        period = self.periods[index]
        if not self.monthly:
            return self.period_labels[index]
        if len(self.periods) > 12:
            return format_skeleton("y", period, locale=current_language()) \
                if period.month == 1 else None
        if len(self.periods) <= 6 or index % 2 == 0:
            return format_skeleton("MMM", period, locale=current_language())
        return None

    def chart(self, *, rtl):
        series = [charts.Series(c.label, [shown(c, v) for v in c.values])
                  for c in self.columns if c.charted]
        ticks = [self.tick_label(i) for i in range(len(self.periods))]
        if self.kind == "bar":
            return charts.bar_chart(series, ticks, format_value=format_number, rtl=rtl)
        if all(c.share for c in self.columns if c.charted):
            return charts.line_chart(series, ticks, format_value=format_percent, rtl=rtl,
                                     top_value=1)
        return charts.line_chart(series, ticks, format_value=format_number, rtl=rtl)

    def summary(self):
        """One sentence: the headline column's first and last figures."""
        column = self.columns[self.headline]
        return summary_sentence(self.title, column.label, [
            (label, cell_text(column, v))
            for label, v in zip(self.period_labels, column.values, strict=True) if v is not None])

    def table(self):
        """The header and the rows as the page shows them, in the viewer's language."""
        header = [_("Month") if self.monthly else _("Year"), *(c.label for c in self.columns)]
        return header, [[label, *(cell_text(c, c.values[i]) for c in self.columns)]
                        for i, label in enumerate(self.period_labels)]

    def file_rows(self):
        """The same numbers as the table, for core.tables: counts as integers, shares as
        whole percentages, periods as ISO 8601 (2021-03, 2021), nothing where the table shows
        a dash."""
        header = [_("Month") if self.monthly else _("Year"), *(c.label for c in self.columns)]
        rows = [header]
        for i, period in enumerate(self.periods):
            label = period.strftime("%Y-%m") if self.monthly else str(period)
            rows.append([label, *(file_value(c, c.values[i]) for c in self.columns)])
        return rows


def summary_sentence(title, series, known):
    """The sentence that reads a series: its first and last figures, from `known`, the
    (period, figure) pairs that have a figure, both already written for the reader."""
    if not known:
        return _("%(title)s: no figures yet.", title=title)
    (start, first), (end, last) = known[0], known[-1]
    if len(known) == 1:
        return _("%(title)s — %(series)s: %(value)s in %(period)s.", title=title,
                 series=series, value=last, period=end)
    return _("%(title)s — %(series)s: %(first)s in %(start)s, %(last)s in %(end)s.",
             title=title, series=series, first=first, start=start, last=last, end=end)


def whole_percent(share):
    """A share from 0 to 1 as a whole percentage, rounded half up, as the table and the CSV
    both show it."""
    return int((Decimal(str(share)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def shown(column, value):
    if value is None or not column.share:
        return value
    return whole_percent(value) / 100


def cell_text(column, value):
    if value is None:
        return "—"
    return format_percent(shown(column, value)) if column.share else format_number(value)


def file_value(column, value):
    """A value as a file holds it: a share as its whole percentage (47% in a CSV, a number
    shown so in a workbook)."""
    if value is None or not column.share:
        return value
    return Percentage(Decimal(whole_percent(value)) / 100)
