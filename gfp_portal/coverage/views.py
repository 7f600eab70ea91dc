"""Coverage pages: the UNCT × entity matrix, gaps, one UNCT, exports."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.accounts.queries import visible_unct_ids
from gfp_portal.core.auth import roles_required
from gfp_portal.core.db import utcnow
from gfp_portal.core.downloads import send_download
from gfp_portal.core.http import found_or_404, paginate_list, redirect_to_canonical
from gfp_portal.core.i18n import is_rtl, viewer_today
from gfp_portal.coverage import exports
from gfp_portal.coverage.chart import region_chart
from gfp_portal.coverage.matrix import ENDS_SOON, ICONS, row_cells
from gfp_portal.coverage.queries import uncts_without_focal_point
from gfp_portal.coverage.services import CellState, compute_coverage, holders_of, shared_coverage
from gfp_portal.nominations import queries as nomination_queries
from gfp_portal.nominations.services import may_view
from gfp_portal.reference.models import Region
from gfp_portal.reference.queries import unct_by_iso3
from gfp_portal.registry.policy import Policy
from gfp_portal.registry.queries import entity_acronyms

bp = Blueprint("coverage", __name__, url_prefix="/coverage")

VIEWERS = ("coordinator", "resident_coordinator")


def _visible_unct_ids(iso3=None, *, without_focal_point=False, today=None):
    """The UNCTs this viewer may see (None: all), narrowed to `iso3` when given, and to those
    without any focal point on `today` when asked."""
    own = visible_unct_ids(current_user)
    if without_focal_point:
        own = uncts_without_focal_point(own, today=today)
    if not iso3:
        return own
    team = unct_by_iso3(iso3)
    if team is None or (own is not None and team.id not in own):
        return []
    return [team.id]


def _filters():
    region = request.args.get("region", "")
    entity = request.args.get("entity", "")[:40]
    state = request.args.get("state", "")
    return {"region": region if region in Region.__members__ else None,
            "unct": request.args.get("unct", "")[:3] or None,
            "entity": entity or None,
            "state": state if state in CellState.__members__ else None,
            "without": request.args.get("without") == "focal_point"}


def _in_progress(uncts, *, headquarters=False):
    """What the nominate links need: nominations in progress per (unct, entity, role), and
    those this viewer may open."""
    pending = nomination_queries.in_progress([u.id for u in uncts], headquarters=headquarters)
    return {"pending": pending, "viewable": {n.id for n in pending.values()
                                             if may_view(current_user, n)}}


def _shares():
    """A page's formatter of covered shares ("—" when there is no cell), which formats each
    distinct share once: the matrix shows one per team, and many teams have the same."""
    formatted = {}

    def share(summary):
        value = summary.covered_share
        if value not in formatted:
            formatted[value] = "—" if value is None else format_percent(value)
        return formatted[value]
    return share


@bp.route("/")
@roles_required(*VIEWERS)
def index():
    filters, today = _filters(), viewer_today()
    coverage = shared_coverage(region=filters["region"], entity=filters["entity"],
                               unct_ids=_visible_unct_ids(
                                   filters["unct"], without_focal_point=filters["without"],
                                   today=today),
                               today=today, now=utcnow())
    # The regions with cells and, unless one entity is asked for, those of the teams whose
    # member entities are not recorded yet (their Resident Coordinators are shown them); the
    # chart only those with cells.
    regions = [r for r in Region if r in coverage.by_region
               and (coverage.by_region[r].total or not filters["entity"])]
    share = _shares()
    chart = region_chart([(r.title, share(coverage.by_region[r]), coverage.by_region[r])
                          for r in regions if coverage.by_region[r].total], rtl=is_rtl())
    view = "gaps" if request.args.get("view") == "gaps" else "matrix"
    if view == "gaps":  # the matrix shows only how many there are
        gaps = paginate_list(coverage.gaps(state=filters["state"]),
                             per_page=current_app.config["PER_PAGE"] * 2)
        gap_count, shown, page, pages = gaps.total, gaps.items, gaps.page, max(gaps.pages, 1)
    else:
        gap_count, shown, page, pages = coverage.gap_count(state=filters["state"]), [], 1, 1
    return render_template(
        "coverage/index.html", coverage=coverage, regions=regions, chart=chart,
        filters=filters, states=list(CellState), entities=entity_acronyms(),
        all_regions=list(Region),
        gaps=shown, gap_count=gap_count, page=page, pages=pages, share=share,
        view=view, today=today, matrix_cells=row_cells,
        matrix_icons=ICONS, matrix_ends_soon=ENDS_SOON,
        **_in_progress({cell.unct for cell in shown}))


@bp.route("/<iso3>")
@roles_required(*VIEWERS)
def unct(iso3):
    team = found_or_404(unct_by_iso3(iso3))
    own = visible_unct_ids(current_user)
    if own is not None and team.id not in own:
        abort(403)
    redirect_to_canonical(iso3=team.iso3)
    today = viewer_today()
    coverage = shared_coverage(unct_ids=[team.id], today=today, now=utcnow())
    team = coverage.uncts[0]  # with its countries
    return render_template("coverage/unct.html", unct=team, summary=coverage.by_unct[team.id],
                           cells=coverage.cells_of(team), holders=holders_of(coverage),
                           policy=Policy.current(),
                           today=today, share=_shares(), **_in_progress([team]))


@bp.route("/export.<any(csv, xlsx):fmt>")
@roles_required(*VIEWERS)
def export(fmt):
    filters, today = _filters(), viewer_today()
    coverage = compute_coverage(today=today, region=filters["region"], entity=filters["entity"],
                                unct_ids=_visible_unct_ids(
                                    filters["unct"], without_focal_point=filters["without"],
                                    today=today))
    rows = exports.coverage_rows(coverage, state=filters["state"],
                                 gaps=request.args.get("view") == "gaps")
    content_type, render = exports.FORMATS[fmt]
    filename = _("coverage") + f"-{today.isoformat()}.{fmt}"
    return send_download(render(rows), filename, content_type=content_type)
