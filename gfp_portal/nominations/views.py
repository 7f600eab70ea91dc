"""Nomination pages: the list, the form, one nomination with its timeline, the decisions."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from gfp_portal.accounts.queries import visible_unct_choices, visible_uncts
from gfp_portal.core import storage
from gfp_portal.core.audit import events_for
from gfp_portal.core.auth import roles_required, signed_in
from gfp_portal.core.confirm import confirm_then_act
from gfp_portal.core.db import utcnow
from gfp_portal.core.downloads import send_download
from gfp_portal.core.edits import seen_of
from gfp_portal.core.errors import DomainError
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.history import field_label, shown_value
from gfp_portal.core.http import (
    commit_service,
    commit_then_redirect,
    found_or_404,
    paginate,
    resend_entries,
)
from gfp_portal.core.i18n import isolated, viewer_today
from gfp_portal.extensions import db
from gfp_portal.nominations import queries, services
from gfp_portal.nominations.forms import (
    ApproveForm,
    DecisionForm,
    NominationFilterForm,
    NominationForm,
)
from gfp_portal.nominations.models import Nomination, NominationState
from gfp_portal.reference.queries import (
    duty_station_by_id,
    duty_station_choices,
    entity_by_acronym,
    unct_of_scope,
)
from gfp_portal.registry import queries as registry_queries
from gfp_portal.registry.policy import Policy
from gfp_portal.registry.services import active_holders, find_person_by_email

bp = Blueprint("nominations", __name__, url_prefix="/nominations")

NOMINATORS = ("resident_coordinator", "coordinator")

TIMELINE_TITLES = {
    "nomination.submit": _l("Submitted"),
    "nomination.resubmit": _l("Submitted again after changes"),
    "nomination.verify": _l("Email address confirmed; request sent to the Office"),
    "nomination.request_changes": _l("Changes requested"),
    "nomination.new_link": _l("New link sent to the applicant to complete the request"),
    "nomination.withdraw": _l("Nomination withdrawn"),
    "nomination.reject": _l("Rejected"),
    "nomination.approve": _l("Approved"),
}


def _own_unct_choices():
    return visible_unct_choices(current_user, registry_queries.unct_choices())


@bp.route("/")
@roles_required(*NOMINATORS)
def index():
    form = NominationFilterForm(request.args, unct_choices=_own_unct_choices(),
                                entity_choices=registry_queries.entity_acronyms())
    form.validate()
    f = queries.NominationFilter(state=form.state.data or None, unct=form.unct.data or None,
                                 entity=form.entity.data or None,
                                 older_than=form.older_than.data, kind=form.kind.data or None)
    now = utcnow()
    page = paginate(queries.nominations_query(f, user=current_user, now=now),
                    count=queries.nominations_count(f, user=current_user, now=now))
    return render_template("nominations/index.html", form=form, page=page, now=utcnow())


def _load(nomination_id):
    """The nomination if this viewer may see it; 404 when it does not exist, 403 otherwise."""
    nomination = db.get_or_404(Nomination, nomination_id)
    if nomination.state == NominationState.unverified:
        abort(404)  # not confirmed by its sender: it does not exist for anyone yet
    if not services.may_view(current_user, nomination):
        abort(403)
    return nomination


def _scope_choices():
    choices = _own_unct_choices()
    return [("HQ", _("Headquarters (whole entity)")), *choices] if current_user.is_staff \
        else choices


def _scope_and_entity(form):
    """The entity and UN Country Team the form names, when it offers them to this viewer
    (None, None otherwise): a Resident Coordinator learns nothing of another team's scope or
    of headquarters, however the address or the posted form names them."""
    if form.scope.data not in {value for value, __ in form.scope.choices} or \
            form.entity.data not in {value for value, __ in form.entity.choices if value}:
        return None, None
    return entity_by_acronym(form.entity.data), unct_of_scope(form.scope.data)


def _holders(entity, unct, role):
    return active_holders(entity, unct, role) if entity is not None and role else []


def _entity_choices(form):
    """Every entity for the Office; for a Resident Coordinator, the member entities of the UN
    Country Team the form names (or of their first team)."""
    uncts = visible_uncts(current_user)
    if uncts is None:
        return registry_queries.entity_acronyms()
    own = {u.iso3: u for u in uncts}
    unct = own.get(form.scope.data) or next(
        (own[iso3] for iso3, _name in form.scope.choices if iso3 in own), None)
    today = viewer_today()
    return sorted((e.acronym for e in unct.members if e.open_on(today)),
                  key=str.lower) if unct else []


def _nomination_form(nomination=None, **kwargs):
    """The form with choices; holders listed for the scope, entity and role it names."""
    limit = storage.human_size(current_app.config["NOMINATION_LETTER_MAX_BYTES"])
    form = NominationForm(scope_choices=_scope_choices(),
                          station_choices=duty_station_choices(), letter_limit_mb=limit, **kwargs)
    form.entity.choices = [("", _("— choose —")), *((a, a) for a in _entity_choices(form))]
    entity, unct = _scope_and_entity(form)
    holders = _holders(entity, unct, form.role.data)
    form.replaces.choices = [form.replaces.choices[0], *[
        (a.id, _("%(name)s, until %(date)s", name=a.person.full_name, date=format_date(a.end_date))
         if a.end_date else a.person.full_name) for a in holders]]
    return form, entity, unct, holders


def nominee_data(form, entity, unct):
    """What a nomination form and the /join form both say of the appointment and the nominee,
    as the services take it."""
    return {
        "role": form.role.data, "entity": entity, "unct": unct,
        "given_name": form.given_name.data, "family_name": form.family_name.data,
        "email": form.email.data, "position_title": form.position_title.data,
        "grade": form.grade.data, "preferred_language": form.preferred_language.data,
        "duty_station": duty_station_by_id(form.duty_station.data),
        "time_share": form.time_share.data, "start_date": form.start_date.data,
    }


def _form_data(form, entity, unct):
    return nominee_data(form, entity, unct) | {
        "tor_acknowledged": form.tor_acknowledged.data,
        "justification": form.justification.data,
        "replaces": registry_queries.appointment_by_id(form.replaces.data),
    }


def _wants_holders(form):
    return form.show_holders.data and request.method == "POST"


def _fill_in_from_registry(form):
    """The nominee's fields from the registry record with the address given; for a Resident
    Coordinator, only people who work in their UN Country Teams (registry.queries.works_in).
    True when filled in."""
    person = find_person_by_email(form.known_email.data)
    uncts = visible_uncts(current_user)
    if person is not None and uncts is not None and \
            not registry_queries.works_in(person, uncts):
        person = None
    if person is None:
        form.known_email.errors = [_("Nobody in the registry has the address %(email)s.",
                                     email=(form.known_email.data or "").strip())]
        return False
    form.given_name.data, form.family_name.data = person.given_name, person.family_name
    form.email.data, form.position_title.data = person.email, person.position_title
    form.grade.data = person.grade
    form.duty_station.data = person.duty_station_id or 0
    form.preferred_language.data = person.preferred_language or "en"
    flash(_("The nominee's details are filled in from the registry record of %(name)s.",
            name=person.full_name), "info")
    return True


def _unseen_warnings(form):
    """The UN-SWAP warnings of the nomination as filled in, when the nominator has not seen
    them yet: then the form comes back with them instead of being submitted."""
    codes = Policy.current().warnings_for(form.grade.data, form.time_share.data,
                                          form.tor_acknowledged.data)
    seen = ",".join(codes)
    if codes and form.warnings_seen.data != seen:
        form.warnings_seen.data = seen
        return codes
    return []


def _render_form(form, **context):
    """The form; once filled in, with the UN-SWAP warnings of what it says."""
    warnings = Policy.current().warnings_for(
        form.grade.data, form.time_share.data, form.tor_acknowledged.data) \
        if request.method == "POST" else []
    title = _("Nominate an alternate") if form.role.data == "alternate" else \
        _("Nominate a focal point")
    return render_template("nominations/form.html", form=form, warnings=warnings,
                           title=title, **context)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*NOMINATORS)
def create():
    prefill = {"scope": request.args.get("unct", "").upper() or None,
               "entity": request.args.get("entity") or None,
               "role": request.args.get("role") or "focal_point",
               "preferred_language": "en", "tor_acknowledged": False,
               # From "Nominate a successor": the holder whose term ends soon.
               "replaces": request.args.get("replaces", type=int)}
    form, entity, unct, holders = _nomination_form(
        data={k: v for k, v in prefill.items() if v is not None})
    warnings = []
    switching = resend_entries(form)  # checked and shown again, never submitted
    if request.method == "POST" and form.fill_in.data:
        _fill_in_from_registry(form)
    elif not _wants_holders(form) and form.validate_on_submit() and \
            not (warnings := _unseen_warnings(form)) and not switching:
        ok, nomination = commit_service(services.submit_nomination,
                                        _form_data(form, entity, unct),
                                        letter=form.letter.data, actor=current_user, form=form)
        if ok:
            flash(_("The nomination of %(name)s is submitted to the Office.",
                    name=nomination.nominee_name), "success")
            return redirect(url_for("nominations.detail", nomination_id=nomination.id))
    return _render_form(form, holders=holders, entity=entity, unct=unct, nomination=None,
                        held=bool(warnings))


@bp.route("/<int:nomination_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(nomination_id):
    nomination = _load(nomination_id)
    if not services.may_follow_up(current_user, nomination):
        abort(403)
    try:
        services.check_resubmittable(nomination)
    except DomainError as error:
        # Sent again once submitted (back and send, a retry): where it is, not a refusal.
        flash(str(error.message), "info")
        return redirect(url_for("nominations.detail", nomination_id=nomination.id))
    form, entity, unct, holders = _nomination_form(data=services.form_values(nomination))
    warnings = []
    switching = resend_entries(form)  # checked and shown again, never submitted
    if request.method == "POST" and form.fill_in.data:
        _fill_in_from_registry(form)
    elif not _wants_holders(form) and form.validate_on_submit() and \
            not (warnings := _unseen_warnings(form)) and not switching:
        ok, old_key = commit_service(services.resubmit_nomination, nomination,
                                     _form_data(form, entity, unct), letter=form.letter.data,
                                     actor=current_user, form=form)
        if ok:
            storage.remove(old_key)
            flash(_("The nomination is submitted again."), "success")
            return redirect(url_for("nominations.detail", nomination_id=nomination.id))
    return _render_form(form, holders=holders, entity=entity, unct=unct,
                        nomination=nomination, held=bool(warnings))


@bp.route("/<int:nomination_id>")
@signed_in
def detail(nomination_id):
    return _detail_page(_load(nomination_id))


def _detail_page(nomination, decision=None, decided=None):
    """The nomination's page; `decision` a decision form sent back with its errors, from the
    form `decided` names (changes or reject), so that the text typed is shown again."""
    holders = active_holders(nomination.entity, nomination.unct) \
        if nomination.state.is_pending else []
    policy = Policy.current()
    return render_template(
        "nominations/detail.html", nomination=nomination, holders=holders,
        warnings=policy.warnings_for(nomination.grade, nomination.time_share,
                                     nomination.tor_acknowledged),
        events=list(reversed(events_for("nominations", nomination.id))),
        timeline_titles=TIMELINE_TITLES, confirm=ConfirmForm(),
        follows_up=services.may_follow_up(current_user, nomination),
        taken_over=services.takes_over(current_user, nomination),
        decision=decision or DecisionForm(), decided=decided, approve_form=ApproveForm(),
        focal_point_holder=services.replaceable_focal_point(nomination, holders),
        other_pending=queries.other_pending(nomination) if nomination.state.is_pending else [])


@bp.route("/<int:nomination_id>/letter")
@signed_in
def letter(nomination_id):
    nomination = _load(nomination_id)
    if not nomination.has_letter:
        abort(404)
    content = found_or_404(storage.stream(nomination.letter_key))
    return send_download(content, nomination.letter_filename,
                         content_type=nomination.letter_content_type,
                         etag=nomination.letter_sha256)


def _act(nomination_id, call, message, confirmation, **kwargs):
    """Act on the nomination once confirmed; before, `confirmation(nomination)` gives the
    (title, consequences[, carried]) of the confirmation page (core.confirm)."""
    nomination = _load(nomination_id)
    return confirm_then_act(call, nomination, actor=current_user,
                            confirmation=lambda: confirmation(nomination), done=message,
                            back=url_for("nominations.detail", nomination_id=nomination.id),
                            **kwargs)


@bp.route("/<int:nomination_id>/withdraw", methods=["POST"])
@roles_required(*NOMINATORS)
def withdraw(nomination_id):
    form = ConfirmForm()
    return _act(nomination_id, services.withdraw_nomination, _("The nomination is withdrawn."),
                lambda nomination: (_("Withdraw the nomination"), [_(
                    "The nomination of %(name)s is withdrawn: the Office no longer reviews it. "
                    "No email is sent.", name=nomination.nominee_name)]),
                reason=form.reason.data)


def _approval(replace):
    def confirmation(nomination):
        preview = services.approval_preview(nomination, replace=replace, actor=current_user)
        lines = [_("%(name)s is appointed and invited to the portal.",
                   name=nomination.nominee_name)]
        lines += _registry_changes(preview.person, preview.changes)
        if preview.replaced is not None:
            lines.append(_("The appointment of %(name)s ends.",
                           name=preview.replaced.person.full_name))
        lines.append(ngettext("%(num)s email will be sent.", "%(num)s emails will be sent.",
                              preview.emails))
        return _("Approve and appoint"), lines, {"seen": preview.seen}
    return confirmation


def _registry_changes(person, changes):
    """A sentence for each detail of the nominee's registry record that approval changes,
    from what it holds to what the nomination says: nothing changes unseen."""
    lines = []
    for key, (before, after) in changes.items():
        values = {"field": field_label("people", key), "name": person.full_name,
                  "after": isolated(shown_value("people", key, after))}
        if before is None:
            lines.append(_("%(field)s in the registry record of %(name)s, empty until now: "
                           "%(after)s.", **values))
        else:
            lines.append(_("%(field)s in the registry record of %(name)s: %(before)s becomes "
                           "%(after)s.", before=isolated(shown_value("people", key, before)),
                           **values))
    return lines


@bp.route("/<int:nomination_id>/approve", methods=["POST"])
@roles_required("coordinator")
def approve(nomination_id):
    form = ApproveForm()
    replace = bool(form.replace.data)
    return _act(nomination_id, services.approve_nomination,
                _("The nomination is approved: the appointment is in the registry and the "
                  "nominee is invited."), _approval(replace), replace=replace,
                seen=seen_of(form), again=("changed_since",))


def _decide(nomination_id, call, message, unheard, decided):
    """A decision with a text; once done, `message`, or `unheard` (given the team's name)
    when nobody was told: the team has no Resident Coordinator now. Refused, or sent by the
    language switch, the nomination's page with the text typed."""
    nomination = _load(nomination_id)
    form = DecisionForm()
    switching = resend_entries(form)
    if not form.validate_on_submit() or switching:
        return _detail_page(nomination, form, decided), 400 if form.errors else 200
    return commit_then_redirect(
        call, nomination, form.text.data, actor=current_user,
        done=lambda told: message if told or nomination.unct is None
        else unheard(nomination.unct.name),
        back=url_for("nominations.detail", nomination_id=nomination.id))


@bp.route("/<int:nomination_id>/reject", methods=["POST"])
@roles_required("coordinator")
def reject(nomination_id):
    return _decide(nomination_id, services.reject_nomination,
                   _("The nomination is rejected; the nominator is told why."),
                   lambda unct: _("The nomination is rejected. No Resident Coordinator leads "
                                  "the UN Country Team in %(unct)s now: nobody is told.",
                                  unct=unct), "reject")


@bp.route("/<int:nomination_id>/request-changes", methods=["POST"])
@roles_required("coordinator")
def request_changes(nomination_id):
    return _decide(nomination_id, services.request_changes,
                   _("The nominator is asked to change the nomination."),
                   lambda unct: _("No Resident Coordinator leads the UN Country Team in "
                                  "%(unct)s now: nobody is asked for the changes.", unct=unct),
                   "changes")
