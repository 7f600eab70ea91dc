"""The network dashboard: its figures over time, and each figure's numbers as a CSV or Excel
file."""

from flask import Blueprint, render_template

from gfp_portal.core import tables
from gfp_portal.core.auth import roles_required
from gfp_portal.core.db import utcnow
from gfp_portal.core.downloads import send_download
from gfp_portal.core.i18n import is_rtl, viewer_today
from gfp_portal.main.dashboard import KEYS, figure_of, figures_of, file_stem

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.route("")
@roles_required("coordinator")
def index():
    figures = figures_of(today=viewer_today(), now=utcnow())
    return render_template("dashboard/index.html", figures=figures, rtl=is_rtl())


@bp.route(f"/<any({', '.join(repr(key) for key in KEYS)}):key>.<any(csv, xlsx):fmt>")
@roles_required("coordinator")
def export(key, fmt):
    today = viewer_today()
    rows = figure_of(key, today=today, now=utcnow()).file_rows()
    stem = file_stem(key)
    data = tables.to_csv(rows) if fmt == "csv" else tables.to_xlsx(rows, title=stem)
    return send_download(data, f"{stem}-{today.isoformat()}.{fmt}",
                         content_type=tables.CONTENT_TYPES[fmt])
