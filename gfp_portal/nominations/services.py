"""Nomination workflow: submit, request changes, resubmit, withdraw, reject and approve.

Every transition writes an audit event (the nomination's timeline) and queues the emails it
causes in the same transaction. Approval writes the registry through its own services, so the
registry's rules (one focal point per scope, one role per person) refuse what they refuse.
"""
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gfp_portal.accounts.models import Role
from gfp_portal.accounts.queries import account_of
from gfp_portal.accounts.services import create_account, find_user_by_email, give_focal_point_role
from gfp_portal.accounts.signals import teams_left
from gfp_portal.core import storage
from gfp_portal.core.audit import diff, events_since, last_event_id, log_action
from gfp_portal.core.db import locked_in_state, savepoint, utcnow
from gfp_portal.core.edits import hold
from gfp_portal.core.errors import DomainError, required_text
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.settings import get_setting
from gfp_portal.core.text import email_address, is_blank
from gfp_portal.extensions import db
from gfp_portal.nominations import notices, queries
from gfp_portal.nominations.models import (
    PENDING_STATES,
    Nomination,
    NominationKind,
    NominationState,
)
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Appointment, AppointmentRole, AppointmentStatus, Person

DEFAULT_SETTINGS = {"nominations.daily_digest": False}

LETTER_KINDS = storage.LETTER_KINDS
NOMINEE_FIELDS = ("given_name", "family_name", "email", "position_title", "grade",
                  "preferred_language")
DETAIL_FIELDS = (*NOMINEE_FIELDS, "time_share", "tor_acknowledged", "start_date",
                 "justification")


def leads(user, unct):
    """Whether `user` is a Resident Coordinator of the UN Country Team `unct` now."""
    return unct is not None and user.has_role(Role.resident_coordinator) and \
        unct.id in {u.id for u in user.uncts}


def may_nominate_for(user, unct):
    """Coordinators nominate for any scope (recording a head of entity's nomination);
    a Resident Coordinator only for the UN Country Teams they lead."""
    return user.is_staff or leads(user, unct)


def may_view(user, nomination):
    """The Office sees every nomination; a Resident Coordinator those of the teams they lead
    now (not those of a team they have left, their own included)."""
    return user.is_staff or leads(user, nomination.unct)


def is_the_teams(nomination):
    """Whether the nomination is a Resident Coordinator's for their team (not the Office's
    record of a head of entity's, nor a request to join): it stays with the team when its
    Resident Coordinator changes."""
    nominator = nomination.nominator
    return nomination.unct is not None and not nomination.is_self_registration and \
        nominator is not None and not nominator.is_staff


def may_follow_up(user, nomination):
    """Who may answer the Office's request for changes and withdraw the nomination: for a
    team's nomination, the Resident Coordinators who lead the team now (the nominator while
    they do); for the Office's, whoever recorded it."""
    if is_the_teams(nomination):
        return leads(user, nomination.unct)
    return nomination.nominator_id is not None and nomination.nominator_id == user.id


def takes_over(user, nomination):
    """Whether `user` follows up a team's nomination that somebody else made (their
    predecessor, or the team's other Resident Coordinator): the pages and emails then say
    who made it, not "your nomination"."""
    return is_the_teams(nomination) and nomination.nominator_id != user.id and \
        leads(user, nomination.unct)


def followers(nomination):
    """Who is told of the Office's answer: the nominator while they may follow it up and their
    account is open; else, for a team's nomination, the team's Resident Coordinators now (none
    when the team has none: the answer waits on the nomination's page)."""
    nominator = nomination.nominator
    if nominator is not None and nominator.is_active and may_follow_up(nominator, nomination):
        return [nominator]
    if is_the_teams(nomination):
        return [user for user in nomination.unct.resident_coordinators
                if user.is_active and leads(user, nomination.unct)]
    return [nominator] if nominator is not None and nominator.is_active else []


@teams_left.connect
def tell_of_nominations_left(user, *, uncts, now, **_extra):
    """A Resident Coordinator who leaves UN Country Teams is told, once, of the nominations
    they made for them that wait for the Office: these stay with the teams (is_the_teams),
    whose Resident Coordinators follow them up now. The Office's own stay with who made them."""
    if user.is_staff:
        return
    waiting = queries.open_made_by(user, [unct.id for unct in uncts])
    if waiting:
        notices.nominations_passed(user, waiting, now=now)


def state_of(nomination):
    state = {field: getattr(nomination, field) for field in DETAIL_FIELDS}
    state.update(role=nomination.role.value, entity=nomination.entity.acronym,
                 scope=nomination.unct.iso3 if nomination.unct else "HQ",
                 duty_station=str(nomination.duty_station) if nomination.duty_station else None,
                 replaces=nomination.replaces_id, letter=nomination.letter_filename)
    return state


def form_values(nomination):
    """What the nomination form opens with to change and submit it again: every field with
    its current value, in the form's own terms (acronym, ISO3, ids; 0 for none)."""
    values = {field: getattr(nomination, field) for field in DETAIL_FIELDS}
    values.update(role=nomination.role.value, entity=nomination.entity.acronym,
                  scope=nomination.unct.iso3 if nomination.unct else "HQ",
                  duty_station=nomination.duty_station_id or 0,
                  replaces=nomination.replaces_id or 0)
    return values


def _require_state(nomination, *states):
    if nomination.state not in states:
        raise DomainError("wrong_state", _l(
            "This nomination is %(state)s; that action is no longer possible.",
            state=nomination.state.title))


def _lock_in_state(nomination, *states):
    """Refused as _require_state refuses, also when the nomination is no longer in the state
    this request read (another transition got there first, even to another of `states`); it
    stays locked in that state until the transaction ends (locked_in_state)."""
    _require_state(nomination, *states)
    if not locked_in_state(nomination, nomination.state):
        _require_state(nomination)  # in none of no states: refused, naming the state it is in


def check_resubmittable(nomination):
    """Refused (wrong_state) unless the Office asked for changes: only then may the nominator
    change the nomination and submit it again."""
    _require_state(nomination, NominationState.changes_requested)


def _check_scope(nomination, actor, today):
    entity, unct = nomination.entity, nomination.unct
    registry.check_entity_open(entity, today)  # at once, not at an approval refused then
    if not may_nominate_for(actor, unct):
        if unct is None:
            raise DomainError("headquarters_for_coordinators", _l(
                "Only the Office records nominations for an entity's headquarters; heads of "
                "entity send them to the Office."), field="scope")
        raise DomainError("wrong_unct", _l(
            "You can nominate focal points only for the UN Country Teams you lead."),
            field="scope")
    if unct is not None and entity not in unct.members:
        raise DomainError("not_a_member", _l(
            "%(entity)s is not a member of the UN Country Team in %(unct)s.",
            entity=entity.acronym, unct=unct.name), field="entity")


def _check_no_other_pending(nomination):
    """The rule of the partial unique index (models.py): one pending nomination per entity,
    scope and role; requests to join are reviewed beside them. The entity and scope are read
    from the relationships, which apply_details sets (the id columns follow at the flush)."""
    unct = nomination.unct
    others = select(Nomination.id).where(
        Nomination.kind == NominationKind.nomination,
        Nomination.entity_id == nomination.entity.id,
        Nomination.unct_id == unct.id if unct is not None else Nomination.unct_id.is_(None),
        Nomination.role == nomination.role, Nomination.state.in_(PENDING_STATES))
    if nomination.id is not None:
        others = others.where(Nomination.id != nomination.id)
    if db.session.scalars(others).first() is not None:
        raise DomainError("duplicate_pending", _l(
            "A nomination for this role and scope is already under review. Follow that one "
            "up, or withdraw it before nominating someone else."), field="role")


def _check_replaces(nomination):
    """`replaces` must be the current holder of this role and scope; a focal point cannot be
    nominated over a sitting one without saying they replace them."""
    holders = registry.active_holders(nomination.entity, nomination.unct, nomination.role)
    replaced = nomination.replaces
    if replaced is not None and replaced not in holders:
        raise DomainError("bad_replaces", _l(
            "The person to replace must hold this role for this scope now."), field="replaces")
    _check_nominee_role(nomination, nominee_of(nomination))
    if nomination.role == AppointmentRole.focal_point and holders and replaced is None:
        raise DomainError("focal_point_taken", _l(
            "%(name)s is the focal point for this scope. Choose to replace them, or nominate "
            "an alternate.", name=holders[0].person.full_name), field="replaces")


def nominee_of(nomination):
    """The registry's person the nominee is, found by the nomination's address; None: approval
    adds them. The one answer the checks, the approval and the nomination's page go by."""
    return registry.find_person_by_email(nomination.email)


def replaceable_focal_point(nomination, holders):
    """The sitting focal point among `holders` (the scope's active terms) whom the Office may
    choose to replace on approval: never the nominee themselves."""
    focal_points = [a for a in holders if a.role == AppointmentRole.focal_point]
    nominee = nominee_of(nomination) if focal_points else None
    return next((a for a in focal_points if a.person != nominee), None)


def _nominee_role_conflict(nomination, nominee):
    """(code, the registry's person) when the nominee (nominee_of) could never be given this
    role for this scope, else None: they would replace themselves (`replaces_nominee`), or
    they hold a role for the scope already: this one (`holds_this_role`: the registry refuses
    a second term of it; a term is renewed) or the other (`holds_other_role`: the registry
    refuses one person both)."""
    if nominee is None:
        return None
    replaced = nomination.replaces
    if replaced is not None and replaced.person_id == nominee.id:
        return "replaces_nominee", nominee
    held = [a.role for a in registry.active_holders(nomination.entity, nomination.unct)
            if a.person_id == nominee.id]
    if nomination.role in held:
        return "holds_this_role", nominee
    if held:
        return "holds_other_role", nominee
    return None


# What the nominator is told, on the field of the form to change.
NOMINATOR_REFUSALS = {
    "replaces_nominee": ("replaces", lambda name: _l(
        "%(name)s cannot replace themselves: nominate the person who takes over from "
        "them. To keep them in the role, ask the Office to renew their appointment.",
        name=name)),
    "holds_this_role": ("email", lambda name: _l(
        "%(name)s already holds this role for this scope. Nominate someone else; to keep "
        "them in the role, ask the Office to renew their appointment.", name=name)),
    "holds_other_role": ("email", lambda name: _l(
        "%(name)s holds the other role for this scope: one person cannot be both its focal "
        "point and its alternate. Nominate someone else, or ask the Office to end that "
        "appointment first.", name=name)),
}

# What the Office is told when it approves a nomination or a request to join: what it can do.
APPROVER_REFUSALS = {
    "replaces_nominee": (None, lambda name: _l(
        "%(name)s would replace themselves, so nothing was done. To keep them in the role, "
        "renew their appointment in the registry.", name=name)),
    "holds_this_role": (None, lambda name: _l(
        "%(name)s already holds this role for this scope, so nothing was done. To keep them "
        "in the role, renew their appointment in the registry.", name=name)),
    "holds_other_role": (None, lambda name: _l(
        "%(name)s holds the other role for this scope, and one person cannot be both its "
        "focal point and its alternate, so nothing was done. End that appointment in the "
        "registry first if they are to change roles.", name=name)),
}


def _check_nominee_role(nomination, nominee, refusals=NOMINATOR_REFUSALS):
    """Refuse (_nominee_role_conflict) a nominee who could never be given the role: when the
    nomination is submitted, not at an approval that could never be given; and again when it
    is approved, since the registry may have changed meanwhile, or (a request to join) the
    applicant could not be told when they asked. `refusals` says it to whoever acts."""
    conflict = _nominee_role_conflict(nomination, nominee)
    if conflict is not None:
        code, nominee = conflict
        field, message = refusals[code]
        raise DomainError(code, message(nominee.full_name), field=field)


def _check_details(nomination):
    required_text(nomination.justification, "justification_required",
                  _l("Explain why you nominate this person."), field="justification")
    if nomination.time_share is not None and not 0 <= nomination.time_share <= 100:
        raise DomainError("bad_time_share",
                          _l("The share of working time is a percentage from 0 to 100."),
                          field="time_share")


def apply_details(nomination, data):
    for field in DETAIL_FIELDS:
        if field in data:
            value = data[field]
            if field == "email":
                value = email_address(value)
            setattr(nomination, field, value.strip() if isinstance(value, str) else value)
    for field in ("entity", "unct", "duty_station", "replaces", "role"):
        if field in data:
            setattr(nomination, field, data[field])
    nomination.role = AppointmentRole(nomination.role)
    nomination.preferred_language = nomination.preferred_language or "en"
    nomination.tor_acknowledged = bool(nomination.tor_acknowledged)


def _attach_letter(nomination, letter):
    """Store the uploaded letter last, once every other check has passed; the old letter's
    file is removed only after the new one is stored."""
    if letter is None or not getattr(letter, "filename", None):
        return None
    stored = storage.store_upload(
        letter, kinds=LETTER_KINDS, max_bytes=current_app.config["NOMINATION_LETTER_MAX_BYTES"],
        field="letter")
    old_key = nomination.letter_key
    nomination.letter_key = stored.key
    nomination.letter_filename = stored.filename
    nomination.letter_content_type = stored.content_type
    nomination.letter_size = stored.size
    nomination.letter_sha256 = stored.sha256
    return old_key


def _flush_pending(nomination):
    """Flush; the partial unique index catches a concurrent pending duplicate."""
    try:
        with savepoint():
            db.session.flush()
    except IntegrityError:
        raise DomainError("duplicate_pending", _l(
            "A nomination for this role and scope is already under review. Follow that one "
            "up, or withdraw it before nominating someone else."), field="role") from None


def notify_coordinators(nomination, now):
    if get_setting("nominations.daily_digest"):
        return
    notices.new_submissions([nomination], now=now)
    nomination.coordinators_notified_at = now


def submit_nomination(data, *, letter=None, actor, now=None):
    """A new nomination by `actor`. `data`: role, entity, unct (None: headquarters), nominee
    fields, duty_station, time_share, tor_acknowledged, start_date, justification, replaces."""
    now = now or utcnow()
    nomination = Nomination(nominator_id=actor.id, created_at=now, submitted_at=now,
                            state=NominationState.submitted)
    apply_details(nomination, data)
    _check_scope(nomination, actor, now.date())
    _check_details(nomination)
    _check_no_other_pending(nomination)
    _check_replaces(nomination)
    db.session.add(nomination)
    _flush_pending(nomination)
    _attach_letter(nomination, letter)
    db.session.flush()
    log_action("nomination.submit", nomination, actor=actor, now=now,
               changes=diff({}, state_of(nomination)))
    notices.receipt(nomination, now=now)
    notify_coordinators(nomination, now)
    return nomination


def resubmit_nomination(nomination, data, *, letter=None, actor, now=None):
    """The nomination edited after the Office asked for changes, by whoever follows it up
    (may_follow_up)."""
    now = now or utcnow()
    _require_follower(nomination, actor)
    _lock_in_state(nomination, NominationState.changes_requested)
    before = state_of(nomination)
    # No flush before the checks: the nomination, still pending, may now name a scope where
    # another one waits, which the database refuses (an error, not the check's answer).
    with db.session.no_autoflush:
        apply_details(nomination, data)
        _check_scope(nomination, actor, now.date())
        _check_details(nomination)
        _check_no_other_pending(nomination)
        _check_replaces(nomination)
    nomination.state = NominationState.submitted
    nomination.submitted_at = now
    nomination.coordinators_notified_at = None
    _flush_pending(nomination)
    old_key = _attach_letter(nomination, letter)
    db.session.flush()
    changes = diff(before, state_of(nomination))
    if nomination.nominator_id != actor.id:
        # Another Resident Coordinator of the team (its new one) answers: they stand behind
        # the nomination now, are told of the Office's answer and named on the appointment.
        changes["nominator"] = [nomination.nominator.display_name, actor.display_name]
        nomination.nominator = actor
        db.session.flush()
    log_action("nomination.resubmit", nomination, actor=actor, now=now, changes=changes)
    notices.receipt(nomination, now=now)
    notify_coordinators(nomination, now)
    return old_key


def _require_follower(nomination, actor):
    """Refused unless `actor` may follow the nomination up (may_follow_up)."""
    if may_follow_up(actor, nomination):
        return
    if is_the_teams(nomination):
        raise DomainError("not_nominator", _l(
            "Only a Resident Coordinator of the UN Country Team in %(unct)s can do this.",
            unct=nomination.unct.name))
    raise DomainError("not_nominator",
                      _l("Only the person who made this nomination can do this."))


def withdraw_nomination(nomination, *, reason=None, actor, now=None):
    now = now or utcnow()
    _require_follower(nomination, actor)
    _lock_in_state(nomination, *PENDING_STATES)
    before = nomination.state.value
    nomination.state = NominationState.withdrawn
    nomination.decided_at = now
    db.session.flush()
    log_action("nomination.withdraw", nomination, actor=actor, now=now,
               reason=(reason or "").strip() or None,
               changes={"state": [before, nomination.state.value]})


def _require_coordinator(actor):
    if not actor.is_staff:
        raise DomainError("not_coordinator",
                          _l("Only the Office of the Focal Point for Women decides on "
                             "nominations."))


def request_changes(nomination, comment, *, actor, now=None):
    """Back to whoever follows the nomination up, with `comment`; returns who is told (none
    when the team has no Resident Coordinator now: followers)."""
    now = now or utcnow()
    _require_coordinator(actor)
    _lock_in_state(nomination, NominationState.submitted)
    comment = required_text(comment, "comment_required",
                            _l("Say what the nominator should change."), field="comment")
    nomination.state = NominationState.changes_requested
    nomination.decision_note = comment
    db.session.flush()
    log_action("nomination.request_changes", nomination, actor=actor, now=now, reason=comment,
               changes={"state": ["submitted", "changes_requested"]})
    told = followers(nomination)
    notices.decision(nomination, told, now=now)
    return told


def reject_nomination(nomination, reason, *, actor, now=None):
    """Rejected for `reason`; returns who is told, as request_changes does."""
    now = now or utcnow()
    _require_coordinator(actor)
    _lock_in_state(nomination, *PENDING_STATES)
    reason = required_text(reason, "reason_required", _l(
        "Give the reason for the rejection; the nominator will read it."), field="reason")
    before = nomination.state.value
    nomination.state = NominationState.rejected
    nomination.decision_note = reason
    nomination.decided_at = now
    nomination.decided_by_id = actor.id
    db.session.flush()
    log_action("nomination.reject", nomination, actor=actor, now=now, reason=reason,
               changes={"state": [before, "rejected"]})
    told = followers(nomination)
    notices.decision(nomination, told, now=now)
    return told


def _nominee_details(nomination, person):
    """What approval writes on the registry's `person` (None: a new one): what the nomination
    fills in, its names and post as the letter gives them; a field it leaves empty never
    erases what the registry holds. A person already there keeps the language they chose
    and the spelling of the address they were found by."""
    data = {field: getattr(nomination, field) for field in NOMINEE_FIELDS}
    data.update(entity=nomination.entity, duty_station=nomination.duty_station)
    if person is not None:
        del data["preferred_language"], data["email"]
    return {field: value for field, value in data.items()
            if value is not None and not (isinstance(value, str) and is_blank(value))}


def _nominee_person(nomination, person, actor, now):
    """The registry's `person` the nominee is (nominee_of), updated with what the nomination
    says, or a new one."""
    if person is None:
        return registry.create_person(_nominee_details(nomination, None), actor=actor, now=now)
    registry.update_person(person, _nominee_details(nomination, person), actor=actor, now=now)
    return person


def _nominee_account(person, actor, now):
    """(user, needs activation): the nominee's account, created inactive when missing, opened
    again as a focal point's when it was deactivated (a focal point who left and comes back),
    and given the focal-point role when it lacks it."""
    user = account_of(person) or find_user_by_email(person.email)
    if user is None:
        user = create_account(person, roles=[Role.focal_point], actor=actor, now=now)
        return user, True
    give_focal_point_role(user, actor=actor, now=now)
    if user.person_id is None:
        user.person = person
    return user, not user.is_active and user.password_hash is None


def _replaced_on_approval(nomination, replace):
    """The appointment approval ends: the one the nominator named, or, when the Office chose
    "replace", the sitting focal point. Approving into an occupied focal-point scope without
    choosing to replace is refused."""
    replaced = nomination.replaces
    if replaced is not None and replaced.status != AppointmentStatus.active:
        replaced = None  # the term ended meanwhile: there is nobody left to replace
    if replaced is None and nomination.role == AppointmentRole.focal_point:
        holders = registry.active_holders(nomination.entity, nomination.unct,
                                          AppointmentRole.focal_point)
        if holders and not replace:
            raise DomainError("replace_required", _l(
                "%(name)s is the focal point for this scope. Approving means replacing them: "
                "choose “replace” to end that appointment.", name=holders[0].person.full_name),
                field="replace")
        replaced = holders[0] if holders else None
    return replaced


def _appointment_asked(nomination, person, replace, now):
    """(the term it ends, the terms of the appointment) that approving makes of the nominee
    (`person`, nominee_of), checked by every rule they go through: the nominee's roles for the
    scope, the sitting focal point, and the registry's own rules of appointing or replacing
    (registry.check_appointment, check_replacement). Writes nothing: the confirmation asks
    it, then the approval, which is refused as the confirmation was."""
    _check_nominee_role(nomination, person, APPROVER_REFUSALS)
    replaced = _replaced_on_approval(nomination, replace)
    terms = {"role": nomination.role, "entity": nomination.entity, "unct": nomination.unct,
             "start_date": _first_day(nomination, replaced, now.date()),
             "time_share": nomination.time_share, "tor_on_file": nomination.tor_acknowledged,
             "appointed_by_name": nomination.nominator.display_name
             if nomination.nominator else None,
             "appointed_by_title": _appointer_title(nomination),
             "nomination_id": nomination.id}
    if replaced is not None:
        _check_replacement_on_approval(replaced, person, terms, now)
    else:
        registry.check_appointment(person, terms, now=now)
    return replaced, terms


def _check_replacement_on_approval(replaced, person, terms, now):
    """registry.check_replacement, refused as it refuses; a term replaced that begins after
    the nominee's first day (corrected in the registry since the nomination was sent) with
    what the Office can do about the nomination, not the registry page's advice to end that
    term as withdrawn."""
    try:
        registry.check_replacement(replaced, person, terms, now=now)
    except DomainError as error:
        if error.code != "replacement_before_term":
            raise
        raise DomainError("replacement_before_term", _l(
            "The term of %(name)s, which this nomination replaces, now begins after the day "
            "the nominee is to start, so the nomination cannot be approved as it stands. "
            "Choose “Request changes” to ask for a later start date, or correct the start of "
            "that term in the registry first.", name=replaced.person.full_name)) from error


class ApprovalPreview(NamedTuple):
    """What approving would do."""
    replaced: Appointment | None  # the appointment it ends
    emails: int  # the welcome, the nominator's notice, the Resident Coordinators told
    person: Person | None  # the registry's person the nominee is; None: a new one
    changes: dict  # what it changes of that person: {field: [now, then]}, as history names it
    seen: int  # the latest event of that person (0: none), as approve_nomination's `seen`


def approval_preview(nomination, *, replace=False, actor, now=None):
    """What approving would do (an ApprovalPreview), refused as approving would be: by the
    same checks (_appointment_asked), with nothing written."""
    now = now or utcnow()
    _require_coordinator(actor)
    _require_state(nomination, NominationState.submitted)
    person = nominee_of(nomination)
    replaced, __ = _appointment_asked(nomination, person, replace, now)
    emails = 1
    if not nomination.is_self_registration:
        emails += len(followers(nomination))
    elif nomination.unct is not None:
        emails += notices.resident_coordinators_count(nomination)
    changes = {} if person is None else \
        registry.person_changes(person, _nominee_details(nomination, person))
    return ApprovalPreview(replaced, emails, person, changes,
                           0 if person is None else last_event_id(person))


def _first_day(nomination, replaced, today):
    """The day the approved term begins: the one asked, else today; a focal point who
    succeeds one whose end was entered ahead begins the day after that one's last day."""
    start = nomination.start_date or today
    if replaced is None and nomination.role == AppointmentRole.focal_point:
        leaving = registry.leaving_focal_point(nomination.entity, nomination.unct, start)
        if leaving is not None and leaving.person_id != nomination.person_id:
            start = registry.first_day_after(leaving)
    return start


def _require_registry_unchanged(nomination, person, seen):
    """Refused when a detail of the nominee's registry record (`person`, nominee_of) that
    approval writes was changed since the confirmation that showed the record's event `seen`
    (ApprovalPreview; None: no confirmation to compare): approval would undo that change
    unseen. The record is held until the approval is saved, so an edit of it sent at the same
    moment waits."""
    if seen is None or person is None:
        return
    hold(f"{person.__tablename__}:{person.id}")
    written = set(_nominee_details(nomination, person))
    if any(written & set(event.changes or {}) for event in events_since(person, seen)):
        raise DomainError("changed_since", _l(
            "The registry record of %(name)s was changed while this page was open, so "
            "nothing was done: check what approval changes now, then confirm again.",
            name=person.full_name))


def approve_nomination(nomination, *, replace=False, seen=None, actor, now=None):
    """In one transaction: the person, the appointment (ending the replaced one), the account
    and the emails. Refused, changing nothing, by a change of the nominee's registry record
    since the confirmation that showed its event `seen` (_require_registry_unchanged), and by
    whatever the confirmation refuses (_appointment_asked: a nominee who holds a role for the
    scope already, as a request to join meets it here first, and every registry rule)."""
    now = now or utcnow()
    _require_coordinator(actor)
    _lock_in_state(nomination, NominationState.submitted)
    nominee = nominee_of(nomination)
    _require_registry_unchanged(nomination, nominee, seen)
    replaced, terms = _appointment_asked(nomination, nominee, replace, now)
    person = _nominee_person(nomination, nominee, actor, now)
    if replaced is not None:
        appointment = registry.replace(replaced, person, terms, actor=actor, now=now)
    else:
        appointment = registry.appoint(person, terms, actor=actor, now=now)
    user, needs_activation = _nominee_account(person, actor, now)
    nomination.state = NominationState.approved
    nomination.person = person
    nomination.appointment = appointment
    nomination.decided_at = now
    nomination.decided_by_id = actor.id
    db.session.flush()
    log_action("nomination.approve", nomination, actor=actor, now=now,
               changes={"state": ["submitted", "approved"], "appointment": [None, appointment.id]})
    notices.decision(nomination, followers(nomination), now=now)
    notices.nominee_welcome(nomination, user, activate=needs_activation, now=now)
    if nomination.is_self_registration and nomination.unct is not None:
        notices.resident_coordinators(nomination, now=now)
    return appointment


def _appointer_title(nomination):
    """The Resident Coordinator's title, as the appointment keeps it: in the nominator's own
    language, whatever the language of whoever approves; also when their term as Resident
    Coordinator has ended since they nominated (is_the_teams)."""
    nominator = nomination.nominator
    if is_the_teams(nomination):
        with force_locale(nominator.locale or "en"):
            return str(_l("Resident Coordinator, %(unct)s", unct=nomination.unct.name))
    return None


def send_digest(*, now=None):
    """The daily digest: every submission coordinators have not been told of, in one email
    each. Returns the number of nominations reported."""
    now = now or utcnow()
    hold_lock("nominations.send-digest", now=now)
    waiting = db.session.scalars(
        select(Nomination).where(Nomination.state == NominationState.submitted,
                                 Nomination.coordinators_notified_at.is_(None))
        .order_by(Nomination.submitted_at, Nomination.id)).all()
    if waiting:
        notices.new_submissions(waiting, now=now)
        for nomination in waiting:
            nomination.coordinators_notified_at = now
        db.session.flush()
    return len(waiting)
