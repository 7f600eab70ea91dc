"""The awards as coordinators manage them, a blueprint nested in the practices one
(practices.manage.*): add, edit and delete an award of the roll of honour."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.core.audit import events_for
from gfp_portal.core.auth import roles_required
from gfp_portal.core.confirm import confirmation_page, is_confirmed
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import commit_service, flash_saved
from gfp_portal.practices import queries, services
from gfp_portal.practices.forms import AwardForm
from gfp_portal.reference.queries import entities_by_ids, entity_choices

bp = Blueprint("manage", __name__)


def _award_or_404(award_id):
    award = queries.award_by_id(award_id)
    if award is None:
        abort(404)
    return award


def _award_data(form):
    chosen = entities_by_ids([form.entity.data]) if form.entity.data else []
    return {"year": form.year.data, "event": form.event.data, "name": form.name.data,
            "entity": chosen[0] if chosen else None, "recipients": form.recipients.data,
            "citations": {code: form[f"citation_{code}"].data
                          for code in services.languages()}}


def _form_values(award):
    return {"year": award.year, "event": award.event, "name": award.name,
            "entity": award.entity_id or 0,
            "recipients": ", ".join(p.email for p in award.recipients),
            **{f"citation_{c.language}": c.text for c in award.citations}}


@bp.route("/awards/new", methods=["GET", "POST"])
@roles_required("coordinator")
def create_award():
    form = AwardForm(entities=entity_choices())
    if form.validate_on_submit():
        ok, award = commit_service(services.create_award, _award_data(form),
                                   actor=current_user, form=form)
        if ok:
            flash(_("The award is added to the roll of honour."), "success")
            return redirect(url_for("practices.awards", _anchor=f"award-{award.id}"))
    return render_template("practices/award_form.html", form=form, award=None)


@bp.route("/awards/<int:award_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit_award(award_id):
    award = _award_or_404(award_id)
    form = AwardForm(entities=entity_choices(), data=_form_values(award))
    if form.validate_on_submit():
        ok, changes = commit_service(services.update_award, award, _award_data(form),
                                     actor=current_user, form=form)
        if ok:
            flash_saved(changes, _("The award is saved."))
            return redirect(url_for("practices.awards", _anchor=f"award-{award.id}"))
    return render_template("practices/award_form.html", form=form, award=award,
                           confirm=ConfirmForm(), events=events_for("awards", award.id))


@bp.route("/awards/<int:award_id>/delete", methods=["POST"])
@roles_required("coordinator")
def delete_award(award_id):
    award = _award_or_404(award_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not is_confirmed():
        return confirmation_page(_("Delete the award"), [_(
            "“%(award)s” is removed from the roll of honour and from the records of its "
            "recipients.", award=str(award))],
            back=url_for("practices.manage.edit_award", award_id=award.id))
    ok, __ = commit_service(services.delete_award, award, actor=current_user)
    if ok:
        flash(_("The award is deleted."), "success")
    return redirect(url_for("practices.awards"))
