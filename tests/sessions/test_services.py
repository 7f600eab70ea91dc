"""Registration, waitlist and promotion; the invitations each change sends; reminders; feeds."""
import base64
from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_date
from icalendar import Calendar
from sqlalchemy import func, select, update

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.attendance.queries import session_and_place
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.errors import DomainError
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry
from gfp_portal.registry.imports import applying, reading
from gfp_portal.registry.signals import appointment_started, people_signing_in
from gfp_portal.sessions import feed, registration, services
from gfp_portal.sessions.models import Audience, RegistrationStatus, SessionStatus, TrainingSession
from gfp_portal.sessions.times import spans
from tests.helpers import NOW, csv_bytes, entity, outbox, refused, refused_rollback
from tests.sessions.libical import libical_errors

TODAY = NOW.date()


def methods(messages):
    return [message.parts[0]["params"]["method"] if message.parts else None
            for message in messages]


def test_registering_takes_a_seat_and_sends_the_invitation(make_session, make_appointee):
    session, person = make_session(capacity=2), make_appointee(language="fr")
    row = registration.register(session, person, actor=None, now=NOW)
    assert row.status == RegistrationStatus.registered and row.registered_at == NOW
    message, = outbox("session_notice")
    assert message.recipient == person.email and message.locale == "fr"
    assert [p["content_type"] for p in message.parts] == ["text/calendar", "application/ics"]
    assert message.parts[0]["disposition"] == "alternative"
    assert message.parts[1]["filename"] == "invite.ics"
    assert methods([message]) == ["REQUEST"]
    assert registration.register(session, person, actor=None, now=NOW) is row  # no double


def test_beyond_capacity_people_wait_and_get_no_invitation(make_session, make_appointee):
    session = make_session(capacity=1)
    first, second, third = make_appointee(), make_appointee(), make_appointee()
    for person in (first, second, third):
        registration.register(session, person, actor=None, now=NOW)
    rows = {r.person_id: r for r in registration.waitlist(session)}
    assert list(rows) == [second.id, third.id]
    assert registration.waitlist_place(rows[third.id], today=TODAY) == (2, False)
    assert [m.recipient for m in outbox("session_notice")] == [first.email]


@pytest.mark.parametrize("by_coordinator", [False, True])
def test_a_freed_seat_goes_to_the_first_waiting(make_session, make_appointee, coordinator,
                                                by_coordinator):
    session = make_session(capacity=1)
    seated, waiting, later = make_appointee(), make_appointee(), make_appointee()
    rows = [registration.register(session, p, actor=None, now=NOW + timedelta(minutes=n))
            for n, p in enumerate((seated, waiting, later))]
    registration.cancel(rows[0], actor=coordinator if by_coordinator else None,
                        by_coordinator=by_coordinator, now=NOW + timedelta(hours=1))
    assert rows[1].status == RegistrationStatus.registered
    assert rows[2].status == RegistrationStatus.waitlisted
    assert registration.registered_count(session) == 1
    sent = outbox("session_notice")[1:]
    assert [(m.recipient, methods([m])[0]) for m in sent] == [
        (seated.email, "CANCEL"), (waiting.email, "REQUEST")]


def test_raising_the_capacity_promotes_in_order(make_session, make_appointee, coordinator):
    session = make_session(capacity=1)
    people = [make_appointee() for _ in range(4)]
    for n, person in enumerate(people):
        registration.register(session, person, actor=None, now=NOW + timedelta(minutes=n))
    services.update_session(session, {"capacity": 3}, actor=coordinator, now=NOW)
    statuses = [registration.registration_of(session, p).status for p in people]
    assert statuses == ["registered", "registered", "registered", "waitlisted"]


@pytest.mark.parametrize("late", [timedelta(minutes=10), timedelta(days=2)])
def test_a_seat_freed_once_the_session_has_started_goes_to_nobody(make_session, make_appointee,
                                                                  coordinator, late):
    """Registration closes at the start: a seat freed then (a removal, more seats) invites
    nobody to a session under way or over."""
    session = make_session(capacity=1)
    seated, waiting = make_appointee(), make_appointee()
    rows = [registration.register(session, p, actor=None, now=NOW + timedelta(minutes=n))
            for n, p in enumerate((seated, waiting))]
    then = session.starts_at + late
    registration.cancel(rows[0], actor=coordinator, by_coordinator=True, now=then)
    services.update_session(session, {"capacity": 5}, actor=coordinator, now=then)
    assert rows[1].status == RegistrationStatus.waitlisted
    assert registration.registered_count(session) == 0
    assert waiting.email not in [m.recipient for m in outbox("session_notice")]


@pytest.mark.parametrize("change, code", [
    ({"status": "draft"}, "not_open"),
    ({"registration_closes_at": NOW - timedelta(hours=1)}, "window_closed"),
    ({"registration_opens_at": NOW + timedelta(days=1)}, "window_not_open"),
])
def test_registration_only_while_open(make_session, make_appointee, change, code):
    session = make_session()
    for field, value in change.items():
        setattr(session, field, value)
    refused(code, registration.register, session, make_appointee(), actor=None, now=NOW)


def test_a_started_session_takes_no_registration(make_session, make_appointee):
    session = make_session(starts_in=timedelta(hours=-1))
    refused("started", registration.register, session, make_appointee(), actor=None, now=NOW)


def test_only_the_audience_registers_itself(make_session, make_appointee, coordinator):
    session = make_session(audience="focal_points")
    alternate = make_appointee(role="alternate")
    refused("not_in_audience", registration.register, session, alternate, actor=None, now=NOW)
    assert registration.register(session, make_appointee(role="focal_point"), actor=None,
                                 now=NOW).status == "registered"
    # The Office may add anyone.
    assert registration.register(session, alternate, actor=coordinator, now=NOW,
                                 by_coordinator=True).status == "registered"


def _alternate_since_last_year(make_person, coordinator, email="outgoing@undp.org"):
    """An alternate of UNDP at headquarters since more than a year before NOW."""
    person = make_person(email=email)
    appointment = registry.appoint(person, {
        "role": "alternate", "entity": entity("UNDP"), "unct": None,
        "start_date": TODAY - timedelta(days=400)}, actor=coordinator, now=NOW)
    db.session.flush()
    return person, appointment


def _end_ahead(how, appointment, make_person, coordinator):
    """On NOW, the term's last day is recorded as thirty days later: its end entered ahead,
    or a successor entered to take over the day after. Returns the successor, if any."""
    last_day = TODAY + timedelta(days=30)
    if how == "end":
        registry.end_appointment(appointment, reason="left_entity", ended_on=last_day,
                                 actor=coordinator, now=NOW)
        return None
    successor = make_person(given="Li", family="Wei", email="successor@undp.org")
    registry.replace(appointment, successor, {"start_date": last_day + timedelta(days=1)},
                     actor=coordinator, now=NOW)
    return successor


@pytest.mark.parametrize("how", ["end", "replace"])
def test_a_holder_whose_end_is_entered_ahead_registers_until_their_last_day(
        how, make_session, make_person, coordinator):
    """Ending a term "Last day: 31 March" on 1 March, or entering the successor who takes
    over on 1 April: until then the alternate still holds the role, and the sessions for
    focal points and alternates are still theirs (the session's page offers them too); the
    successor's term to come admits the successor as before."""
    person, appointment = _alternate_since_last_year(make_person, coordinator)
    successor = _end_ahead(how, appointment, make_person, coordinator)
    session = make_session(starts_in=timedelta(days=10))
    assert appointment.held_on(TODAY + timedelta(days=10))
    assert registration.register(session, person, actor=None, now=NOW).status == "registered"
    __, place, __ = session_and_place(session.id, person, today=TODAY)
    assert place.in_audience
    if successor is not None:
        assert registration.register(session, successor, actor=None, now=NOW).status == \
            "registered"


@pytest.mark.parametrize("how", ["end", "replace"])
def test_a_holder_whose_end_is_entered_ahead_takes_no_seat_after_their_last_day(
        how, make_session, make_person, coordinator):
    """On 1 March the Office records that the alternate leaves on 31 March. A session on
    30 April is for the network's focal points and alternates: by then the alternate is
    neither, and is refused, saying when their term ends; the session's page offers them no
    seat either. Their successor, who takes over on 1 April, registers."""
    person, appointment = _alternate_since_last_year(make_person, coordinator)
    successor = _end_ahead(how, appointment, make_person, coordinator)
    session = make_session(capacity=1, starts_in=timedelta(days=60))
    assert not appointment.held_on(session.starts_at.date())
    error = refused("not_in_audience", registration.register, session, person, actor=None,
                    now=NOW)
    assert "Your term ends on" in str(error.message)
    __, place, __ = session_and_place(session.id, person, today=TODAY)
    assert not place.in_audience
    if successor is not None:
        assert registration.register(session, successor, actor=None, now=NOW).status == \
            "registered"


def test_a_waitlisted_holder_whose_term_ends_before_the_session_is_not_promoted(
        make_session, make_appointee, make_person, coordinator):
    """The alternate waits for a seat in a session on 30 April; on 1 March the Office records
    that they leave on 31 March. A seat freed then goes to the next person waiting, as the
    removal's confirmation says; the leaver stays on the waiting list, passed over (a renewal
    would make them welcome again). Once nobody else waits, a free seat goes to whoever
    registers next, not behind them."""
    session = make_session(capacity=1, starts_in=timedelta(days=60))
    seated = make_appointee()
    leaver, appointment = _alternate_since_last_year(make_person, coordinator)
    later = make_appointee()
    rows = [registration.register(session, p, actor=None, now=NOW + timedelta(minutes=n))
            for n, p in enumerate((seated, leaver, later))]
    _end_ahead("end", appointment, make_person, coordinator)
    preview = registration.removal_preview(rows[0], now=NOW + timedelta(hours=1))
    registration.cancel(rows[0], actor=coordinator, by_coordinator=True,
                        now=NOW + timedelta(hours=1))
    assert [rows[1].status, rows[2].status] == ["waitlisted", "registered"], \
        "the seat went to the waitlisted leaver"
    assert preview["successor"] == later
    registration.cancel(rows[2], actor=None, now=NOW + timedelta(hours=2))
    assert rows[1].status == "waitlisted" and registration.seats_left(session) == 1
    newcomer = registration.register(session, make_appointee(), actor=None,
                                     now=NOW + timedelta(hours=3))
    assert newcomer.status == "registered"


def test_the_numbers_on_the_waiting_list_pass_over_the_people_who_may_not_take_a_seat(
        make_session, make_appointee, make_person, coordinator):
    """The leaver waits first, the one behind them second; once the leaver's term is known to
    end before the session, a freed seat goes to the one behind first: number 1. The leaver
    keeps a place on the list, with no number."""
    session = make_session(capacity=1, starts_in=timedelta(days=60))
    seated = make_appointee()
    leaver, appointment = _alternate_since_last_year(make_person, coordinator)
    later = make_appointee()
    rows = [registration.register(session, p, actor=None, now=NOW + timedelta(minutes=n))
            for n, p in enumerate((seated, leaver, later))]
    assert registration.waitlist_place(rows[2], today=TODAY) == (2, False)
    _end_ahead("end", appointment, make_person, coordinator)
    assert registration.waitlist_place(rows[2], today=TODAY) == (1, False)
    assert registration.waitlist_place(rows[1], today=TODAY) is None
    assert registration.waitlist_places(session, today=TODAY) == {rows[2].id: (1, False)}
    assert registration.waitlist_place(rows[0], today=TODAY) is None  # seated


def _term_over(how, appointment, coordinator):
    """The alternate's term is over by the moment returned: the Office records on NOW that
    they left yesterday ("ended"), or the term's end date is today and the daily run marks it
    ended tomorrow ("lapsed"), or it is not run yet then ("ran out": still active, its end
    date passed)."""
    if how == "ended":
        registry.end_appointment(appointment, reason="left_entity",
                                 ended_on=TODAY - timedelta(days=1), actor=coordinator, now=NOW)
        return NOW
    registry.correct_appointment(appointment, {"end_date": TODAY}, actor=coordinator, now=NOW)
    tomorrow = NOW + timedelta(days=1)
    if how == "lapsed":
        registry.lapse_ended_terms(today=tomorrow.date(), now=tomorrow)
    db.session.flush()
    return tomorrow


@pytest.mark.parametrize("how", ["ended", "lapsed", "ran out"])
def test_a_waitlisted_holder_whose_term_is_over_is_not_promoted(
        how, make_session, make_appointee, make_person, coordinator):
    """The alternate waits for a seat; then their term is over: they have left the network.
    A seat freed afterwards goes to the next person waiting, as the removal's confirmation
    says, not to the leaver, who is sent nothing and has no number on the list."""
    session = make_session(capacity=1, starts_in=timedelta(days=20))
    seated = make_appointee()
    leaver, appointment = _alternate_since_last_year(make_person, coordinator)
    later = make_appointee()
    rows = [registration.register(session, p, actor=None, now=NOW + timedelta(minutes=n))
            for n, p in enumerate((seated, leaver, later))]
    now = _term_over(how, appointment, coordinator) + timedelta(hours=1)
    mails = len(outbox("session_notice"))
    assert registration.waitlist_places(session, today=now.date()) == {rows[2].id: (1, False)}
    assert registration.removal_preview(rows[0], now=now)["successor"] == later
    registration.cancel(rows[0], actor=coordinator, by_coordinator=True, now=now)
    assert [rows[1].status, rows[2].status] == ["waitlisted", "registered"], \
        "the seat went to the waitlisted leaver"
    assert leaver.email not in [m.recipient for m in outbox("session_notice")[mails:]]


def test_a_term_past_its_end_date_admits_its_holder_to_no_session(make_session, make_person,
                                                                  coordinator):
    """The alternate's term ended yesterday (its end date); the daily run has not marked it
    ended yet. As coverage, the sessions count them out: they may not register, the page
    offers them no seat, the Office may not add them. A term ending today, or later but
    before the session (it may be renewed by then), still admits its holder."""
    person, appointment = _alternate_since_last_year(make_person, coordinator)
    session = make_session(starts_in=timedelta(days=7))
    registry.correct_appointment(appointment, {"end_date": TODAY}, actor=coordinator, now=NOW)
    assert registration.in_audience(session, person, today=TODAY)
    tomorrow = TODAY + timedelta(days=1)
    assert appointment.status == "active" and not appointment.current_on(tomorrow)
    assert registration.audience_refusal(session, person, today=tomorrow).code == \
        "not_in_audience"
    __, place, __ = session_and_place(session.id, person, today=tomorrow)
    assert not place.in_audience
    later = NOW + timedelta(days=1)
    refused("not_in_audience", registration.register, session, person, actor=None, now=later)
    error = refused("term_over", registration.register, session, person, actor=coordinator,
                    now=later, by_coordinator=True)
    assert format_date(TODAY, "long", locale="en") in str(error.message)
    assert registration.registration_of(session, person) is None


def _appoint_unannounced(person, coordinator):
    """Appoint `person` again (UNICEF's alternate) with the announcement muted, as the demo
    data appoints its network: a seat of theirs waits for the next change of the session."""
    with appointment_started.muted():
        registry.appoint(person, {"role": "alternate", "entity": entity("UNICEF"),
                                  "unct": None, "start_date": TODAY}, actor=coordinator, now=NOW)
    db.session.flush()


def test_a_newcomer_comes_after_whoever_waits_and_may_take_a_free_seat(
        make_session, make_appointee, make_person, coordinator):
    """The leaver waits, passed over (their term ends before the session); the one seated
    withdraws and the seat stays free. Appointed again with nothing announced, the leaver
    may take it though nobody gave it: whoever registers next finds them seated first, told
    in their language, and waits behind them, never beside a free seat."""
    session = make_session(capacity=1, starts_in=timedelta(days=60))
    seated = make_appointee()
    leaver, appointment = _alternate_since_last_year(make_person, coordinator)
    leaver.preferred_language = "fr"
    rows = [registration.register(session, p, actor=None, now=NOW + timedelta(minutes=n))
            for n, p in enumerate((seated, leaver))]
    _end_ahead("end", appointment, make_person, coordinator)
    registration.cancel(rows[0], actor=None, now=NOW + timedelta(hours=1))
    _appoint_unannounced(leaver, coordinator)
    assert rows[1].status == "waitlisted" and registration.seats_left(session) == 1
    mails = len(outbox("session_notice"))
    newcomer = registration.register(session, make_appointee(), actor=None,
                                     now=NOW + timedelta(hours=3))
    assert [rows[1].status, newcomer.status] == ["registered", "waitlisted"]
    promoted, = outbox("session_notice")[mails:]
    assert promoted.recipient == leaver.email and promoted.locale == "fr"
    assert methods([promoted]) == ["REQUEST"]


def test_a_group_registered_beside_free_seats_comes_after_who_may_take_one(
        make_session, make_appointee, make_person, coordinator):
    """As for one newcomer: of two free seats, the leaver appointed again (nothing
    announced) takes one first, then the group fills the other and waits for the rest; its
    preview said as much."""
    session = make_session(capacity=3, starts_in=timedelta(days=60))
    seated = [make_appointee() for _ in range(3)]
    leaver, appointment = _alternate_since_last_year(make_person, coordinator)
    rows = [registration.register(session, p, actor=None, now=NOW + timedelta(minutes=n))
            for n, p in enumerate((*seated, leaver))]
    _end_ahead("end", appointment, make_person, coordinator)
    for row in rows[:2]:
        registration.cancel(row, actor=None, now=NOW + timedelta(hours=1))
    _appoint_unannounced(leaver, coordinator)
    group = [make_appointee(), make_appointee()]
    later = NOW + timedelta(hours=3)
    preview = registration.preview_group(session, [p.id for p in group], now=later)
    assert (preview["seats_left"], preview["registered"], preview["waitlisted"]) == (2, 1, 1)
    counts = registration.register_group(session, group, actor=coordinator, now=later)
    assert (counts[RegistrationStatus.registered], counts[RegistrationStatus.waitlisted]) == \
        (1, 1)
    assert rows[3].status == "registered" and registration.seats_left(session) == 0
    assert registration.waitlist(session) == [registration.registration_of(session, group[1])]


def _leaver_beside_a_free_seat(session, make_appointee, make_person, coordinator,
                               email="outgoing@undp.org"):
    """In `session` (a seat for one, on 30 April), the UNDP alternate waits behind the one
    seated; their last day, 31 March, is entered ahead; the one seated withdraws: the seat
    stays free beside the leaver, passed over. Returns (the leaver, their registration)."""
    seated = make_appointee()
    leaver, appointment = _alternate_since_last_year(make_person, coordinator, email=email)
    rows = [registration.register(session, p, actor=None, now=NOW + timedelta(minutes=n))
            for n, p in enumerate((seated, leaver))]
    registry.end_appointment(appointment, reason="left_entity",
                             ended_on=TODAY + timedelta(days=30), actor=coordinator, now=NOW)
    registration.cancel(rows[0], actor=None, now=NOW + timedelta(hours=1))
    assert rows[1].status == "waitlisted" and registration.seats_left(session) == 1
    return leaver, rows[1]


def _appoint_again(person, coordinator, *, now):
    return registry.appoint(person, {"role": "alternate", "entity": entity("UNICEF"),
                                     "unct": None, "start_date": now.date()},
                            actor=coordinator, now=now)


def test_a_leaver_appointed_again_takes_the_free_seat_as_they_are_appointed(
        make_session, make_appointee, make_person, coordinator):
    """The leaver waits beside a free seat, passed over. The Office appoints them again
    (UNICEF's alternate): the seat is theirs at once, as any promotion, told in their
    language with the invitation, without waiting for someone else to register or withdraw."""
    session = make_session(capacity=1, starts_in=timedelta(days=60))
    leaver, waiting = _leaver_beside_a_free_seat(session, make_appointee, make_person,
                                                 coordinator)
    leaver.preferred_language = "fr"
    mails = len(outbox("session_notice"))
    _appoint_again(leaver, coordinator, now=NOW + timedelta(hours=2))
    assert waiting.status == "registered", "the leaver appointed again waits beside a free seat"
    assert registration.seats_left(session) == 0
    promoted, = outbox("session_notice")[mails:]
    assert promoted.recipient == leaver.email and promoted.locale == "fr"
    assert methods([promoted]) == ["REQUEST"]
    event, = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "registration.promote", AuditEvent.object_id == waiting.id))
    assert event.actor_id == coordinator.id
    newcomer = registration.register(session, make_appointee(), actor=None,
                                     now=NOW + timedelta(hours=3))
    assert newcomer.status == "waitlisted"


def test_an_appointment_fills_only_the_upcoming_sessions_the_person_waits_for(
        make_session, make_appointee, make_person, coordinator):
    """The leaver waits beside a free seat in two sessions, on 30 April and 30 May, and in a
    third one that the Office has cancelled since. Appointed again once the first has
    started, they get the seat of the second only: a session under way invites nobody, and a
    cancelled one has closed its waiting list."""
    sessions = [make_session(capacity=1, starts_in=timedelta(days=days))
                for days in (60, 90, 90)]
    leaver, appointment = _alternate_since_last_year(make_person, coordinator)
    rows = []
    for session in sessions:
        for n, person in enumerate((make_appointee(), leaver)):
            rows.append(registration.register(session, person, actor=None,
                                              now=NOW + timedelta(minutes=n)))
    registry.end_appointment(appointment, reason="left_entity",
                             ended_on=TODAY + timedelta(days=30), actor=coordinator, now=NOW)
    for seated in rows[::2]:
        registration.cancel(seated, actor=None, now=NOW + timedelta(hours=1))
    waiting = rows[1::2]
    assert [row.status for row in waiting] == ["waitlisted"] * 3
    services.cancel_session(sessions[2], reason="The trainer is unavailable.", actor=coordinator,
                            now=NOW + timedelta(hours=2))
    _appoint_again(leaver, coordinator, now=sessions[0].starts_at + timedelta(hours=3))
    assert [row.status for row in waiting] == ["waitlisted", "registered", "waitlisted"]


def test_a_leaver_appointed_again_by_an_import_takes_the_free_seat(
        make_session, make_appointee, make_person, coordinator):
    """The registry's import appoints the leaver again (in its batch, nothing is written
    before its end): the free seat is theirs as well, with the invitation."""
    session = make_session(capacity=1, starts_in=timedelta(days=60))
    leaver, waiting = _leaver_beside_a_free_seat(session, make_appointee, make_person,
                                                 coordinator)
    mails = len(outbox("session_notice"))
    report = applying.apply_import(reading.read_table("people.csv", csv_bytes([{
        "given_name": leaver.given_name, "family_name": leaver.family_name,
        "email": leaver.email, "entity": "UNDP", "role": "alternate",
        "appointment_entity": "UNICEF", "start_date": TODAY.isoformat()}])),
        actor=coordinator, now=NOW + timedelta(hours=2))
    assert report.ok, report.errors
    assert waiting.status == "registered", "the leaver appointed again waits beside a free seat"
    promoted, = outbox("session_notice")[mails:]
    assert promoted.recipient == leaver.email and methods([promoted]) == ["REQUEST"]


@pytest.mark.parametrize("last_day", [TODAY - timedelta(days=30), TODAY + timedelta(days=30)])
def test_the_office_adds_nobody_after_their_last_day(last_day, make_session, make_person,
                                                    coordinator):
    """The Office may add anyone to a session, in its audience or not, but not a leaver: an
    alternate whose last day, 30 January (gone already) or 31 March (entered ahead), comes
    before the session on 30 April. Refused, naming the day: no seat, no email. The session
    before their last day, and a person never appointed, are added as before."""
    person, appointment = _alternate_since_last_year(make_person, coordinator)
    registry.end_appointment(appointment, reason="left_entity", ended_on=last_day,
                             actor=coordinator, now=NOW)
    session = make_session(starts_in=timedelta(days=60))
    error = refused("term_over", registration.register, session, person, actor=coordinator,
                    now=NOW, by_coordinator=True)
    assert format_date(last_day, "long", locale="en") in str(error.message)
    assert registration.registration_of(session, person) is None
    assert outbox("session_notice") == []
    if last_day > TODAY:
        sooner = make_session(starts_in=timedelta(days=10))
        assert registration.register(sooner, person, actor=coordinator, now=NOW,
                                     by_coordinator=True).status == "registered"
    assert registration.register(session, make_person(), actor=coordinator, now=NOW,
                                 by_coordinator=True).status == "registered"


@pytest.mark.parametrize("zone, admitted", [("America/Bogota", True), ("Europe/Zurich", False)])
def test_the_last_day_is_compared_with_the_sessions_first_day_where_it_is_held(
        zone, admitted, make_session, make_person, coordinator):
    """A session at midnight (UTC) after the alternate's last day, 31 March: on the evening
    of 31 March in Bogotá, on 1 April in Geneva."""
    person, appointment = _alternate_since_last_year(make_person, coordinator)
    _end_ahead("end", appointment, make_person, coordinator)
    session = make_session(starts_in=timedelta(days=30, hours=12), time_zone=zone)
    assert registration.in_audience(session, person, today=TODAY) is admitted
    __, place, __ = session_and_place(session.id, person, today=TODAY)
    assert place.in_audience is admitted


@pytest.mark.parametrize("audience, roles, admitted", [
    (Audience.both, {"alternate"}, True), (Audience.focal_points, {"alternate"}, False),
    (Audience.alternates, {"focal_point", "alternate"}, True), (Audience.both, set(), False)])
def test_an_audience_admits_the_holders_of_its_roles(audience, roles, admitted):
    assert audience.admits(roles) is admitted
    assert (audience in Audience.admitting(roles)) is admitted


def test_a_material_change_reinvites_each_registered_person_once(make_session, make_appointee,
                                                                  coordinator):
    session = make_session(capacity=2)
    people = [make_appointee() for _ in range(3)]
    for person in people:
        registration.register(session, person, actor=None, now=NOW)
    assert services.notified_by_change(session) == (2, 0)  # two people, no guest
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    changes, notified, job = services.update_session(
        session, {"starts_at": session.starts_at + timedelta(hours=1),
                  "ends_at": session.ends_at + timedelta(hours=1)}, actor=coordinator, now=NOW)
    assert notified == (2, 0) and job is None  # a few people: notified at once
    assert session.ical_sequence == 1 and "starts_at" in changes
    new = outbox("session_notice")[before:]
    assert sorted(m.recipient for m in new) == sorted(p.email for p in people[:2])
    assert methods(new) == ["REQUEST", "REQUEST"]
    # Seats or a description are not material: no new invitation, same SEQUENCE.
    services.update_session(session, {"description_en": "More detail."}, actor=coordinator,
                            now=NOW)
    assert session.ical_sequence == 1 and len(outbox("session_notice")) == before + 2


def _calendar_of(person):
    """(METHOD, SEQUENCE, UID) of each calendar email sent to `person`, in order."""
    found = []
    for message in outbox("session_notice"):
        if message.recipient == person.email and message.parts:
            cal = Calendar.from_ical(base64.b64decode(message.parts[0]["data"]))
            event, = cal.walk("VEVENT")
            found.append((str(cal["METHOD"]), int(event["SEQUENCE"]), str(event["UID"])))
    return found


@pytest.mark.parametrize("left, again", [
    ("withdrew", "registers"), ("removed", "re-added"), ("withdrew", "in a group"),
    ("removed", "in a group"), ("withdrew", "promoted")])
def test_an_invitation_after_a_cancelled_place_carries_a_higher_sequence(
        make_session, make_appointee, coordinator, left, again):
    """Calendar clients (Outlook) ignore a REQUEST whose SEQUENCE is not above the CANCEL they
    applied for the same UID: a place given again after its cancellation raises the session's
    SEQUENCE, which the new invitation carries. Nobody else is written to."""
    session = make_session(capacity=3 if again == "in a group" else 2)
    person, other = make_appointee(), make_appointee()
    registration.register(session, other, actor=None, now=NOW)
    row = registration.register(session, person, actor=None, now=NOW)
    by_office = left == "removed"
    registration.cancel(row, actor=coordinator if by_office else None,
                        by_coordinator=by_office, now=NOW + timedelta(minutes=1))
    later = NOW + timedelta(minutes=2)
    if again == "registers":
        registration.register(session, person, actor=None, now=later)
    elif again == "re-added":
        registration.register(session, person, actor=coordinator, by_coordinator=True,
                              now=later)
    elif again == "in a group":  # somebody placed before them is invited with them
        newcomer = make_appointee()
        registration.register_group(session, [newcomer, person], actor=coordinator,
                                    now=later)
        assert _calendar_of(newcomer)[0][:2] == ("REQUEST", 1)
        assert registration.registration_of(session, newcomer).invited_sequence == 1
    else:  # the seat went to somebody else; they wait, and it is freed again
        newcomer = registration.register(session, make_appointee(), actor=None, now=later)
        assert registration.register(session, person, actor=None, now=later).status == \
            RegistrationStatus.waitlisted
        registration.cancel(newcomer, actor=None, now=later)
    assert registration.registration_of(session, person).status == RegistrationStatus.registered
    events = _calendar_of(person)
    assert [method for method, _sequence, _uid in events] == ["REQUEST", "CANCEL", "REQUEST"]
    assert len({uid for _method, _sequence, uid in events}) == 1
    (_r, first, _u), (_c, cancel, _u), (_a, sequence, _u) = events
    assert (first, cancel) == (0, 0) and sequence > cancel
    assert sequence == session.ical_sequence == 1  # what the feed and every mail now carry
    assert registration.registration_of(session, person).invited_sequence == 1
    assert _calendar_of(other) == [("REQUEST", 0, events[0][2])]


def test_the_feed_carries_the_sequence_raised_above_a_cancellation(make_session,
                                                                   make_appointee):
    """The personal feed carries the session's SEQUENCE, as the mails do: the same as the
    invitation sent above the cancellation, and for everyone else registered the higher
    number too (their calendar client fetches the feed once more; nobody is mailed)."""
    session = make_session(capacity=2)
    person, other = make_appointee(), make_appointee()
    users = [User(email=p.email, person=p, is_active=True, locale="en") for p in (person, other)]
    db.session.add_all(users)
    registration.register(session, other, actor=None, now=NOW)
    row = registration.register(session, person, actor=None, now=NOW)
    db.session.flush()
    tag = feed.feed_for(users[1])[0]
    registration.cancel(row, actor=None, now=NOW)
    mails = len(outbox())
    registration.register(session, person, actor=None, now=NOW)
    assert len(outbox()) == mails + 1
    for user in users:
        event, = Calendar.from_ical(feed.feed_for(user)[1]()).walk("VEVENT")
        assert event["SEQUENCE"] == _calendar_of(person)[-1][1] == 1
    assert feed.feed_for(users[1])[0] != tag

def test_the_sequence_is_raised_only_above_a_cancellation_that_carries_it(
        make_session, make_appointee, coordinator):
    """No cancellation to outrank (a place left on the waiting list, never invited), or one
    that a later change already outranks: the session's SEQUENCE stays as it is."""
    session = make_session(capacity=1)
    leaving, waiting = make_appointee(), make_appointee()
    seat = registration.register(session, leaving, actor=None, now=NOW)
    registration.cancel(registration.register(session, waiting, actor=None, now=NOW),
                        actor=None, now=NOW)  # left the waiting list: no email
    registration.cancel(seat, actor=None, now=NOW)
    registration.register(session, waiting, actor=None, now=NOW)
    assert session.ical_sequence == 0
    services.update_session(session, {"title_en": "The guidelines in practice", "capacity": 2},
                            actor=coordinator, now=NOW)
    registration.register(session, leaving, actor=None, now=NOW)
    assert session.ical_sequence == 1
    assert [e[:2] for e in _calendar_of(leaving)] == [
        ("REQUEST", 0), ("CANCEL", 0), ("REQUEST", 1)]
    assert [e[:2] for e in _calendar_of(waiting)] == [("REQUEST", 0), ("REQUEST", 1)]


def _invitation(message):
    return base64.b64decode(message.parts[0]["data"]).decode()


def test_a_cancellation_takes_the_join_link_away_and_cancels_the_session_only_when_it_is(
        make_session, make_appointee, coordinator):
    """RFC 5546: STATUS:CANCELLED cancels the whole event; uninviting one person must leave
    STATUS out. Neither message hands on the link of a session its reader no longer joins (the
    email's text already leaves it out)."""
    session = make_session(capacity=2)
    leaving, staying = make_appointee(), make_appointee()
    seat = registration.register(session, leaving, actor=None, now=NOW)
    registration.register(session, staying, actor=None, now=NOW)
    assert "meet.example.org" in _invitation(outbox("session_notice")[-1])
    registration.cancel(seat, actor=None, now=NOW)
    withdrawn = _invitation(outbox("session_notice")[-1])
    assert "METHOD:CANCEL" in withdrawn and "STATUS:" not in withdrawn
    assert "meet.example.org" not in withdrawn
    services.cancel_session(session, reason="Speaker ill", actor=coordinator, now=NOW)
    cancelled = _invitation(outbox("session_notice")[-1])
    assert "METHOD:CANCEL" in cancelled and "STATUS:CANCELLED" in cancelled
    assert "meet.example.org" not in cancelled


def test_cancelling_the_session_sends_cancel_to_everyone_registered(make_session, make_appointee,
                                                                    coordinator):
    session = make_session(capacity=1)
    seated, waiting = make_appointee(), make_appointee()
    registration.register(session, seated, actor=None, now=NOW)
    registration.register(session, waiting, actor=None, now=NOW)
    assert services.cancel_session(session, reason="Speaker ill", actor=coordinator,
                                   now=NOW) == ((1, 0), None)
    assert session.status == SessionStatus.cancelled and session.ical_sequence == 1
    last = outbox("session_notice")[-1]
    assert last.recipient == seated.email and methods([last]) == ["CANCEL"]
    # The people told of the cancellation read why, and the session page says it too.
    assert session.cancellation_reason == "Speaker ill"
    assert "Speaker ill" in last.body_text and "Speaker ill" in last.body_html
    # In the text part, the reason has a line of its own and the session's title a paragraph.
    assert "calendar.\nReason given: Speaker ill\n\n" in last.body_text
    refused("cancelled", services.update_session, session, {"capacity": 5}, actor=coordinator)


def test_a_cancellation_raises_the_stored_sequence_not_the_one_read_before(
        make_session, make_appointee, coordinator):
    """Another request raised the SEQUENCE after this one read the session (a guest invited
    back above their cancellation): the session's cancellation is sent above both."""
    session, person = make_session(), make_appointee()
    registration.register(session, person, actor=None, now=NOW)
    db.session.commit()
    assert session.ical_sequence == 0
    with db.engine.begin() as other:
        other.execute(update(TrainingSession).values(ical_sequence=1))
    services.cancel_session(session, reason="Speaker ill", actor=coordinator, now=NOW)
    assert session.ical_sequence == 2
    assert _calendar_of(person)[-1][:2] == ("CANCEL", 2)

def test_every_invitation_is_valid_for_libical_and_icalendar(make_session, make_appointee,
                                                            coordinator):
    session = make_session(capacity=3)
    staying, leaving = make_appointee(), make_appointee()
    for person in (staying, leaving):
        registration.register(session, person, actor=None, now=NOW)
    registration.cancel(registration.registration_of(session, leaving), actor=None, now=NOW)
    services.update_session(session, {"starts_at": session.starts_at + timedelta(hours=1),
                                      "ends_at": session.ends_at + timedelta(hours=1)},
                            actor=coordinator, now=NOW)
    services.cancel_session(session, reason="Speaker ill", actor=coordinator, now=NOW)
    messages = outbox("session_notice")
    assert methods(messages) == ["REQUEST", "REQUEST", "CANCEL", "REQUEST", "CANCEL"]
    for message in messages:
        for part in message.parts:
            data = base64.b64decode(part["data"])
            assert libical_errors(data) == []
            for zone in Calendar.from_ical(data).walk("VTIMEZONE"):
                assert "COMMENT" not in zone


def test_publishing_needs_the_join_link_of_an_online_session(make_session, coordinator):
    session = make_session(publish=False, join_url=None)
    refused("join_url_required", services.publish_session, session, actor=coordinator)


def test_a_session_moved_online_keeps_no_venue_for_its_invitations(make_session, coordinator):
    """A hybrid session moved online with its venue still filled in would send invitations
    naming the place: the change is refused, and the session stays as it was."""
    session = make_session(format="hybrid", venue="UN House, Dakar")
    db.session.commit()
    refused_rollback("venue_of_online_session", services.update_session, session,
                     {"format": "virtual"}, actor=coordinator, now=NOW)
    assert (session.format, session.venue) == ("hybrid", "UN House, Dakar")
    services.update_session(session, {"format": "virtual", "venue": None},
                            actor=coordinator, now=NOW)
    assert (session.format, session.venue) == ("virtual", None)


def test_the_series_registers_where_there_is_room(make_session, make_appointee, coordinator):
    series = services.create_series({"title_en": "Global Annual Meeting 2027"},
                                    actor=coordinator)
    days = [make_session(capacity=c, series_id=series.id, starts_in=timedelta(days=20 + n))
            for n, c in enumerate((5, 0, 5))]
    db.session.refresh(series)
    done, skipped, after_last_day = registration.register_series(series, make_appointee(),
                                                                  actor=None, now=NOW)
    assert done == [days[0], days[2]] and skipped == [days[1]] and after_last_day == {}
    assert registration.registered_count(days[1]) == 0
    assert registration.waitlist(days[1]) == []


def test_a_series_registration_whose_request_fails_later_leaves_no_seat_taken(
        make_session, make_appointee, coordinator):
    """Undone whole when the request fails further on: on SQLite the savepoint of the first
    session was the request's whole transaction when nothing had been written before it, and
    its release committed that seat alone."""
    series = services.create_series({"title_en": "Global Annual Meeting 2027"},
                                    actor=coordinator)
    days = [make_session(series_id=series.id, starts_in=timedelta(days=20 + n))
            for n in range(2)]
    person = make_appointee()
    db.session.commit()
    done, _skipped, _after = registration.register_series(series, person, actor=None, now=NOW)
    assert done == days
    db.session.rollback()  # what the request's failure does
    assert [registration.registered_count(day) for day in days] == [0, 0]


def test_a_seat_already_held_in_a_full_session_counts_as_registered(make_session,
                                                                      make_appointee,
                                                                      coordinator):
    """Registering for the whole series after taking the last seat of one of its sessions:
    that session is among those the person is registered for, not those with no seat left."""
    series = services.create_series({"title_en": "Global Annual Meeting 2027"},
                                    actor=coordinator)
    days = [make_session(capacity=1, series_id=series.id, starts_in=timedelta(days=20 + n))
            for n in range(2)]
    db.session.refresh(series)
    person = make_appointee()
    registration.register(days[0], person, actor=None, now=NOW)
    assert registration.register_series(series, person, actor=None, now=NOW) == (days, [], {})


def test_a_group_is_registered_up_to_the_seats(make_session, make_appointee, coordinator):
    session = make_session(capacity=2)
    people = [make_appointee() for _ in range(3)]
    counts = registration.register_group(session, people, actor=coordinator, now=NOW)
    assert counts[RegistrationStatus.registered] == 2
    assert counts[RegistrationStatus.waitlisted] == 1
    assert counts["invitations"] == 2 and len(outbox("session_notice")) == 2


def test_only_a_person_who_signs_in_gets_the_link_to_the_session(app, make_session,
                                                                  make_appointee, coordinator):
    """A person may be registered by the Office without an account (DESIGN §2), or have one
    they cannot sign in with (invited, not yet activated; deactivated): the session's page is
    behind a sign-in they cannot pass, so their notice names the Office's mailbox instead. A
    group is asked about at once, not person by person."""
    member, invited, nobody = (make_appointee() for _ in range(3))
    db.session.add_all([User(email=member.email, person=member, is_active=True),
                        User(email=invited.email, person=invited, is_active=False)])
    session = make_session(starts_in=timedelta(hours=20))
    asked = []

    def ask(_sender, *, person_ids, **_extra):
        asked.append(person_ids)
        return set()
    with people_signing_in.connected_to(ask):
        registration.register_group(session, [member, invited, nobody], actor=coordinator,
                                    now=NOW)
    mails = {mail.recipient: mail for mail in outbox("session_notice")}
    link, office = f"/sessions/{session.id}", app.config["ORGANIZER_EMAIL"]
    assert link in mails[member.email].body_text and link in mails[member.email].body_html
    for person in (invited, nobody):
        mail = mails[person.email]
        assert link not in mail.body_text and link not in mail.body_html, mail.body_text
        assert office in mail.body_text and office in mail.body_html
    assert len(asked) == 1
    services.send_reminders(now=NOW)
    reminders = {m.recipient: m for m in outbox("session_notice") if m.subject.startswith("Rem")}
    assert link in reminders[member.email].body_text
    assert link not in reminders[nobody.email].body_text
    assert office in reminders[nobody.email].body_text


def test_reminders_go_once_to_the_registered(make_session, make_appointee):
    soon = make_session(starts_in=timedelta(hours=20))
    later = make_session(starts_in=timedelta(days=3))
    person = make_appointee()
    registration.register(soon, person, actor=None, now=NOW)
    registration.register(later, person, actor=None, now=NOW)
    assert services.send_reminders(now=NOW) == 1
    assert services.send_reminders(now=NOW) == 0
    assert outbox("session_notice")[-1].subject.startswith("Reminder")


def test_a_session_moved_after_its_reminder_is_reminded_again(make_session, make_appointee,
                                                              coordinator):
    """The reminder is of the session's start: moved to next week after its reminder went,
    the session is reminded again the day before its new start."""
    session = make_session(starts_in=timedelta(hours=20))
    person = make_appointee()
    registration.register(session, person, actor=None, now=NOW)
    assert services.send_reminders(now=NOW) == 1
    week = timedelta(days=7)
    services.update_session(session, {"starts_at": session.starts_at + week,
                                       "ends_at": session.ends_at + week},
                            actor=coordinator, now=NOW + timedelta(hours=1))
    assert services.send_reminders(now=NOW + timedelta(hours=2)) == 0  # not due yet
    assert services.send_reminders(now=NOW + week) == 1
    assert services.send_reminders(now=NOW + week) == 0
    reminder = outbox("session_notice")[-1]
    assert reminder.recipient == person.email and reminder.subject.startswith("Reminder")


def test_the_feed_address_changes_and_stops_with_the_account_or_the_last_term(
        make_appointee, coordinator, create_user):
    person = make_appointee()
    user = User(email=person.email, person=person, is_active=True, locale="en")
    db.session.add(user)
    db.session.flush()
    old = accounts.regenerate_calendar_token(user)
    new = accounts.regenerate_calendar_token(user)
    assert accounts.user_for_calendar_token(old) is None
    assert accounts.user_for_calendar_token(new) == user
    appointment, = person.active_appointments
    # Ended as of yesterday: its last day has passed (a term ended ahead keeps the feed until
    # its last day: test_a_term_ended_ahead_keeps_the_feed_until_its_last_day).
    registry.end_appointment(appointment, reason="left_entity",
                             ended_on=TODAY - timedelta(days=1), actor=coordinator, now=NOW)
    db.session.refresh(user)
    assert user.calendar_token_hash is None
    # It cannot be started again without an appointment: it would undo the stop.
    with pytest.raises(DomainError) as refused:
        accounts.regenerate_calendar_token(user, now=NOW)
    assert refused.value.code == "no_active_appointment" and user.calendar_token_hash is None
    registry.appoint(person, {"role": "alternate", "entity": appointment.entity, "unct": None},
                     actor=coordinator, now=NOW)
    newest = accounts.regenerate_calendar_token(user)
    accounts.deactivate_user(user, actor=coordinator, now=NOW)
    assert accounts.user_for_calendar_token(newest) is None


def _with_feed(person):
    user = User(email=person.email, person=person, is_active=True, locale="en")
    db.session.add(user)
    db.session.flush()
    accounts.regenerate_calendar_token(user, now=NOW)
    return user


@pytest.mark.parametrize("how", ["end", "replace"])
def test_a_term_ended_ahead_keeps_the_feed_until_its_last_day(how, make_person, coordinator):
    """DESIGN §2: the feed stops when the last appointment ends, not when its end is entered:
    ended or replaced ahead, the term is held thirty days more (coverage counts it), and the
    feed goes on, and may be started again, until its last day."""
    person, appointment = _alternate_since_last_year(make_person, coordinator)
    user = _with_feed(person)
    _end_ahead(how, appointment, make_person, coordinator)
    db.session.refresh(user)
    assert user.calendar_token_hash is not None, "revoked while the term is still held"
    last_day = TODAY + timedelta(days=30)
    assert accounts.may_subscribe_to_calendar(user, today=last_day)
    assert not accounts.may_subscribe_to_calendar(user, today=last_day + timedelta(days=1))
    assert accounts.user_for_calendar_token(
        accounts.regenerate_calendar_token(user, now=NOW)) == user


def test_the_invitation_email_carries_the_calendar_twice(make_session, make_appointee):
    from gfp_portal.core.transports import build_mime

    registration.register(make_session(), make_appointee(), actor=None, now=NOW)
    mime = build_mime(outbox("session_notice")[0])
    calendar_parts = [part for part in mime.walk()
                      if part.get_content_type() == "text/calendar"]
    assert calendar_parts and calendar_parts[0].get_param("method") == "REQUEST"
    attachment, = [part for part in mime.walk() if part.get_filename() == "invite.ics"]
    assert b"METHOD:REQUEST" in attachment.get_payload(decode=True)


def test_the_reminder_command(app, runner, make_session, make_appointee):
    registration.register(make_session(starts_in=timedelta(hours=2)), make_appointee(),
                          actor=None, now=NOW)
    db.session.commit()
    result = runner.invoke(args=["sessions", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert "Session reminders sent:" in result.output


def test_an_invitation_for_a_title_with_a_line_break_can_be_delivered(make_session,
                                                                        make_appointee):
    from gfp_portal.core.transports import build_mime

    # A title written before forms kept titles on one line, or through an import.
    session = make_session(title_en="Bystander intervention\r\nDay 2")
    registration.register(session, make_appointee(), actor=None, now=NOW)
    message, = outbox("session_notice")
    assert "\n" not in message.subject and "\r" not in message.subject
    assert build_mime(message)["Subject"].endswith("Bystander intervention Day 2")


def test_a_session_is_cancelled_only_with_a_reason(make_session, coordinator):
    session = make_session()
    for reason in (None, "", "   "):
        refused("reason_required", services.cancel_session, session, reason=reason,
                actor=coordinator, now=NOW)
    assert session.status == SessionStatus.published


def test_only_a_draft_nobody_registered_for_is_deleted(make_session, coordinator):
    published = make_session()
    refused("not_deletable", services.delete_draft, published, actor=coordinator, now=NOW)
    draft = make_session(publish=False)
    services.delete_draft(draft, actor=coordinator, now=NOW)
    assert db.session.get(TrainingSession, draft.id) is None


ISOLATES = ("\u2066", "\u2069")


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_plain_text_mail_and_calendar_text_carry_no_isolate_marks(make_session, make_appointee,
                                                                  language):
    """The offset "(UTC+3)" is isolated on pages and in HTML mail; in the plain-text mail and
    the invitation's text many programs would show the marks as boxes."""
    person = make_appointee(language=language, zone="Africa/Nairobi")
    registration.register(make_session(), person, actor=None, now=NOW)
    message, = outbox("session_notice")
    event = Calendar.from_ical(base64.b64decode(message.parts[0]["data"])).walk("VEVENT")[0]
    plain = [message.subject, message.body_text, str(event["SUMMARY"]),
             str(event["DESCRIPTION"])]
    assert "(UTC+3)" in message.body_text and "(UTC+3)" in str(event["DESCRIPTION"])
    assert [text for text in plain if any(mark in text for mark in ISOLATES)] == []
    assert "(\u2066UTC+3\u2069)" in message.body_html


def test_a_session_across_a_clock_change_names_the_offset_of_its_end_too(make_session,
                                                                        make_appointee):
    """A meeting in Geneva from Friday 26 March 2027 09:00 (UTC+1) to Monday 29 March 17:00:
    Europe moves its clocks on the Sunday, so it ends at 17:00 UTC+2. Labelled with the
    offset of its start only, its end reads an hour late to whoever converts it."""
    session = make_session(starts_at=datetime(2027, 3, 26, 8, 0, tzinfo=UTC),
                           ends_at=datetime(2027, 3, 29, 15, 0, tzinfo=UTC),
                           format="in_person", join_url=None, venue="Palais des Nations")
    registration.register(session, make_appointee(zone="Europe/Zurich"), actor=None, now=NOW)
    message, = outbox("session_notice")
    event = Calendar.from_ical(base64.b64decode(message.parts[0]["data"])).walk("VEVENT")[0]
    changing = "5:00\u202fPM (Mar 29, 2027) Zurich (UTC+1 → UTC+2)"
    assert changing in message.body_text and changing in str(event["DESCRIPTION"]), \
        message.body_text
    # On a page the two offsets read left to right as one, in Arabic too.
    assert spans(session, "Europe/Zurich", "ar")[0].endswith("(\u2066UTC+1 → UTC+2\u2069)")
    # Within one offset, one is named.
    assert spans(make_session(), "Europe/Zurich", "en", isolate=False)[0].endswith(
        "Zurich (UTC+1)")


def test_a_title_in_another_language_than_the_email_is_marked_as_such(make_session,
                                                                      make_appointee):
    """An Arabic email giving a title kept in English only: the title says its language and
    reads in its own direction, so that "(Day 2)" is not turned around in a right-to-left
    email."""
    session = make_session(title_en="Bystander intervention (Day 2)", title_fr=None)
    registration.register(session, make_appointee(language="ar"), actor=None, now=NOW)
    registration.register(session, make_appointee(language="en"), actor=None, now=NOW)
    arabic, english = outbox("session_notice")
    assert '<h2 style="font-size: 18px;" lang="en" dir="auto">Bystander intervention (Day 2)' \
        in arabic.body_html
    assert 'lang="en" dir="auto">Bystander intervention (Day 2)' in english.body_html


def test_registration_must_open_before_the_session_starts(make_session, coordinator):
    """Opening the day after the start, nobody could ever register, and the page would
    announce an opening after the session; moving the session before its opening is refused
    the same way."""
    session = make_session(publish=False)
    refused_rollback("window_after_start", services.update_session, session,
                     {"registration_opens_at": session.starts_at + timedelta(days=1)},
                     actor=coordinator, now=NOW)
    session = make_session(publish=False)
    services.update_session(session, {"registration_opens_at": NOW + timedelta(days=5)},
                            actor=coordinator, now=NOW)
    refused("window_after_start", services.update_session, session,
            {"starts_at": NOW + timedelta(days=4), "ends_at": NOW + timedelta(days=4, hours=2)},
            actor=coordinator, now=NOW)
