"""The library: list, one resource, downloads. Coordinators manage it in manage.py, a blueprint
nested in this one (resources.manage.*)."""
from flask import Blueprint, abort, current_app, redirect, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.core import storage
from gfp_portal.core.auth import public
from gfp_portal.core.downloads import send_download
from gfp_portal.core.http import commit_service, found_or_404, paginate
from gfp_portal.core.i18n import choose_version, current_language
from gfp_portal.induction import services as induction_services
from gfp_portal.practices import queries as practice_queries
from gfp_portal.resources import manage, queries, services
from gfp_portal.resources.forms import LibraryFilterForm
from gfp_portal.resources.models import tag_title

bp = Blueprint("resources", __name__, url_prefix="/resources")
bp.register_blueprint(manage.bp)


@bp.app_template_filter("file_size")
def file_size(size):
    """A file size in the viewer's locale: 340 KB, 1.2 MB."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(max(1, round(size / 1024))))
    return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1)))


@bp.app_template_filter("tag_title")
def tag_title_filter(tag):
    """A topic tag by its name in the reader's language."""
    return tag_title(tag)


class SignInFirst(Exception):
    """A published network-only resource asked for by a signed-out visitor."""


def visible_or_404(slug):
    """The resource; a signed-out visitor asking for a published network-only resource is
    asked to sign in first; anyone else who may not see it gets 404 (no hint it exists)."""
    resource = queries.resource_by_slug(slug)
    if resource is not None and resource.is_published and not resource.is_public \
            and not current_user.is_authenticated:
        raise SignInFirst()
    if resource is None or not queries.can_see(resource, current_user):
        abort(404)
    return resource


@bp.errorhandler(SignInFirst)
def sign_in_first(error):
    return current_app.login_manager.unauthorized()


@bp.route("/")
@public
def index():
    form = LibraryFilterForm(request.args, categories=queries.categories(),
                             tags=queries.tags_in_use(current_user))
    pagination = paginate(queries.library_query(current_user, **form.filters()))
    language = current_language()
    shown = {r.id: choose_version(r, language) for r in pagination.items}
    return render_template("resources/index.html", form=form, pagination=pagination,
                           shown=shown, language=language)


@bp.route("/<slug>")
@public
def detail(slug):
    resource = visible_or_404(slug)
    language = current_language()
    version, fallback = choose_version(resource, language)
    related = [(p, choose_version(p, language)[0])
               for p in practice_queries.related_to_topics(resource.tags, current_user)]
    return render_template("resources/detail.html", resource=resource, version=version,
                           fallback=fallback, language=language, related=related)


@bp.route("/<slug>/download/<lang>")
@public
def download(slug, lang):
    resource = visible_or_404(slug)
    version = found_or_404(resource.version(lang))
    content = storage.stream(version.file_key) if version.has_file else None
    if version.has_file and content is None:
        abort(404)
    # Counted on the GET itself (a download is a plain link), not on a HEAD (a link checker)
    # nor on the check of a copy the browser already holds (answered 304, no file sent); a
    # coordinator's preview of a draft is no download either.
    held = version.has_file and request.if_none_match.contains(version.sha256)
    if resource.is_published and request.method == "GET" and not held:
        # A document of the induction path, opened by a person on it, is a step done.
        if current_user.is_authenticated and current_user.person is not None:
            induction_services.record_opening(current_user.person, resource, version.language)
        commit_service(services.record_download, version)
    if content is None:
        return redirect(version.external_url)
    return send_download(content, version.filename, content_type=version.content_type,
                         etag=version.sha256)
