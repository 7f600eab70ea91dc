"""The library as coordinators manage it, a blueprint nested in the resources one
(resources.manage.*): resources and their language versions, categories, and the download and
gap figures."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.core import tables
from gfp_portal.core.audit import events_for
from gfp_portal.core.auth import roles_required
from gfp_portal.core.confirm import confirm_then_act
from gfp_portal.core.downloads import send_download
from gfp_portal.core.edits import version_keys
from gfp_portal.core.forms import ConfirmForm, language_choice, language_choices
from gfp_portal.core.http import commit_then_redirect, found_or_404, paginate, run_action, save_form
from gfp_portal.core.i18n import language_name, viewer_today
from gfp_portal.extensions import db
from gfp_portal.resources import analytics, queries, services
from gfp_portal.resources.forms import CategoryForm, LibraryFilterForm, ResourceForm, VersionForm
from gfp_portal.resources.models import ResourceCategory

bp = Blueprint("manage", __name__)


def _resource_or_404(slug):
    return found_or_404(queries.resource_by_slug(slug))


def _resource_data(form):
    return {"slug": form.slug.data, "category": queries.category_by_id(form.category.data),
            "visibility": form.visibility.data,
            "tags": (form.tags.data or "").split(",")}


def _version_or_404(slug, lang):
    """The resource and its version in `lang`; 404 when either does not exist."""
    resource = _resource_or_404(slug)
    version = found_or_404(resource.version(lang))
    return resource, version


def _version_data(form):
    return {"language": form.language.data, "title": form.title.data,
            "summary": form.summary.data, "external_url": form.external_url.data}


@bp.route("/manage/")
@roles_required("coordinator")
def index():
    form = LibraryFilterForm(request.args, categories=queries.categories(),
                             tags=queries.tags_in_use(current_user, include_unpublished=True))
    pagination = paginate(queries.library_query(current_user, **form.filters(),
                                                include_unpublished=True))
    return render_template("resources/manage.html", form=form, pagination=pagination,
                           confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@roles_required("coordinator")
def create():
    form = ResourceForm(categories=queries.categories())
    return save_form(
        form, lambda: services.create_resource(_resource_data(form), actor=current_user),
        done=_("The resource is created. Add its language versions, then publish it."),
        to=lambda resource: url_for("resources.manage.add_version", slug=resource.slug),
    ) or render_template("resources/resource_form.html", form=form, resource=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit(slug):
    resource = _resource_or_404(slug)
    form = ResourceForm(categories=queries.categories(), data={
        "slug": resource.slug, "category": resource.category_id,
        "visibility": resource.visibility.value, "tags": ", ".join(resource.tags)})
    return save_form(
        form, lambda: services.update_resource(
            resource, _resource_data(form) | {"is_published": resource.is_published},
            actor=current_user),
        saved=_("The resource is saved."),
        to=lambda __: url_for("resources.manage.edit", slug=resource.slug), record=resource,
    ) or render_template(
        "resources/resource_form.html", form=form, resource=resource, confirm=ConfirmForm(),
        missing=[code for code in services.languages() if resource.version(code) is None],
        events=events_for("resources", resource.id))


@bp.route("/<slug>/versions/new", methods=["GET", "POST"])
@roles_required("coordinator")
def add_version(slug):
    resource = _resource_or_404(slug)
    choices = [c for c in language_choices() if resource.version(c[0]) is None]
    if not choices:
        flash(_("This resource exists in every language already."), "info")
        return redirect(url_for("resources.manage.edit", slug=resource.slug))
    form = VersionForm(languages=choices, data={"language": request.args.get("language")})
    return save_form(
        form, lambda: services.add_version(resource, _version_data(form),
                                           form.file.data or None, actor=current_user),
        done=lambda version: _("Version added: %(language)s.",
                               language=language_name(version.language)),
        to=url_for("resources.manage.edit", slug=resource.slug),
    ) or render_template("resources/version_form.html", form=form, resource=resource,
                         version=None)


@bp.route("/<slug>/versions/<lang>", methods=["GET", "POST"])
@roles_required("coordinator")
def edit_version(slug, lang):
    resource, version = _version_or_404(slug, lang)
    form = VersionForm(languages=[language_choice(lang)], obj=version)
    return save_form(
        form, lambda: services.update_version(version, _version_data(form) | {"language": lang},
                                              form.file.data or None, actor=current_user),
        saved=_("Version saved: %(language)s.", language=language_name(lang)),
        to=url_for("resources.manage.edit", slug=resource.slug),
        record=resource, changes_of=version_keys(lang),
    ) or render_template("resources/version_form.html", form=form, resource=resource,
                         version=version, confirm=ConfirmForm())


@bp.route("/<slug>/versions/<lang>/delete", methods=["POST"])
@roles_required("coordinator")
def delete_version(slug, lang):
    resource, version = _version_or_404(slug, lang)
    return confirm_then_act(
        services.delete_version, version, actor=current_user,
        check=lambda: services.check_version_deletable(version),
        confirmation=lambda: (_("Delete a version of “%(title)s”: %(language)s",
                                title=version.title, language=language_name(lang)), [
            _("Its title, summary and file are deleted for good. Readers of that language are "
              "shown another version.")]),
        done=_("Version deleted: %(language)s.", language=language_name(lang)),
        back=url_for("resources.manage.edit", slug=resource.slug))


@bp.route("/<slug>/<any(publish, unpublish):action>", methods=["POST"])
@roles_required("coordinator")
def publish(slug, action):
    resource = _resource_or_404(slug)
    return run_action(
        services.set_published, resource, action == "publish", actor=current_user,
        done=lambda __: (_("The resource is published.") if resource.is_published else
                         _("The resource is unpublished: only coordinators see it now.")),
        back=url_for("resources.manage.edit", slug=resource.slug))


@bp.route("/<slug>/delete", methods=["GET", "POST"])
@roles_required("coordinator")
def delete(slug):
    resource = _resource_or_404(slug)
    form = ConfirmForm()
    title = str(resource)  # for the message, once it is deleted
    return save_form(
        form, lambda: services.delete_resource(resource, actor=current_user),
        done=lambda __: _("“%(title)s” and its files are deleted.", title=title),
        to=url_for("resources.manage.index"),
    ) or render_template("resources/delete.html", resource=resource, form=form)


@bp.route("/categories", methods=["GET", "POST"])
@roles_required("coordinator")
def categories():
    form = CategoryForm()
    return save_form(
        form, lambda: services.create_category(form.name.data, actor=current_user),
        done=lambda category: _("The category %(name)s is added.", name=category.name),
        to=url_for("resources.manage.categories"),
    ) or render_template("resources/categories.html", form=form,
                         categories=queries.categories(), confirm=ConfirmForm())


@bp.route("/categories/<int:category_id>", methods=["POST"])
@roles_required("coordinator")
def rename_category(category_id):
    category = db.get_or_404(ResourceCategory, category_id)
    form = CategoryForm()
    back = url_for("resources.manage.categories")
    if not form.validate_on_submit():
        flash(_("Enter the name."), "danger")
        return redirect(back)
    return commit_then_redirect(services.rename_category, category, form.name.data,
                                actor=current_user, saved=_("The category is renamed."),
                                back=back)


@bp.route("/categories/<int:category_id>/delete", methods=["POST"])
@roles_required("coordinator")
def delete_category(category_id):
    category = db.get_or_404(ResourceCategory, category_id)
    return confirm_then_act(
        services.delete_category, category, actor=current_user,
        check=lambda: services.check_category_deletable(category),
        confirmation=lambda: (_("Delete the category “%(name)s”", name=category.title), [
            _("Its name is deleted for good. No resource is in this category.")]),
        done=_("The category is deleted."), back=url_for("resources.manage.categories"))


# The download and gap figures.

@bp.route("/downloads.<any(csv, xlsx):fmt>")
@roles_required("coordinator")
def downloads_export(fmt):
    stem = _("downloads")
    rows = analytics.downloads_rows(
        address_of=lambda slug: url_for("resources.detail", slug=slug, _external=True))
    data = tables.to_csv(rows) if fmt == "csv" else tables.to_xlsx(rows, title=stem)
    return send_download(data, f"{stem}-{viewer_today().isoformat()}.{fmt}",
                         content_type=tables.CONTENT_TYPES[fmt])


@bp.route("/gaps")
@roles_required("coordinator")
def gaps():
    language = request.args.get("language")
    language = language if language in services.languages() else None
    pagination = paginate(analytics.gaps_query(language))
    return render_template("resources/gaps.html", pagination=pagination, language=language,
                           counts=analytics.gap_counts())
