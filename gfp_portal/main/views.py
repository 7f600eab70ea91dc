"""The home page (one per role), the global search, an entity's page, a person's own data
and /healthz."""
import json

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from gfp_portal.accounts.queries import visible_unct_ids
from gfp_portal.core.auth import public, roles_required, signed_in
from gfp_portal.core.db import utcnow
from gfp_portal.core.downloads import send_download
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import commit, found_or_404, plain_http_allowed, redirect_to_canonical
from gfp_portal.core.i18n import choose_version, current_language, viewer_today, viewer_zone
from gfp_portal.extensions import db
from gfp_portal.induction.forms import TermsReadForm
from gfp_portal.main import queries as homes
from gfp_portal.main.entity import entity_page
from gfp_portal.main.forms import SearchForm
from gfp_portal.main.search import search as search_portal
from gfp_portal.parity.queries import visible_entity_ids
from gfp_portal.privacy.personal_data import export_own_data
from gfp_portal.reference.queries import entity_by_acronym
from gfp_portal.sessions.times import spans

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return render_template("main/public_home.html")
    now, today = utcnow(), viewer_today()
    if current_user.is_staff:
        return render_template("main/coordinator_home.html", language=current_language(),
                               zone=viewer_zone(), spans=spans,
                               queue=homes.coordinator_queue(now=now, today=today))
    if current_user.has_role("resident_coordinator"):
        home = homes.resident_coordinator_home(current_user, now=now, today=today)
        return render_template("main/rc_home.html", home=home, now=now, today=today,
                               pending=home.in_progress,
                               viewable={n.id for n in home.in_progress.values()})
    if current_user.has_role("focal_point"):
        return _focal_point_home(now, today)
    return redirect(url_for("accounts.me"))


@bp.route("/me/training")
@roles_required("focal_point")
def my_training():
    """What a focal point's home shows, for one whose home is another role's (a Resident
    Coordinator's, the Office's)."""
    if current_user.person is None:
        abort(404)
    return _focal_point_home(utcnow(), viewer_today(), own_training=True)


def _focal_point_home(now, today, *, own_training=False):
    """The focal point's home; `own_training`: shown apart from the home, as a page of its own
    (titled as one) for an account whose home is another role's."""
    return render_template(
        "main/focal_point_home.html", person=current_user.person, now=now, today=today,
        own_training=own_training,
        zone=viewer_zone(), language=current_language(), spans=spans,
        terms_form=TermsReadForm(),
        home=homes.focal_point_home(current_user, current_user.person, now=now,
                                    language=current_language(), today=today))


@bp.route("/search")
@signed_in
def search():
    """The header's search; a missing or unusable `q` shows the form with what is wrong (a 400
    when something was sent)."""
    form = SearchForm(request.args)
    if not form.validate():
        status = 400 if request.args.get("q") else 200
        return render_template("main/search.html", form=form, results=None), status
    q = " ".join(form.q.data.split())
    scope, language = visible_unct_ids(current_user), current_language()
    results = search_portal(current_user, q, now=utcnow(), scope_unct_ids=scope,
                            today=viewer_today())
    resources = [g.items for g in results.groups if g.kind == "resources"]
    return render_template("main/search.html", form=form, results=results, language=language,
                           coverage_ids=scope, shown={
                               r.id: choose_version(r, language)[0]
                               for r in (resources[0] if resources else [])})


@bp.route("/entities/<acronym>")
@roles_required("coordinator", "focal_point", "resident_coordinator")
def entity(acronym):
    found = found_or_404(entity_by_acronym(acronym[:40]))
    visible = visible_entity_ids(current_user)  # as the parity pages: own entity, own teams'
    if visible is not None and found.id not in visible:
        abort(403)
    redirect_to_canonical(acronym=found.acronym)
    today = viewer_today()
    # A holder's name opens their registry record where the viewer may read it.
    return render_template("main/entity.html", language=current_language(), today=today,
                           linkable=visible_unct_ids(current_user),
                           page=entity_page(found, user=current_user, now=utcnow(),
                                            today=today))


@bp.route("/me/data.json", methods=["POST"])
@signed_in
def my_data():
    """Everything the portal holds about the signed-in person, as a JSON file; asked for with
    a POST, since each export is written to the audit trail."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    now = utcnow()
    document = export_own_data(current_user, now=now)
    commit()  # the export is audited
    return send_download(json.dumps(document, ensure_ascii=False, indent=2).encode(),
                         f"gfp-portal-my-data-{now.date().isoformat()}.json",
                         content_type="application/json; charset=utf-8")


@bp.route("/healthz")
@public
@plain_http_allowed
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any failure means the database is unusable
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
