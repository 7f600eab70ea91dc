"""The awards as coordinators manage them, a blueprint nested in the practices one
(practices.manage.*): add, edit and delete an award of the roll of honour."""
from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.core.audit import events_for
from gfp_portal.core.auth import roles_required
from gfp_portal.core.confirm import confirm_then_act
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import found_or_404, save_form
from gfp_portal.practices import queries, services
from gfp_portal.practices.forms import AwardForm
from gfp_portal.reference.queries import entities_by_ids, entity_choices

bp = Blueprint("manage", __name__)


def _award_or_404(award_id):
    return found_or_404(queries.award_by_id(award_id))


def _award_data(form):
    chosen = entities_by_ids([form.entity.data]) if form.entity.data else []
    return {"year": form.year.data, "event": form.event.data, "name": form.name.data,
            "entity": chosen[0] if chosen else None, "recipients": form.recipients.data,
            "citations": {code: form[f"citation_{code}"].data
                          for code in services.languages()}}


def _on_roll(award):
    """The award on the roll of honour."""
    return url_for("practices.awards", _anchor=f"award-{award.id}")


def _form_values(award):
    return {"year": award.year, "event": award.event, "name": award.name,
            "entity": award.entity_id or 0,
            "recipients": ", ".join(p.email for p in award.recipients),
            **{f"citation_{c.language}": c.text for c in award.citations}}


@bp.route("/awards/new", methods=["GET", "POST"])
@roles_required("coordinator")
def create_award():
    form = AwardForm(entities=entity_choices())
    return save_form(
        form, lambda: services.create_award(_award_data(form), actor=current_user),
        done=_("The award is added to the roll of honour."), to=_on_roll,
    ) or render_template("practices/award_form.html", form=form, award=None)


@bp.route("/awards/<int:award_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit_award(award_id):
    award = _award_or_404(award_id)
    form = AwardForm(entities=entity_choices(), data=_form_values(award))
    return save_form(
        form, lambda: services.update_award(award, _award_data(form), actor=current_user),
        saved=_("The award is saved."), to=_on_roll(award), record=award,
    ) or render_template("practices/award_form.html", form=form, award=award,
                         confirm=ConfirmForm(), events=events_for("awards", award.id))


@bp.route("/awards/<int:award_id>/delete", methods=["POST"])
@roles_required("coordinator")
def delete_award(award_id):
    award = _award_or_404(award_id)
    return confirm_then_act(
        services.delete_award, award, actor=current_user,
        confirmation=lambda: (_("Delete the award"), [_(
            "“%(award)s” is removed from the roll of honour and from the records of its "
            "recipients.", award=str(award))]),
        done=_("The award is deleted."),
        back=url_for("practices.manage.edit_award", award_id=award.id),
        to=url_for("practices.awards"))
