"""Seats: register, withdraw, remove, waitlist and promotion — capacity is never exceeded.

Every change first takes the session row's write lock (an UPDATE of `seats_version`): on
PostgreSQL a row lock, on SQLite the database write lock. Counting seats and writing the
registration then happen with no other registration change in between, so concurrent requests
queue up instead of overbooking. A freed seat promotes the earliest waitlisted person in the
same transaction, in the order of the session's waiting-list policy (sessions/priority.py); so
does the appointment of someone waiting whom their term kept from a free seat.
"""
from flask_babel import LazyString, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from gfp_portal.core.audit import log_action
from gfp_portal.core.db import savepoint, utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.jobs import enqueue
from gfp_portal.core.timezones import moment_reading
from gfp_portal.extensions import db
from gfp_portal.registry.models import roles_held_until
from gfp_portal.registry.queries import current_terms, signing_in, terms_of
from gfp_portal.registry.signals import appointment_started
from gfp_portal.sessions import notices, priority, signals
from gfp_portal.sessions.models import (
    Registration,
    RegistrationStatus,
    SessionStatus,
    TrainingSession,
)


def lock_seats(session, *registrations):
    """Take the session's seat lock, then re-read the session and `registrations`: every
    decision is taken on their state under the lock, not on what was loaded before it."""
    db.session.execute(update(TrainingSession).where(TrainingSession.id == session.id)
                       .values(seats_version=TrainingSession.seats_version + 1))
    for row in (session, *registrations):
        db.session.refresh(row)


def registered_count(session):
    return db.session.scalar(select(func.count(Registration.id)).where(
        Registration.session_id == session.id,
        Registration.status == RegistrationStatus.registered))


def seats_left(session):
    return max(0, session.capacity - registered_count(session))


def _arrivals(session):
    # populate_existing: rows already loaded in this transaction are read again, not trusted.
    return db.session.scalars(select(Registration).where(
        Registration.session_id == session.id,
        Registration.status == RegistrationStatus.waitlisted)
        .order_by(Registration.waitlisted_at, Registration.id)
        .execution_options(populate_existing=True)).all()


def waitlist_order(session):
    """The waiting list in the order freed seats go, by the session's policy: [(registration,
    put first by the priority)]."""
    return priority.in_order(session, _arrivals(session))


def waitlist(session):
    return [registration for registration, _first in waitlist_order(session)]


def _seat_order(session, *, today):
    """(waitlist_order without the people whose term ends before the session, or who have
    left the network: they may not take a seat, and stay on the list, passed over;
    {registration id: the last day of each person passed over (last_days_before)})."""
    order = waitlist_order(session)
    last_days = last_days_before(session, [row.person_id for row, _first in order],
                                 today=today)
    return [(row, first) for row, first in order if row.person_id not in last_days], \
        {row.id: last_days[row.person_id] for row, _first in order
         if row.person_id in last_days}


def promotable(session, *, today):
    """The waiting list in the order freed seats go, without the people whose term ends
    before the session or who have left the network (people_leaving_before): they may not
    take a seat, and stay on the list, passed over, as everyone does once the session has
    started (_offers_seats)."""
    return [row for row, _first in _seat_order(session, today=today)[0]]


def _places(order):
    return {row.id: (number, first) for number, (row, first) in enumerate(order, start=1)}


def waitlist_places(session, *, today):
    """{registration id: (number on the waiting list, put first by the priority)} of the
    people a freed seat may go to (promotable), numbered in the order it goes to them: the
    people passed over have no number, and do not count in the numbers of those behind."""
    return _places(_seat_order(session, today=today)[0])


def waitlist_standing(session, *, today):
    """What the roster says of each person waiting, read once: (waitlist_places,
    {registration id: the last day of a person passed over}). That day is before `today`
    when their term has ended, else it is to come, before the session."""
    order, passed_over = _seat_order(session, today=today)
    return _places(order), passed_over


def waitlist_place(registration, *, today):
    """(number on the waiting list, put first by the priority), or None if not waiting for
    a seat (waitlist_places)."""
    if registration.status != RegistrationStatus.waitlisted:
        return None
    return waitlist_places(registration.session, today=today).get(registration.id)


def registration_of(session, person):
    return db.session.scalars(select(Registration).where(
        Registration.session_id == session.id, Registration.person_id == person.id)
        .execution_options(populate_existing=True)).first()


def in_audience(session, person, *, today):
    """Whether the session is for the roles `person` holds on `today`, or is to hold, in a
    term still theirs on the session's first day: a term whose end was entered ahead admits
    its holder to the sessions up to its last day; an incoming holder's term, active, to any
    (TrainingSession.admits_holder_of, which what recommends sessions asks too)."""
    return audience_refusal(session, person, today=today) is None


def term_ends_before(session, terms):
    """The last day of the holder of `terms` (their appointments that count as theirs today:
    registry.queries.current_terms) in the roles `session` is for, when it comes before the
    session's first day: in its audience today, no longer on its day
    (TrainingSession.admits_holder_of). None when the session admits them, or when they hold
    none of its roles."""
    if session.admits_holder_of(terms):
        return None
    return max((term.last_day for term in terms if term.role in session.audience.roles),
               default=None)


def _last_day_before(session, terms, *, today):
    """The last day of the holder of `terms` (every appointment of theirs) when none of them,
    in any role, is still theirs on the session's first day (roles_held_until; a term run out
    by `today` is theirs no more, whether or not the daily run has marked it ended:
    Appointment.unexpired_on): the day they left the network, gone by `today` or still to
    come. None when one is, and for a person who never held a term (never appointed, or a
    term withdrawn before it began gives no last day)."""
    if roles_held_until([term for term in terms if term.unexpired_on(today)],
                        session.first_day):
        return None
    return max((term.last_day for term in terms if term.last_day is not None
                and term.last_day >= term.start_date), default=None)


def last_day_before(session, terms, *, today):
    """The last day of the holder of `terms` (every appointment of theirs) when they may not
    take a seat in `session` from its waiting list, else None: their term in its roles ends
    before it (term_ends_before, of the terms that count as theirs today: a day to come, or
    today), or no term of theirs is still theirs on its first day though they held one
    (_last_day_before): they have left the network (a day gone by `today`), or leave it
    before the session, and the Office may not add them either (departure_refusal)."""
    current = [term for term in terms if term.current_on(today)]
    last_day = term_ends_before(session, current)
    return last_day if last_day is not None else _last_day_before(session, terms, today=today)


def last_days_before(session, person_ids, *, today):
    """{person id: last day} of the `person_ids` who may not take a seat in `session`
    (last_day_before), their terms read in one query."""
    last_days = {person_id: last_day_before(session, terms, today=today)
                 for person_id, terms in terms_of(list(person_ids)).items()}
    return {person_id: day for person_id, day in last_days.items() if day is not None}


def people_leaving_before(session, person_ids, *, today):
    """The ids of `person_ids` who may not take a seat in `session` (last_day_before), their
    terms read in one query."""
    return set(last_days_before(session, person_ids, today=today))


def audience_refusal(session, person, *, today):
    """Why `person` may not register for `session` themselves (a DomainError), or None when
    they are in its audience (in_audience)."""
    terms = current_terms([person.id], today=today).get(person.id, [])
    if session.admits_holder_of(terms):
        return None
    if (last_day := term_ends_before(session, terms)) is not None:
        return DomainError("not_in_audience", _l(
            "Your term ends on %(day)s, before this session.",
            day=LazyString(format_date, last_day, "long")))
    return DomainError("not_in_audience", _l(
        "This session is for %(audience)s; your appointment does not match.",
        audience=session.audience.title))


def departure_refusal(session, person, *, today):
    """Why the Office may not add `person` to `session` (a DomainError), or None. It may add
    anyone, in the session's audience or not, but not a person none of whose terms, in any
    role, is still theirs on the session's first day, as no other path seats them
    (_last_day_before): their last day, gone by `today` or still to come, is named. A person
    never appointed is no leaver, and may be added."""
    last_day = _last_day_before(session, person.appointments, today=today)
    if last_day is None:
        return None
    day = LazyString(format_date, last_day, "long")
    if last_day < today:
        return DomainError("term_over", _l(
            "The term of %(name)s ended on %(day)s: they are no longer in the network and "
            "are not registered.", name=person.full_name, day=day))
    return DomainError("term_over", _l(
        "The term of %(name)s ends on %(day)s, before this session: they are not "
        "registered.", name=person.full_name, day=day))


def window(session, now):
    """Where `now` falls in the session's own registration period: "not_yet" (it opens
    later), "closed" (it closed before the session starts) or "open"."""
    if session.registration_opens_at and now < session.registration_opens_at:
        return "not_yet"
    if session.registration_closes_at and now >= session.registration_closes_at:
        return "closed"
    return "open"


def _check_open(session, now, *, by_coordinator):
    if session.status != SessionStatus.published:
        raise DomainError("not_open", _l("This session is not open for registration."))
    if session.starts_at <= now:
        raise DomainError("started", _l("This session has already started."))
    if by_coordinator:
        return
    state = window(session, now)
    if state == "not_yet":
        # The moment in the reader's time zone and language, when the message is shown.
        raise DomainError("window_not_open", _l(
            "Registration opens on %(date)s.",
            date=LazyString(moment_reading, session.registration_opens_at)))
    if state == "closed":
        raise DomainError("window_closed", _l("Registration for this session is closed."))


def _state(registration):
    return {"session": registration.session_id, "person": registration.person_id,
            "status": registration.status.value}


def _take_place(session, person, registration, *, seat, now):
    """A seat (`seat`) or a place on the waiting list for `person`: a new registration, or
    their cancelled one again. Returns (registration, its status before)."""
    before = registration.status.value if registration is not None else None
    if registration is None:
        registration = Registration(session=session, person=person, created_at=now)
        db.session.add(registration)
    if seat:
        registration.status = RegistrationStatus.registered
        registration.registered_at, registration.waitlisted_at = now, None
    else:
        registration.status = RegistrationStatus.waitlisted
        registration.waitlisted_at, registration.registered_at = now, None
    registration.cancelled_at = None
    return registration, before


def register(session, person, *, actor, now=None, by_coordinator=False, notify=True):
    """A seat for `person`, or a place on the waiting list when the session is full.
    Returns the registration; registering twice changes nothing. People register themselves
    for the sessions of their audience (audience_refusal); the Office adds anyone but a
    leaver (departure_refusal)."""
    today = (now or utcnow()).date()
    refusal = departure_refusal(session, person, today=today) if by_coordinator else \
        audience_refusal(session, person, today=today)
    if refusal is not None:
        raise refusal
    lock_seats(session)
    # Read the clock once the lock is held, so the queue follows the order of arrival.
    now = now or utcnow()
    _check_open(session, now, by_coordinator=by_coordinator)
    registration = registration_of(session, person)
    if registration is not None and registration.status != RegistrationStatus.cancelled:
        return registration
    free = session.capacity - registered_count(session)
    # A free seat goes first to whoever waits and may take it now (_seat_waiting); the
    # newcomer comes after them.
    free -= len(_seat_waiting(session, free, actor=actor, now=now))
    registration, before = _take_place(session, person, registration, seat=free > 0, now=now)
    db.session.flush()
    log_action("registration.create", registration, actor=actor, now=now,
               changes={"status": [before, registration.status.value]})
    if notify and registration.status == RegistrationStatus.registered:
        notices.outrank_cancellation(registration)
        notices.send(registration, "confirmed", now=now)
    return registration


def sees_join_link(user, session, mine):
    """Whether `user`, holding `mine` (their registration for `session`, or None), may see
    its join link: the Office, and people registered (not waiting) while the session is not
    cancelled (the cancellation does not hand it on either)."""
    return user.is_staff or (not session.is_cancelled and mine is not None
                             and mine.status == RegistrationStatus.registered)


def _offers_seats(session, now):
    """Whether a freed seat still goes to someone waiting: not once the session has started,
    when registration is closed and nobody is invited to a session already under way."""
    return now < session.starts_at


def promote(session, *, actor, now):
    """Fill free seats from the waiting list, in the order of the session's policy (earliest
    first among equals), unless the session has started, passing over the people who may
    not take a seat (promotable); returns who was promoted."""
    if not _offers_seats(session, now):
        return []
    return _seat_waiting(session, session.capacity - registered_count(session), actor=actor,
                         now=now)


def _seat_waiting(session, free, *, actor, now):
    """Give `free` seats (the lock held, the session not started) to the first people
    waiting who may take one (promotable), each told by email in their language. A seat may
    be free while someone waits: the people passed over leave it free, and one of them takes
    it once appointed again (_seat_the_appointed; a newcomer comes after whoever waits and
    may take one: register). Returns who was promoted."""
    promoted = []
    if free <= 0:
        return promoted
    for registration in promotable(session, today=now.date())[:free]:
        registration.status = RegistrationStatus.registered
        registration.registered_at = now
        db.session.flush()
        log_action("registration.promote", registration, actor=actor, now=now,
                   changes={"status": ["waitlisted", "registered"]})
        notices.outrank_cancellation(registration)
        notices.send(registration, "promoted", now=now)
        promoted.append(registration)
    return promoted


def _waited_for(person, *, now):
    """The published sessions not started by `now` on whose waiting list `person` is, by id
    (the order their seat locks are taken in, as two appointments may meet)."""
    return db.session.scalars(
        select(TrainingSession).join(Registration, Registration.session_id == TrainingSession.id)
        .where(Registration.person_id == person.id,
               Registration.status == RegistrationStatus.waitlisted,
               TrainingSession.status == SessionStatus.published,
               TrainingSession.starts_at > now)
        .order_by(TrainingSession.id)).all()


@appointment_started.connect
def _seat_the_appointed(appointment, *, now, actor=None, **extra):
    """Someone waiting whom their term kept from a free seat (passed over: last_day_before)
    may take it once appointed again: the free seats of the sessions to come they wait for
    go to whoever waits and may take one now, as a freed seat does (promote). A person new
    to the registry waits for none; an import's batch is flushed only for those who do."""
    person = appointment.person
    if person.id is None:
        return
    with db.session.no_autoflush:
        sessions = _waited_for(person, now=now)
    for session in sessions:
        lock_seats(session)
        promote(session, actor=actor, now=now)


def _check_not_cancelled(registration):
    if registration.status == RegistrationStatus.cancelled:
        raise DomainError("not_registered", _l("This registration is already cancelled."))


def check_cancellable(registration, *, by_coordinator=False):
    """Refuse a withdrawal or removal that cancel() would refuse: of a registration already
    cancelled, or one whose records another domain keeps (its attendance)."""
    _check_not_cancelled(registration)
    signals.registration_leaving.send(registration, by_coordinator=by_coordinator)


def _frees_a_seat(registration):
    """Whether cancelling `registration` frees a seat that counts: it holds one, in a session
    that is not cancelled (whose waiting list is closed). Its holder is then told by email,
    and the seat goes to the first person waiting."""
    return registration.status == RegistrationStatus.registered and \
        not registration.session.is_cancelled


def removal_preview(registration, *, now=None):
    """What removing `registration` would do, as cancel() does it for a coordinator:
    {"emailed": the person loses a seat and is told by email, "successor": the person first
    on the waiting list who may take it (promotable), who gets the seat and is told, or
    None}."""
    check_cancellable(registration, by_coordinator=True)
    return {"emailed": (_frees_a_seat(registration)
                        or _not_yet_told_of_cancellation(registration))
            and notices.reaches(registration.person),
            "successor": successor(registration, now=now)}


def successor(registration, *, now=None):
    """The person first on the waiting list who may take the seat `registration` holds
    (promotable), who gets it if it is given up, or None (no seat freed, or nobody waiting
    may take one)."""
    session, now = registration.session, now or utcnow()
    if not (_frees_a_seat(registration) and _offers_seats(session, now)):
        return None
    waiting = promotable(session, today=now.date())[:1]
    return waiting[0].person if waiting else None


def _not_yet_told_of_cancellation(registration):
    """Whether `registration` holds a seat in a cancelled session whose cancellation has not
    reached its holder yet (the job telling everyone has not run): removing or withdrawing
    them sends it."""
    return registration.status == RegistrationStatus.registered and \
        registration.session.is_cancelled and \
        bool(notices.not_yet_invited([registration]))


def cancel(registration, *, actor, now=None, reason=None, by_coordinator=False, notify=True):
    """Withdrawal (by the person, within the window) or removal (by a coordinator). The seat
    goes to the first person waiting, in the same transaction, unless the session is
    cancelled (_frees_a_seat) or has started (promote). `notify`: the holder of a seat is
    told, and the domains keeping records of the registration may refuse (check_cancellable);
    not when no one is left to tell: their data is being erased."""
    now = now or utcnow()
    session = registration.session
    lock_seats(session, registration)
    if notify:
        check_cancellable(registration, by_coordinator=by_coordinator)
    else:
        _check_not_cancelled(registration)
    if not by_coordinator and session.starts_at <= now:
        raise DomainError("started", _l("This session has already started."))
    frees_a_seat = _frees_a_seat(registration)
    untold = _not_yet_told_of_cancellation(registration)
    before = registration.status.value
    registration.status = RegistrationStatus.cancelled
    registration.cancelled_at = now
    db.session.flush()
    log_action("registration.remove" if by_coordinator else "registration.withdraw",
               registration, actor=actor, now=now, reason=reason,
               changes={"status": [before, "cancelled"]})
    if frees_a_seat:
        if notify:
            notices.send(registration, "withdrawn", now=now)
        promote(session, actor=actor, now=now)
    elif untold and notify:
        notices.send(registration, "cancelled", now=now)
    return registration


def register_series(series, person, *, actor, now=None):
    """Register for every published session of the series that is open and has room, and
    that the person's term reaches; returns (sessions where the person holds a seat, now or
    already; the others but those after their term; {the last day of their term: the
    sessions after it (term_ends_before)})."""
    now = now or utcnow()
    terms = current_terms([person.id], today=now.date()).get(person.id, [])
    done, skipped, after_last_day = [], [], {}
    for session in series.sessions:
        held = registration_of(session, person)
        if held is not None and held.status == RegistrationStatus.registered:
            done.append(session)  # a seat already held, even in a session now full
            continue
        if (last_day := term_ends_before(session, terms)) is not None:
            after_last_day.setdefault(last_day, []).append(session)
            continue
        try:
            with savepoint():
                if seats_left(session) == 0:
                    raise DomainError("full", _l("This session is full."))
                registration = register(session, person, actor=actor, now=now)
        except DomainError:
            skipped.append(session)
        else:
            (done if registration.status == RegistrationStatus.registered
             else skipped).append(session)
    return done, skipped, after_last_day


def _check_group(session, person_ids, now):
    _check_open(session, now, by_coordinator=True)
    if not person_ids:
        raise DomainError("nobody", _l("Nobody matches these filters; no one was registered."))


def preview_group(session, person_ids, *, now=None):
    """What registering `person_ids` would do, checked as queue_group checks it: {"matching",
    "seats_left", "registered", "waitlisted", "invitations", "term_ends_before"}. People
    already registered or waiting keep their place; register_group leaves out the others
    whose term ends before the session."""
    now = now or utcnow()
    _check_group(session, person_ids, now)
    holding = set(db.session.scalars(select(Registration.person_id).where(
        Registration.session_id == session.id,
        Registration.status != RegistrationStatus.cancelled)))
    left_out = people_leaving_before(session, person_ids, today=now.date()) - holding
    new = len(set(person_ids) - holding - left_out)
    left = seats_left(session)
    # The people waiting who may take a free seat take it first (register_group).
    ahead = len(promotable(session, today=now.date())) if left else 0
    seats = min(new, max(0, left - ahead))
    return {"matching": len(person_ids), "seats_left": left, "registered": seats,
            "waitlisted": new - seats, "invitations": seats, "term_ends_before": len(left_out)}


def queue_group(session, person_ids, *, actor, now=None):
    """Record the job that registers the people `person_ids` (see register_group), once the
    session is known to be open; returns the Job, whose page shows its progress."""
    now = now or utcnow()
    _check_group(session, person_ids, now)
    return enqueue("sessions.register-group",
                   {"session_id": session.id, "person_ids": list(person_ids)},
                   actor=actor, now=now)


def register_group(session, people, *, actor, now=None, progress=None):
    """A coordinator registers many people at once; the last ones may be waitlisted.
    Returns {status: count, "invitations": confirmations queued, "term_ends_before": people
    left out, their term ending before the session}; `progress(done, total)` hears how far
    it got. It decides as register() would for each person in turn, under one hold of the
    seat lock, reading the session's registrations once."""
    lock_seats(session)
    now = now or utcnow()
    _check_open(session, now, by_coordinator=True)
    counts = {status: 0 for status in RegistrationStatus}
    counts["invitations"] = counts["term_ends_before"] = 0
    # Whoever waits and may take a free seat takes it first, as in register().
    promote(session, actor=actor, now=now)
    current = {row.person_id: row for row in db.session.scalars(select(Registration).where(
        Registration.session_id == session.id).execution_options(populate_existing=True))}
    taken = sum(row.status == RegistrationStatus.registered for row in current.values())
    leaving = people_leaving_before(session, [p.id for p in people], today=now.date())
    placed = []
    for person in people:
        registration = current.get(person.id)
        if registration is not None and registration.status != RegistrationStatus.cancelled:
            placed.append((registration, None, False))
            continue
        if person.id in leaving:
            counts["term_ends_before"] += 1
            continue
        seat = taken < session.capacity
        registration, before = _take_place(session, person, registration, seat=seat, now=now)
        if seat:
            notices.outrank_cancellation(registration)
        current[person.id] = registration
        taken += seat
        placed.append((registration, before, True))
    for registration, _before, new in placed:
        # Invited below, with the session's SEQUENCE as it is once every seat is given: noted
        # before the rows are written, not as an update of each.
        if new and registration.status == RegistrationStatus.registered:
            notices.keep_invitation(registration, "confirmed")
    db.session.flush()
    settings, memo = notices.recipients([p.id for p in people]), {}
    signers = signing_in({p.id for p in people})
    if progress is not None and counts["term_ends_before"]:
        progress(counts["term_ends_before"], len(people))  # those left out: done at once
    for done, (registration, before, new) in enumerate(
            placed, start=1 + counts["term_ends_before"]):
        if new:
            log_action("registration.create", registration, actor=actor, now=now,
                       changes={"status": [before, registration.status.value]})
            if registration.status == RegistrationStatus.registered:
                notices.send(registration, "confirmed", now=now, settings=settings,
                             signers=signers, memo=memo)
                counts["invitations"] += 1
        counts[registration.status] += 1
        if progress is not None:
            progress(done, len(people))
    return counts
