"""Coverage cells as CSV or Excel rows, in the viewer's language."""
from flask_babel import format_date
from flask_babel import gettext as _

from gfp_portal.core import tables
from gfp_portal.coverage.services import holders_of
from gfp_portal.registry.models import AppointmentRole


def _holder(appointment, today):
    """The holder as "Name <email>", with the dates of a term that has not begun yet."""
    named = f"{appointment.person.full_name} <{appointment.person.email}>"
    if appointment.start_date <= today:
        return named
    start = format_date(appointment.start_date, "medium")
    term = _("from %(start)s until %(end)s", start=start,
             end=format_date(appointment.end_date, "medium")) \
        if appointment.end_date else _("from %(date)s", date=start)
    return f"{named} ({term})"


def _holders(appointments, role, today):
    return "; ".join(_holder(a, today) for a in appointments if a.role == role)


def coverage_rows(coverage, *, state=None, gaps=False):
    """Header + one row per cell (UNCT cells, then headquarters), holders included; only the
    gaps of the UNCTs, worst first, as their list shows them, when `gaps`."""
    holders = holders_of(coverage)
    header = [_("Region"), _("UN Country Team"), _("ISO code"), _("Entity"), _("State"),
              _("Term ending soon"), _("Focal point"), _("Alternates")]
    rows = [header]
    cells = coverage.gaps(state) if gaps else [*coverage.cells.values(), *coverage.headquarters]
    for cell in cells:
        if state and cell.state != state:
            continue
        rows.append([
            cell.unct.region.title if cell.unct else "",
            cell.unct.name if cell.unct else _("Headquarters"),
            cell.unct.iso3 if cell.unct else "",
            cell.entity.acronym, cell.state.title,
            _("yes") if cell.expiring else _("no"),
            _holders(holders.get(cell.key, ()), AppointmentRole.focal_point, coverage.today),
            _holders(holders.get(cell.key, ()), AppointmentRole.alternate, coverage.today),
        ])
    return [[str(value) for value in row] for row in rows]


def to_csv(rows):
    return tables.to_csv(rows)


def to_xlsx(rows):
    return tables.to_xlsx(rows, title=_("Coverage"))


FORMATS = {
    "csv": (tables.CONTENT_TYPES["csv"], to_csv),
    "xlsx": (tables.CONTENT_TYPES["xlsx"], to_xlsx),
}
