"""The library: list, one resource, downloads; coordinators manage it from /resources/manage."""
from flask import Blueprint, abort, redirect, render_template, request, send_file
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.core import storage
from gfp_portal.core.auth import public
from gfp_portal.core.http import paginate
from gfp_portal.core.i18n import current_language
from gfp_portal.extensions import db
from gfp_portal.resources import queries, services
from gfp_portal.resources.forms import LibraryFilterForm

bp = Blueprint("resources", __name__, url_prefix="/resources")


@bp.app_template_filter("file_size")
def file_size(size):
    """A file size in the viewer's locale: 340 KB, 1.2 MB."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(max(1, round(size / 1024))))
    return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1)))


def visible_or_404(slug):
    """The resource, or 404 for anyone who may not see it (no hint that it exists)."""
    resource = queries.resource_by_slug(slug)
    if resource is None or not queries.can_see(resource, current_user):
        abort(404)
    return resource


@bp.route("/")
@public
def index():
    form = LibraryFilterForm(request.args, categories=queries.categories(),
                             tags=queries.tags_in_use(current_user))
    form.validate()
    # A value that is not one of the choices (an old bookmark) filters nothing.
    chosen = {name: (field.data or None) if not field.errors else None
              for name, field in form._fields.items()}
    pagination = paginate(queries.library_query(
        current_user, q=chosen["q"], category=int(chosen["category"] or 0) or None,
        tag=chosen["tag"], language=chosen["language"]))
    language = current_language()
    shown = {r.id: services.choose_version(r, language) for r in pagination.items}
    return render_template("resources/index.html", form=form, pagination=pagination,
                           shown=shown, language=language)


@bp.route("/<slug>")
@public
def detail(slug):
    resource = visible_or_404(slug)
    language = current_language()
    version, fallback = services.choose_version(resource, language)
    return render_template("resources/detail.html", resource=resource, version=version,
                           fallback=fallback, language=language)


@bp.route("/<slug>/download/<lang>")
@public
def download(slug, lang):
    resource = visible_or_404(slug)
    version = resource.version(lang)
    if version is None:
        abort(404)
    if version.has_file:
        path = storage.path_of(version.file_key)
        if not path.is_file():
            abort(404)
        services.record_download(version)
        db.session.commit()
        return send_file(path, mimetype=version.content_type, as_attachment=True,
                         download_name=version.filename, max_age=0)
    services.record_download(version)
    db.session.commit()
    return redirect(version.external_url)
