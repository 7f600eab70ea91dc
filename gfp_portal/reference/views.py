"""Coordinator pages to list, search, add and edit entities and UN Country Teams."""
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.core.audit import events_for
from gfp_portal.core.auth import roles_required
from gfp_portal.core.http import came_from, paginate, save_form
from gfp_portal.core.i18n import viewer_today
from gfp_portal.extensions import db
from gfp_portal.reference import queries, services
from gfp_portal.reference.forms import (
    EntityForm,
    ReferenceFilterForm,
    UnctForm,
    entity_type_choices,
    region_choices,
)
from gfp_portal.reference.models import Entity, Unct

bp = Blueprint("reference", __name__, url_prefix="/reference")


def _entity_data(form):
    return {"acronym": form.acronym.data, "name": form.name.data, "type": form.type.data,
            "is_verified": form.is_verified.data, "active_from": form.active_from.data,
            "active_to": form.active_to.data, "email_domains": form.email_domains.data}


def _unct_data(form):
    return {"iso3": form.iso3.data, "name_en": form.name_en.data, "region": form.region.data,
            "is_verified": form.is_verified.data,
            "countries": (form.countries.data or "").replace(",", " ").split(),
            "members": queries.entities_by_ids(form.members.data)}


@bp.route("/entities/")
@roles_required("coordinator")
def entities():
    form = ReferenceFilterForm(request.args, kinds=entity_type_choices())
    form.validate()
    pagination = paginate(queries.entities_query(form.q.data, form.kind.data or None))
    return render_template("reference/entities.html", form=form, pagination=pagination,
                           today=viewer_today())


@bp.route("/entities/new", methods=["GET", "POST"])
@roles_required("coordinator")
def create_entity():
    form = EntityForm()
    del form.reason
    return save_form(
        form, lambda: services.create_entity(_entity_data(form), actor=current_user),
        done=lambda entity: _("The entity %(acronym)s is added.", acronym=entity.acronym),
        to=lambda entity: url_for("reference.entities", q=entity.acronym),
    ) or render_template("reference/entity_form.html", form=form, entity=None)


@bp.route("/entities/<int:entity_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def edit_entity(entity_id):
    entity = db.get_or_404(Entity, entity_id)
    form = EntityForm(obj=entity)
    return save_form(
        form, lambda: services.update_entity(entity, _entity_data(form), actor=current_user,
                                             reason=form.reason.data or None),
        saved=lambda __: _("The entity %(acronym)s is saved.", acronym=entity.acronym),
        to=url_for("reference.edit_entity", entity_id=entity.id,
                   back=came_from("reference.entities")), record=entity,
    ) or render_template("reference/entity_form.html", form=form, entity=entity,
                         events=events_for("entities", entity.id))


@bp.route("/uncts/")
@roles_required("coordinator")
def uncts():
    form = ReferenceFilterForm(request.args, kinds=region_choices())
    form.kind.label.text = _("Region")
    form.validate()
    pagination = paginate(queries.uncts_query(form.q.data, form.kind.data or None))
    return render_template("reference/uncts.html", form=form, pagination=pagination)


@bp.route("/uncts/new", methods=["GET", "POST"])
@roles_required("coordinator")
def create_unct():
    form = UnctForm(entity_choices=queries.entity_choices())
    del form.reason
    return save_form(
        form, lambda: services.create_unct(_unct_data(form), actor=current_user),
        done=lambda unct: _("The UN Country Team in %(name)s is added.", name=unct.name),
        to=lambda unct: url_for("reference.edit_unct", unct_id=unct.id),
    ) or render_template("reference/unct_form.html", form=form, unct=None)


@bp.route("/uncts/<int:unct_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def edit_unct(unct_id):
    unct = db.get_or_404(Unct, unct_id)
    others = " ".join(code for code in unct.country_codes if code != unct.iso3)
    form = UnctForm(entity_choices=queries.entity_choices(), data={
        "iso3": unct.iso3, "name_en": unct.name_en, "region": unct.region.value,
        "is_verified": unct.is_verified, "countries": others,
        "members": [e.id for e in unct.members]})
    return save_form(
        form, lambda: services.update_unct(unct, _unct_data(form), actor=current_user,
                                           reason=form.reason.data or None),
        saved=lambda __: _("The UN Country Team in %(name)s is saved.", name=unct.name),
        record=unct,
        to=url_for("reference.edit_unct", unct_id=unct.id, back=came_from("reference.uncts")),
    ) or render_template("reference/unct_form.html", form=form, unct=unct,
                         events=events_for("uncts", unct.id))
