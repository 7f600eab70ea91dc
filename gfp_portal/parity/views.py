"""Parity pages: the network overview, one entity, their tables as CSV and Excel files, and
the import."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from werkzeug.utils import secure_filename

from gfp_portal.core import previews
from gfp_portal.core.auth import roles_required
from gfp_portal.core.downloads import send_download
from gfp_portal.core.http import found_or_404, redirect_to_canonical
from gfp_portal.core.i18n import is_rtl, viewer_today
from gfp_portal.core.tables import CONTENT_TYPES
from gfp_portal.coverage.queries import entities_needing_support
from gfp_portal.parity import imports, queries, tables
from gfp_portal.parity.forms import ParityImportForm
from gfp_portal.reference.queries import entity_by_acronym

bp = Blueprint("parity", __name__, url_prefix="/parity")
bp.add_app_template_global(tables.shown, "parity_value")

VIEWERS = ("coordinator", "focal_point", "resident_coordinator")
NETWORK_TABLES = {"network": tables.network_share, "years": tables.network_years,
                  "entities": tables.network_entities}
ENTITY_TABLES = {"overall": tables.entity_overall, "grades": tables.entity_grades}


def _table_file(table, stem, fmt):
    """The table as a CSV or a workbook (its one sheet named as the file) named `stem`."""
    data = table.csv() if fmt == "csv" else table.xlsx(title=stem)
    return send_download(data, f"{stem}.{fmt}", content_type=CONTENT_TYPES[fmt])


def _network_file_stem(name):
    return {"network": pgettext("file name", "parity-network"),
            "years": pgettext("file name", "parity-years"),
            "entities": pgettext("file name", "parity-entities")}[name]


def _entity_file_stem(acronym, name):
    entity = secure_filename(acronym) or "entity"
    return {"overall": pgettext("file name", "parity-%(entity)s-overall", entity=entity),
            "grades": pgettext("file name", "parity-%(entity)s-grades", entity=entity)}[name]


@bp.route("/")
@roles_required(*VIEWERS)
def index():
    network = queries.network()
    drawn = {"network": tables.share_chart(network.periods, _("Share of women over time"),
                                           rtl=is_rtl()),
             "years": tables.years_chart(network, _("Entities at parity per year"),
                                         rtl=is_rtl())}
    support = entities_needing_support(viewer_today()) if current_user.is_staff and \
        request.args.get("support") == "1" else None
    return render_template("parity/index.html", network=network, drawn=drawn, support=support,
                           tables={name: build(network) for name, build in
                                   NETWORK_TABLES.items()},
                           visible=queries.visible_entity_ids(current_user),
                           source=queries.latest_import())


@bp.route("/<any(network, years, entities):name>.<any(csv, xlsx):fmt>")
@roles_required(*VIEWERS)
def network_export(name, fmt):
    return _table_file(NETWORK_TABLES[name](queries.network()), _network_file_stem(name), fmt)


def _visible_entity(acronym):
    entity = found_or_404(entity_by_acronym(acronym[:40]))
    visible = queries.visible_entity_ids(current_user)
    if visible is not None and entity.id not in visible:
        abort(403)
    redirect_to_canonical(acronym=entity.acronym)
    return entity


@bp.route("/<acronym>")
@roles_required(*VIEWERS)
def entity(acronym):
    figures = queries.entity_figures(_visible_entity(acronym))
    drawn = tables.share_chart(figures.periods, _("Share of women in %(entity)s, per quarter",
                                                  entity=figures.entity.acronym), rtl=is_rtl())
    return render_template("parity/entity.html", figures=figures, drawn=drawn,
                           tables={name: build(figures) for name, build in
                                   ENTITY_TABLES.items()},
                           furthest=tables.entity_furthest(figures), rounded=tables.rounded,
                           rounded_distance=tables.rounded_distance,
                           source=queries.latest_import(figures.entity))


@bp.route("/<acronym>/<any(overall, grades):name>.<any(csv, xlsx):fmt>")
@roles_required(*VIEWERS)
def entity_export(acronym, name, fmt):
    figures = queries.entity_figures(_visible_entity(acronym))
    return _table_file(ENTITY_TABLES[name](figures),
                       _entity_file_stem(figures.entity.acronym, name), fmt)


@bp.route("/import", methods=["GET", "POST"])
@roles_required("coordinator")
def import_file():
    return previews.upload_page(ParityImportForm(), imports.start_preview, "parity/import.html")


@bp.route("/import/confirm", methods=["POST"])
@roles_required("coordinator")
def import_confirm():
    return previews.confirm_page(imports.start_apply, "parity.import_file")
