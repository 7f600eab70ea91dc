"""Registry rules: people, appointments, renewals, replacements and the end of terms."""
from datetime import timedelta

from flask_babel import format_date, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, or_, select

from gfp_portal.core.audit import diff, log_action, log_changes, log_creation
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError, required_text
from gfp_portal.core.text import email_address, given, is_blank
from gfp_portal.core.timezones import is_timezone
from gfp_portal.extensions import db
from gfp_portal.reference.signals import entity_closing, members_leaving
from gfp_portal.registry.models import (
    Appointment,
    AppointmentAlert,
    AppointmentRole,
    AppointmentStatus,
    EndReason,
    Person,
    scope_name,
    station_code,
)
from gfp_portal.registry.policy import Policy
from gfp_portal.registry.signals import (
    appointment_ended,
    appointment_started,
    email_taking,
    preferences_changed,
)

PERSON_FIELDS = ("given_name", "family_name", "email", "phone", "position_title", "grade",
                 "entity", "duty_station", "preferred_language", "time_zone",
                 "directory_consent")


def _today(now):
    return (now or utcnow()).date()


def find_person_by_email(email):
    return db.session.scalars(select(Person).where(
        func.lower(Person.email) == email_address(email or "").lower())).first()


def _as_given(data):
    """The fields of `data` as a person keeps them: trimmed, the email address in one form
    (core.text.email_address)."""
    values = {field: given(data[field]) for field in PERSON_FIELDS if field in data}
    if "email" in values:
        values["email"] = email_address(values["email"])
    return values


def _person_state(person, data=None):
    """The person's fields as their audit events keep them; with `data`, as they would be
    once update_person(person, data) has written it."""
    state = {field: getattr(person, field) for field in PERSON_FIELDS}
    if data is not None:
        state.update(_as_given(data))
    state["entity"] = state["entity"].acronym if state["entity"] else None
    # The country by its code, which the history names in each reader's language.
    state["duty_station"] = station_code(state["duty_station"])
    return state


def person_changes(person, data):
    """{field: [now, then]} of what update_person(person, data) would change, as its audit
    event will name it, in the order of a person's fields: to show before it is confirmed."""
    changes = diff(_person_state(person), _person_state(person, data))
    return {field: changes[field] for field in PERSON_FIELDS if field in changes}


def _apply_person(person, data, *, actor, people_by_email=None):
    """Copy the given fields onto `person` (a partial update leaves the others alone), for
    `actor`.
    `people_by_email` (lower-case email -> Person), when a caller has loaded everyone who
    could hold the email, replaces the look-up."""
    preferences = (person.preferred_language, person.time_zone)
    values = _as_given(data)
    if "email" in data:
        email = required_text(values["email"], "email_required",
                              _l("Enter the email address."), field="email")
        other = find_person_by_email(email) if people_by_email is None else \
            people_by_email.get(email.lower())
        if other is not None and other is not person:
            raise DomainError("email_taken", _l("%(name)s already uses this email address.",
                                                name=other.full_name), field="email")
        # Every change of an address, and every person created one at a time (not each of
        # the many an import creates in one batch, which would cost a look-up a row).
        changed = (person.email or "").strip().lower() != email.strip().lower()
        if changed and (person.email or people_by_email is None):
            email_taking.send(person, email=email.strip(), before=person.email, actor=actor)
    if data.get("time_zone") and not is_timezone(data["time_zone"]):
        raise DomainError("unknown_time_zone",
                          _l("%(zone)s is not a known time zone.", zone=data["time_zone"]),
                          field="time_zone")
    for field, value in values.items():
        if getattr(person, field) is not value and getattr(person, field) != value:
            setattr(person, field, value)  # only what changes: an import sets thousands
    if is_blank(person.given_name) or is_blank(person.family_name):
        raise DomainError("name_required", _l("Enter the given name and the family name."),
                          field="given_name")
    person.preferred_language = person.preferred_language or "en"
    person.time_zone = person.time_zone or "UTC"
    person.directory_consent = bool(person.directory_consent)
    if person.id is not None and preferences != (person.preferred_language, person.time_zone):
        preferences_changed.send(person)


def check_changeable(person):
    """Refuse every change of `person` once anonymised (privacy.anonymise): they have left
    the network; a change would write back on their record what was erased, a new term
    bring them back without their data."""
    if person.anonymised_at is not None:
        raise DomainError("anonymised", _l(
            "This person has been anonymised: their record can no longer be changed, nor can "
            "they be appointed. Should they rejoin the network, add them to the registry as a "
            "new person."))


def create_person(data, *, actor, now=None, people_by_email=None):
    person = Person(created_at=now or utcnow())
    _apply_person(person, data, actor=actor, people_by_email=people_by_email)
    log_creation("person.create", person, _person_state, actor=actor, now=now)
    return person


def update_person(person, data, *, actor, reason=None, now=None, people_by_email=None):
    check_changeable(person)
    before = _person_state(person)
    _apply_person(person, data, actor=actor, people_by_email=people_by_email)
    # No flush: the row keeps its id, and the change is written with the next statement or
    # at commit (an import corrects thousands of people in one transaction).
    return log_changes("person.update", person, before, _person_state(person), actor=actor,
                       now=now, reason=reason)


# --- appointments ---------------------------------------------------------------------------

@members_leaving.connect
def keep_members_with_terms(unct, *, entities, **_extra):
    """An entity whose people hold active appointments in a team stays its member: without
    it, those terms could no longer be renewed or replaced, and the team's coverage would
    leave them out."""
    for entity in entities:
        held = db.session.scalar(select(func.count(Appointment.id)).where(
            Appointment.entity_id == entity.id, Appointment.unct_id == unct.id,
            Appointment.status == AppointmentStatus.active))
        if held:
            raise DomainError("member_holds_terms", lazy_ngettext(
                "%(entity)s still holds %(num)s active appointment in this team: end it, "
                "or replace its holder, before taking the entity off the team.",
                "%(entity)s still holds %(num)s active appointments in this team: end them, "
                "or replace their holders, before taking the entity off the team.", held,
                entity=entity.acronym), field="members")


@entity_closing.connect
def keep_entities_with_terms(entity, *, on, **_extra):
    """An entity closes once no active appointment of it runs past its last day: such terms
    would stay active, in no coverage cell."""
    running = db.session.scalar(select(func.count(Appointment.id)).where(
        Appointment.entity_id == entity.id, Appointment.status == AppointmentStatus.active,
        or_(Appointment.end_date.is_(None), Appointment.end_date > on)))
    if running:
        raise DomainError("entity_holds_terms", lazy_ngettext(
            "%(entity)s still holds %(num)s active appointment running past %(day)s: end it, "
            "or correct its end date, before closing the entity.",
            "%(entity)s still holds %(num)s active appointments running past %(day)s: end "
            "them, or correct their end dates, before closing the entity.", running,
            entity=entity.acronym, day=format_date(on, "long")), field="active_to")


def _of_scope(entity, unct):
    """The terms of `entity` for `unct` (None: headquarters)."""
    return and_(Appointment.entity_id == entity.id,
                Appointment.unct_id == unct.id if unct else Appointment.unct_id.is_(None))


def active_holders(entity, unct, role=None):
    stmt = select(Appointment).where(_of_scope(entity, unct),
                                     Appointment.status == AppointmentStatus.active)
    if role:
        stmt = stmt.where(Appointment.role == role)
    return db.session.scalars(stmt.order_by(Appointment.id)).all()


def leaving_focal_point(entity, unct, day):
    """The focal point of the scope whose end was entered ahead and who holds the role on
    `day` or after it (the latest to leave), or None: a new focal point starts the day after
    their last day at the earliest. A term ended by a replacement is left out: its successor
    is appointed with it (and holds the scope), on its last day when it was replaced on its
    first."""
    return db.session.scalars(
        select(Appointment).where(_of_scope(entity, unct),
                                  Appointment.role == AppointmentRole.focal_point,
                                  Appointment.status != AppointmentStatus.active,
                                  Appointment.end_reason.is_distinct_from(EndReason.replaced),
                                  Appointment.lasts_until(day))
        .order_by(Appointment.last_day.desc())).first()


def first_day_after(appointment):
    """The day after the last day of `appointment` (its end entered ahead)."""
    return appointment.last_day + timedelta(days=1)


def check_entity_open(entity, day):
    """No appointment for `entity` starts on `day` once it has closed."""
    if not entity.open_on(day):
        raise DomainError("entity_closed", _l(
            "%(entity)s was active until %(day)s: no appointment for it starts after that day.",
            entity=entity.acronym, day=format_date(entity.active_to, "long")), field="entity")


def check_new_appointment(person, entity, unct, role, start, end, current=None, ending=None):
    """The rules of a new active appointment; `current` (the active appointments of the
    entity and scope), when the caller already holds them, replaces the look-up. `person`
    None: somebody not in the registry yet, who holds nothing; `ending`: the active term that
    ends as this one begins (replace), left out of those it meets."""
    if end is not None and end < start:
        raise DomainError("dates_reversed", _l("The end date must not be before the start date."),
                          field="end_date")
    check_entity_open(entity, start)
    if unct is not None and entity not in unct.members:
        raise DomainError("not_a_member",
                          _l("%(entity)s is not a member of the UN Country Team in %(unct)s.",
                             entity=entity.acronym, unct=unct.name), field="unct")
    batch = current is not None
    if current is None:
        current = active_holders(entity, unct)
    current = [a for a in current if a is not ending]
    # An appointment made in the same batch may have no id yet, nor its person's (see
    # core.audit.events_in_one_batch): it is known by the object itself.
    mine = [] if person is None else [
        a for a in current if (a.person_id == person.id if a.person_id is not None
                               else a.person is person)]
    if mine:
        held = mine[0]
        code = "already_appointed" if held.role == role else "focal_point_and_alternate"
        raise DomainError(code, _l(
            "%(name)s already holds the role of %(role)s for %(scope)s; one person cannot "
            "hold two roles for the same scope.", name=person.full_name,
            role=held.role.in_sentence, scope=scope_name(entity, unct)))
    if role == AppointmentRole.focal_point:
        holders = [a for a in current if a.role == AppointmentRole.focal_point]
        if holders:
            error = DomainError("focal_point_taken", _l(
                "%(scope)s already has an active focal point: %(name)s. Use “Replace” to "
                "end that appointment and appoint the new person in one step.",
                scope=scope_name(entity, unct), name=holders[0].person.full_name))
            error.holder = holders[0]
            raise error
        # One focal point on any day: the one leaving holds the role up to their last day.
        # (An import checks its rows against the terms it holds: `current`.)
        leaving = leaving_focal_point(entity, unct, start) if not batch else None
        if leaving is not None and (person is None or leaving.person_id != person.id):
            raise DomainError("focal_point_until", _l(
                "%(name)s is the focal point of %(scope)s until %(day)s: the new focal point "
                "starts on %(next)s at the earliest.", name=leaving.person.full_name,
                scope=scope_name(entity, unct),
                day=format_date(leaving.last_day, "long"),
                next=format_date(first_day_after(leaving), "long")), field="start_date")


def _appointment_state(appointment):
    return {"person": appointment.person_id, "entity": appointment.entity.acronym,
            "scope": appointment.unct.iso3 if appointment.unct else "HQ",
            "role": appointment.role.value, "status": appointment.status.value,
            "start_date": appointment.start_date, "end_date": appointment.end_date,
            "time_share": appointment.time_share, "tor_on_file": appointment.tor_on_file,
            "appointed_by_name": appointment.appointed_by_name,
            "appointed_by_title": appointment.appointed_by_title,
            "end_reason": appointment.end_reason.value if appointment.end_reason else None,
            "ended_on": appointment.ended_on}


def check_appointment(person, data, *, now=None, policy=None, current=None, ending=None):
    """Every rule appoint(person, data) applies, refused as it refuses, writing nothing:
    (role, start, end) of the term it would make. `person` None: somebody the registry does
    not hold yet; `ending`: the term that ends as this one begins (check_replacement)."""
    if person is not None:
        check_changeable(person)
    policy = policy or Policy.current()
    role = AppointmentRole(data["role"])
    start = data.get("start_date") or _today(now)
    end = data.get("end_date") or policy.default_end_date(start)
    time_share = data.get("time_share")
    if time_share is not None and not 0 <= time_share <= 100:
        raise DomainError("bad_time_share",
                          _l("The share of working time is a percentage from 0 to 100."),
                          field="time_share")
    check_new_appointment(person, data["entity"], data.get("unct"), role, start, end, current,
                          ending)
    return role, start, end


def appoint(person, data, *, actor, now=None, action="appointment.create", policy=None,
            current=None):
    """Appoint `person` as focal point or alternate of data["entity"] for data["unct"] (None:
    headquarters). The end date defaults to the policy's term. A caller appointing many
    people passes the `policy` and the scope's `current` active appointments it holds."""
    role, start, end = check_appointment(person, data, now=now, policy=policy, current=current)
    entity, unct = data["entity"], data.get("unct")
    time_share = data.get("time_share")
    appointment = Appointment(
        person=person, entity=entity, unct=unct, role=role, status=AppointmentStatus.active,
        start_date=start, end_date=end, time_share=time_share,
        tor_on_file=bool(data.get("tor_on_file")),
        appointed_by_name=(data.get("appointed_by_name") or "").strip() or None,
        appointed_by_title=(data.get("appointed_by_title") or "").strip() or None,
        nomination_id=data.get("nomination_id"), renewal_of_id=data.get("renewal_of_id"),
        notes=data.get("notes"), created_at=now or utcnow())
    log_creation(action, appointment, _appointment_state, actor=actor, now=now,
                 reason=data.get("reason"))
    appointment_started.send(appointment, renewal=appointment.renewal_of_id is not None,
                             now=now or utcnow(), actor=actor)
    return appointment


def _require_active(appointment):
    if appointment.status != AppointmentStatus.active:
        raise DomainError("not_active",
                          _l("This appointment has already ended; history is never changed."))


def check_end(appointment, ended_on, reason=None):
    """The rules of ending `appointment` on `ended_on` for `reason`: a term that has not
    begun by then (a renewal or a replacement entered ahead) can only be withdrawn."""
    _require_active(appointment)
    if ended_on < appointment.start_date and reason != EndReason.withdrawn:
        raise DomainError("dates_reversed", _l(
            "An appointment cannot end before it started. To cancel a term that has not "
            "begun, choose “Withdrawn” as the reason."), field="ended_on")
    if appointment.end_date is not None and ended_on > appointment.end_date:
        raise DomainError("after_planned_end", _l(
            "This term ends on %(day)s: its last day cannot be later. To extend it, renew it "
            "or correct its end date.", day=format_date(appointment.end_date, "long")),
            field="ended_on")


def end_appointment(appointment, *, reason, ended_on=None, note=None, actor, now=None,
                    followed=False):
    """End a term for `reason`; `withdrawn` marks it withdrawn, anything else ended. A term
    withdrawn before it began keeps its planned dates, and the term it was to renew, when
    that one has not run out, goes on to its own end date."""
    reason = EndReason(reason)
    # Today unless told, or the term's own end when it ran out before the daily run ended it.
    today = _today(now)
    ended_on = ended_on or min(today, appointment.end_date or today)
    check_end(appointment, ended_on, reason)
    before = _appointment_state(appointment)
    appointment.status = AppointmentStatus.withdrawn if reason == EndReason.withdrawn else \
        AppointmentStatus.ended
    appointment.end_reason = reason
    appointment.ended_on = ended_on
    begun = ended_on >= appointment.start_date
    if begun and (appointment.end_date is None or appointment.end_date > ended_on):
        appointment.end_date = ended_on
    db.session.flush()
    log_action("appointment.end", appointment, actor=actor, now=now, reason=note,
               changes=diff(before, _appointment_state(appointment)))
    if not begun and _resume_renewed_term(appointment, actor=actor, now=now, note=note):
        followed = True
    appointment_ended.send(appointment, followed=followed, now=now or utcnow())
    return appointment


def _resume_renewed_term(withdrawn, *, actor, now, note):
    """The term that `withdrawn` (a renewal that never began) was to follow, active again
    when it was closed only to be renewed and its end date has not passed; None otherwise."""
    previous = db.session.get(Appointment, withdrawn.renewal_of_id) \
        if withdrawn.renewal_of_id else None
    if previous is None or previous.status != AppointmentStatus.ended or \
            previous.end_reason != EndReason.term_ended or previous.end_date is None or \
            previous.end_date < _today(now) or previous.ended_on != previous.end_date:
        return None
    try:
        check_new_appointment(previous.person, previous.entity, previous.unct, previous.role,
                              previous.start_date, previous.end_date)
    except DomainError:
        return None  # someone else holds the role by now: the history stays as it is
    before = _appointment_state(previous)
    previous.status, previous.end_reason, previous.ended_on = AppointmentStatus.active, None, None
    db.session.flush()
    log_action("appointment.update", previous, actor=actor, now=now, reason=note,
               changes=diff(before, _appointment_state(previous)))
    return previous


CORRECTABLE = ("end_date", "time_share", "tor_on_file", "appointed_by_name",
               "appointed_by_title")


def check_correction(appointment, values):
    """The rules of correcting the CORRECTABLE `values` of an appointment's record."""
    unknown = set(values) - set(CORRECTABLE)
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    time_share = values.get("time_share", appointment.time_share)
    if time_share is not None and not 0 <= time_share <= 100:
        raise DomainError("bad_time_share",
                          _l("The share of working time is a percentage from 0 to 100."),
                          field="time_share")
    end = values.get("end_date", appointment.end_date)
    if end is not None and end < appointment.start_date:
        raise DomainError("dates_reversed", _l("The end date must not be before the start date."),
                          field="end_date")


def correct_appointment(appointment, values, *, actor, now=None, reason=None):
    """Correct the record of an appointment (its end date, share of time, terms of reference,
    who appointed): only what differs changes; returns the names of the changed fields."""
    check_correction(appointment, values)
    changed = [k for k in CORRECTABLE if k in values and getattr(appointment, k) != values[k]]
    if not changed:
        return []
    before = _appointment_state(appointment)
    for key in changed:
        setattr(appointment, key, values[key])
    if "end_date" in changed:
        # The alerts sent were of the former end: the new one is announced in its turn.
        db.session.execute(delete(AppointmentAlert).where(
            AppointmentAlert.appointment_id == appointment.id))
    log_action("appointment.update", appointment, actor=actor, now=now, reason=reason,
               changes=diff(before, _appointment_state(appointment)))
    return changed


def check_past_appointment(data):
    """The rules of recording a term that has already ended; returns its last day."""
    if data.get("end_date") is None and data.get("ended_on") is None:
        raise DomainError("end_required", _l("An ended appointment needs its end date."))
    # The term's planned end and the day it ended: neither before its start.
    if any(day is not None and day < data["start_date"]
           for day in (data.get("end_date"), data.get("ended_on"))):
        raise DomainError("dates_reversed", _l("The end date must not be before the start "
                                               "date."))
    return data.get("ended_on") or data["end_date"]


def record_past_appointment(person, data, *, actor, now=None,
                            action="appointment.import_history"):
    """Record a term that has already ended (status `ended` or `withdrawn`), as history."""
    check_changeable(person)
    last = check_past_appointment(data)
    status = AppointmentStatus(data["status"])
    appointment = Appointment(
        person=person, entity=data["entity"], unct=data.get("unct"),
        role=AppointmentRole(data["role"]), status=status, start_date=data["start_date"],
        end_date=data.get("end_date") or last, ended_on=last,
        end_reason=EndReason(data.get("end_reason") or (
            EndReason.withdrawn if status == AppointmentStatus.withdrawn
            else EndReason.term_ended)),
        time_share=data.get("time_share"), tor_on_file=bool(data.get("tor_on_file")),
        appointed_by_name=data.get("appointed_by_name"),
        appointed_by_title=data.get("appointed_by_title"), created_at=now or utcnow())
    log_creation(action, appointment, _appointment_state, actor=actor, now=now)
    return appointment


def renew(appointment, *, end_date=None, time_share=None, tor_on_file=None, actor, now=None):
    """A new term for the same person, role and scope, following the current one."""
    _require_active(appointment)
    policy = Policy.current()
    today = _today(now)
    # The new term follows the current one without a gap; a lapsed term is renewed from today.
    if appointment.end_date is not None and appointment.end_date >= today:
        start = appointment.end_date + timedelta(days=1)
    else:
        start = today
    end = end_date or policy.default_end_date(start)
    if end < start:
        raise DomainError("dates_reversed", _l("The end date must not be before the start date."),
                          field="end_date")
    person, entity, unct, role = (appointment.person, appointment.entity, appointment.unct,
                                  appointment.role)
    last_day = start - timedelta(days=1)
    if appointment.end_date is not None:
        last_day = min(appointment.end_date, last_day)
    end_appointment(appointment, reason=EndReason.term_ended,
                    ended_on=max(last_day, appointment.start_date), actor=actor, now=now,
                    followed=True)
    return appoint(person, {
        "entity": entity, "unct": unct, "role": role, "start_date": start, "end_date": end,
        "time_share": appointment.time_share if time_share is None else time_share,
        "tor_on_file": appointment.tor_on_file if tor_on_file is None else tor_on_file,
        "appointed_by_name": appointment.appointed_by_name,
        "appointed_by_title": appointment.appointed_by_title,
        "renewal_of_id": appointment.id}, actor=actor, now=now, action="appointment.renew")


def _replacement_days(appointment, new_person, data, now):
    """(the successor's first day, the holder's last) of replace(appointment, new_person,
    data), refused as replacing is; `new_person` None: somebody the registry does not hold."""
    _require_active(appointment)
    if new_person is not None:
        if new_person.id == appointment.person_id:
            raise DomainError("same_person", _l(
                "%(name)s already holds this appointment: give the address of the new holder. "
                "To extend the term, renew it.", name=new_person.full_name), field="email")
        check_changeable(new_person)
    start = data.get("start_date") or _today(now)
    if start < appointment.start_date:
        # The holder's term would end before it began, the successor's run before it.
        raise DomainError("replacement_before_term", _l(
            "The replacement cannot start before the current term began. To cancel a term "
            "that has not begun, end it as “Withdrawn”."), field="start_date")
    # Replaced on its first day, the term keeps that one day; one that ran out before the
    # successor starts ends on its own end date.
    last_day = max(start - timedelta(days=1), appointment.start_date)
    last_day = min(last_day, appointment.end_date or last_day)
    check_end(appointment, last_day, EndReason.replaced)
    return start, last_day


def _successor_terms(appointment, data, start):
    return {**data, "entity": appointment.entity, "unct": appointment.unct,
            "role": appointment.role, "start_date": start}


def check_replacement(appointment, new_person, data, *, now=None):
    """Every rule replace(appointment, new_person, data) applies, refused as it refuses,
    writing nothing; `new_person` None: somebody the registry does not hold yet."""
    start, __ = _replacement_days(appointment, new_person, data, now)
    check_appointment(new_person, _successor_terms(appointment, data, start), now=now,
                      ending=appointment)


def replace(appointment, new_person, data, *, actor, now=None):
    """End the current holder's term (reason: replaced) and appoint `new_person` in one step."""
    start, last_day = _replacement_days(appointment, new_person, data, now)
    end_appointment(appointment, reason=EndReason.replaced, ended_on=last_day,
                    note=data.get("reason"), actor=actor, now=now)
    return appoint(new_person, _successor_terms(appointment, data, start),
                   actor=actor, now=now, action="appointment.replace")


def lapse_ended_terms(*, today, actor=None, now=None):
    """Active appointments whose end date has passed become `ended` (reason: term ended)."""
    lapsed = db.session.scalars(select(Appointment).where(
        Appointment.status == AppointmentStatus.active, Appointment.end_date < today)).all()
    for appointment in lapsed:
        end_appointment(appointment, reason=EndReason.term_ended, ended_on=appointment.end_date,
                        actor=actor, now=now)
    return lapsed


def expiring(*, today, within_days):
    return db.session.scalars(select(Appointment).where(
        Appointment.status == AppointmentStatus.active,
        Appointment.end_date >= today,
        Appointment.end_date <= today + timedelta(days=within_days))).all()

