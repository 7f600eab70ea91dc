"""The parity figures as tables: each page table and its files (CSV and Excel) are built here
from the same rows, so that a file holds exactly the numbers the page shows."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from markupsafe import Markup, escape

from gfp_portal.core import charts
from gfp_portal.core.figures import summary_sentence
from gfp_portal.core.i18n import format_number
from gfp_portal.core.tables import to_csv, to_xlsx

ONE_DECIMAL = Decimal("0.1")


def rounded(value):
    """A Fraction (a share, a distance in points) to one decimal, halves away from zero."""
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP)


def rounded_distance(point):
    """Points from parity as shown beside the share: from the share rounded, so that the two
    agree on the line (47.1 % is 2.9 points away, though 47.05 % is 2.95)."""
    share = rounded(point.share)
    return None if share is None else abs(share - 50)


@dataclass
class Table:
    """A caption, the column headings, and rows of values: text, whole numbers, Decimals
    (shares, one decimal), True/False (within the parity range) or None (no figure)."""
    name: str
    caption: str
    header: list
    rows: list

    def file_rows(self):
        """The header and the rows as a file holds them: within the range or not as yes or
        no, nothing where the page shows a dash."""
        def cell(value):
            if isinstance(value, bool):
                return _("yes") if value else _("no")
            return value
        return [self.header, *([cell(v) for v in row] for row in self.rows)]

    def csv(self):
        return to_csv(self.file_rows())

    def xlsx(self, title):
        return to_xlsx(self.file_rows(), title=title)


def _period_rows(points):
    return [[p.period, p.women, p.men, rounded(p.share)] for p in points]


def _period_header():
    return [_("Quarter"), _("Women"), _("Men"), _("Women (%)")]


def network_share(network):
    return Table("network", _("Share of women in the entities' staff, per quarter"),
                 _period_header(), _period_rows(network.periods))


def network_years(network):
    return Table("years", _("Entities within the parity range, per year (each entity's last "
                            "quarter of the year)"),
                 [_("Year"), _("Entities within the parity range"), _("Entities with figures")],
                 [[str(year), within, counted] for year, within, counted in network.years])


def network_entities(network):
    return Table("entities", _("Entities in their latest quarter"),
                 [_("Entity"), _("Quarter"), _("Women (%)"), _("Distance to parity (points)"),
                  _("Within the parity range")],
                 [[entity.acronym, point.period, rounded(point.share), rounded_distance(point),
                   within] for entity, point, within in network.entities])


def entity_overall(figures):
    return Table("overall", _("Share of women in %(entity)s, per quarter",
                              entity=figures.entity.acronym),
                 _period_header(), _period_rows(figures.periods))


def entity_grades(figures):
    rows = []
    for point in figures.periods:
        grades = figures.by_grade[(point.year, point.quarter)]
        rows.append([point.period, *(rounded(grades[g].share) if g in grades else None
                                     for g in figures.grades)])
    return Table("grades", _("Share of women in %(entity)s by grade or staff category, per "
                             "quarter, in percent", entity=figures.entity.acronym),
                 [_("Quarter"), *figures.grades], rows)


def entity_furthest(figures):
    # The quarter (2024-Q4) keeps its order inside a right-to-left sentence: an isolate.
    period = f"\u2066{figures.latest.period}\u2069" if figures.latest else ""
    return Table("furthest", _("Grades furthest from parity in %(period)s", period=period),
                 [_("Grade or staff category"), _("Women"), _("Men"), _("Women (%)"),
                  _("Distance to parity (points)")],
                 [[p.label, p.women, p.men, rounded(p.share), rounded_distance(p)]
                  for p in figures.furthest])


def shown(cell):
    """A table's value as the page shows it: a dash for no figure, a badge for within the
    range or not, text isolated, numbers in the reader's language (shares to one decimal).
    Written here rather than as a template macro: a table of grades has a thousand cells."""
    if cell is None:
        return Markup('<span class="text-body-secondary">—</span>')
    if cell is True:
        return Markup('<span class="badge text-bg-success">%s</span>') % _("Within the range")
    if cell is False:
        return Markup('<span class="badge text-bg-light border">%s</span>') % _(
            "Outside the range")
    if isinstance(cell, str):
        return Markup('<bdi class="text-nowrap">%s</bdi>') % cell
    return escape(format_number(cell) if isinstance(cell, int) else
                  format_number(cell, "#,##0.0"))


# --- the same figures as charts (core.charts), each with the sentence that reads it ---------

@dataclass
class Drawn:
    chart: charts.Chart
    summary: str


def _one_decimal_percent(share):
    return format_percent(share, "#,##0.0%")


def _isolated(period):
    # A quarter (2024-Q4) keeps its order inside a right-to-left sentence.
    return f"\u2066{period}\u2069"


def _year_ticks(points):
    """Each year named under its first quarter shown."""
    named, ticks = set(), []
    for point in points:
        ticks.append(None if point.year in named else str(point.year))
        named.add(point.year)
    return ticks


def share_chart(points, title, *, rtl):
    """The share of women per quarter as a line (the table's numbers, to one decimal)."""
    label = _("Women (%)")
    values = [None if p.share is None else float(rounded(p.share)) / 100 for p in points]
    # The whole scale, 0 to 100 %, in whole percentages (the sentence and the table say more).
    chart = charts.line_chart([charts.Series(label, values)], _year_ticks(points),
                              format_value=format_percent, rtl=rtl, top_value=1)
    return Drawn(chart, summary_sentence(title, label, [
        (_isolated(p.period), _one_decimal_percent(v))
        for p, v in zip(points, values, strict=True) if v is not None]))


def years_chart(network, title, *, rtl):
    """The entities within the parity range per year, as bars."""
    label = _("Entities within the parity range")
    years = [str(year) for year, _within, _counted in network.years]
    values = [within for _year, within, _counted in network.years]
    chart = charts.bar_chart([charts.Series(label, values)], years,
                             format_value=format_decimal, rtl=rtl)
    return Drawn(chart, summary_sentence(title, label, [
        (year, format_decimal(value)) for year, value in zip(years, values, strict=True)]))
