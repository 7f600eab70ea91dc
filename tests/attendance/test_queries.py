"""The read-only queries of attendance."""
import functools
from datetime import date, timedelta

from sqlalchemy import select

from gfp_portal.attendance import queries, services
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Region, Unct
from gfp_portal.registry import services as registry
from gfp_portal.sessions import registration
from gfp_portal.sessions.models import Audience, RegistrationStatus


def place_of(session, person):
    found, place, more = queries.session_and_place(session.id, person)
    assert found is session and more == ()
    return place


def test_the_place_of_a_viewer_in_a_session(held, coordinator, make_person):
    session, people = held
    services.mark(next(r for r in session.registrations if r.person == people["Amina"]),
                  "present", minutes=90, actor=coordinator)
    amina = place_of(session, people["Amina"])
    assert amina.registration.person == people["Amina"]
    assert (amina.attendance.status, amina.taken, amina.in_audience) == ("present", 4, True)

    zoe = place_of(session, people["Zoe"])
    assert zoe.registration.status == RegistrationStatus.waitlisted and zoe.attendance is None

    outsider = place_of(session, make_person())  # no appointment: not in the audience
    assert (outsider.registration, outsider.attendance, outsider.taken,
            outsider.in_audience) == (None, None, 4, False)
    office = place_of(session, None)
    assert (office.registration, office.in_audience, office.taken) == (None, False, 4)


def test_a_viewer_is_in_the_audience_when_they_hold_a_role_it_names(held, make_appointee):
    session, people = held  # every one of them an alternate
    focal_point = make_appointee(role="focal_point", given="Grace")
    for audience, amina, grace in ((Audience.both, True, True),
                                   (Audience.alternates, True, False),
                                   (Audience.focal_points, False, True)):
        session.audience = audience
        db.session.flush()
        assert place_of(session, people["Amina"]).in_audience is amina, audience
        assert place_of(session, focal_point).in_audience is grace, audience


def test_a_group_takes_a_holder_whose_end_of_term_is_entered_ahead_until_their_last_day(
        ctx, reference, make_appointee, coordinator):
    """The Office registers the alternates of UNDP: one whose end of term was entered ahead
    still holds the role, and is of the group until their last day, not after it."""
    staying, leaving = make_appointee(), make_appointee(given="Leila")
    today = date.today()
    registry.end_appointment(leaving.appointments[0], reason="left_entity",
                             ended_on=today + timedelta(days=10), actor=coordinator)
    members = functools.partial(queries.group_members, roles=("alternate",), entity="UNDP")
    assert members() == [staying.id, leaving.id]
    assert members(today=today + timedelta(days=10)) == [staying.id, leaving.id]
    assert members(today=today + timedelta(days=11)) == [staying.id]


def test_no_session_has_no_place(held):
    session, people = held
    assert queries.session_and_place(session.id + 1000, people["Amina"]) == (None, None, ())


def test_the_people_trained_each_year_are_counted_once_under_their_latest_appointment(
        held, coordinator, make_session, make_person):
    session, people = held  # 15 March 2027; every one of them a UNDP alternate at headquarters
    later = make_session(capacity=4)
    outsider = make_person(given="Olga")  # no appointment
    for person in (people["Amina"], outsider):
        registration.register(later, person, actor=None, by_coordinator=True, notify=False)
    later.starts_at, later.ends_at = (session.starts_at.replace(month=6),
                                      session.ends_at.replace(month=6))
    db.session.flush()
    # Jonas's latest appointment is in Kenya's team, for UNICEF.
    unicef = db.session.scalars(select(Entity).filter_by(acronym="UNICEF")).one()
    kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    kenya.members = [unicef]
    registry.appoint(people["Jonas"], {"role": "focal_point", "entity": unicef, "unct": kenya},
                     actor=coordinator)
    marks = {(session, "Amina"): "present", (session, "Jonas"): "partial",
             (session, "Li"): "absent", (later, "Amina"): "present", (later, "Olga"): "present"}
    for (one, given), status in marks.items():
        services.mark(next(r for r in one.registrations if r.person.given_name == given),
                      status, minutes=90, actor=coordinator)
    undp_type = people["Amina"].appointments[0].entity.type
    assert sorted(queries.trained_per_year(), key=str) == sorted([
        (2027, None, undp_type, True, 1),          # Amina, at two sessions: once
        (2027, Region.africa, unicef.type, True, 1),  # Jonas, under his latest appointment
        (2027, None, None, False, 1),              # Olga, without any appointment
    ], key=str)


def test_a_team_lists_as_trained_a_holder_whose_end_of_term_is_entered_ahead_until_their_last_day(
        held, coordinator):
    """The Resident Coordinator's list of who was trained in their team: an alternate whose
    end of term was entered ahead still holds the role, and stays on it until their last
    day, not after it."""
    session, people = held  # 15 March 2027
    kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    undp = people["Amina"].appointments[0].entity
    kenya.members = [undp]
    for given in ("Amina", "Jonas"):
        registry.appoint(people[given], {"role": "alternate", "entity": undp, "unct": kenya},
                         actor=coordinator)
        services.mark(next(r for r in session.registrations if r.person == people[given]),
                      "present", minutes=90, actor=coordinator)
    leaving = next(a for a in people["Jonas"].appointments if a.unct == kenya)
    today = date.today()
    registry.end_appointment(leaving, reason="left_entity", ended_on=today + timedelta(days=10),
                             actor=coordinator)
    trained = functools.partial(queries.trained_since, [kenya.id], session.starts_at)
    amina, jonas = people["Amina"], people["Jonas"]  # Diallo and Berg, by name
    assert trained() == {kenya.id: [jonas, amina]}
    assert trained(today=today + timedelta(days=10)) == {kenya.id: [jonas, amina]}
    assert trained(today=today + timedelta(days=11)) == {kenya.id: [amina]}
