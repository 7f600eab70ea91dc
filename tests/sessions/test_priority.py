"""The waiting list's priority policies: who each one puts first, and what people see."""
from datetime import timedelta

from sqlalchemy import select

from gfp_portal.attendance import services as attendance
from gfp_portal.attendance.queries import not_yet_trained
from gfp_portal.core.db import utcnow
from gfp_portal.coverage.queries import people_in_gaps
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import services as registry
from gfp_portal.sessions import registration, services
from tests.helpers import NOW, login


def _entity(acronym):
    return db.session.scalars(select(Entity).filter_by(acronym=acronym)).one()


def test_a_gap_is_a_scope_without_its_focal_point_or_any_alternate(make_person, coordinator):
    undp, unfpa = _entity("UNDP"), _entity("UNFPA")
    kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    kenya.members.extend([undp, unfpa])
    people = {name: make_person(given=name) for name in ("Ana", "Ben", "Cleo", "Dan", "Eve")}

    def appoint(name, role, entity, unct=None):
        registry.appoint(people[name], {"role": role, "entity": entity, "unct": unct},
                         actor=coordinator)

    appoint("Ana", "focal_point", undp)             # UNDP headquarters: both roles held
    appoint("Ben", "alternate", undp)
    appoint("Cleo", "focal_point", unfpa)            # UNFPA headquarters: no alternate
    appoint("Dan", "alternate", undp, kenya)         # UNDP in Kenya: no focal point
    appoint("Eve", "focal_point", unfpa, kenya)      # UNFPA in Kenya: both held
    registry.appoint(make_person(given="Fay"), {"role": "alternate", "entity": unfpa,
                                                "unct": kenya}, actor=coordinator)
    db.session.flush()
    ids = {name: person.id for name, person in people.items()}
    assert people_in_gaps(list(ids.values()), today=utcnow().date()) == {ids["Cleo"], ids["Dan"]}
    assert people_in_gaps([], today=utcnow().date()) == set()


def test_not_yet_trained_means_never_attended_the_topic(make_appointee, make_session,
                                                        coordinator):
    earlier = make_session(capacity=10)  # topic: enabling environment
    people = {name: make_appointee(given=name) for name in ("Amina", "Jonas", "Li", "Fatou")}
    for name, status in (("Amina", "present"), ("Jonas", "partial"), ("Li", "absent")):
        attendance.mark(registration.register(earlier, people[name], actor=None, now=NOW,
                                              notify=False), status, actor=coordinator)
    same_topic = make_session(starts_in=timedelta(days=60))
    other_topic = make_session(starts_in=timedelta(days=60), topic="anti_racism")
    ids = [person.id for person in people.values()]
    assert not_yet_trained(same_topic, ids) == {people["Li"].id, people["Fatou"].id}
    assert not_yet_trained(other_topic, ids) == set(ids)
    # the session itself does not count as training on its topic
    assert not_yet_trained(earlier, ids) == set(ids)


def _crowd(make_person, coordinator):
    """UNDP's focal point at headquarters, two UNDP alternates (a covered scope) and UNFPA's
    focal point at headquarters, who has no alternate (a gap)."""
    undp, unfpa = _entity("UNDP"), _entity("UNFPA")
    people = {}
    for name, role, entity in (("head", "focal_point", undp), ("seated", "alternate", undp),
                               ("early", "alternate", undp), ("gap", "focal_point", unfpa)):
        people[name] = make_person(given=name.title())
        registry.appoint(people[name], {"role": role, "entity": entity, "unct": None},
                         actor=coordinator)
    return people


def test_the_policy_orders_the_waiting_list_and_promotion(make_person, make_session,
                                                          coordinator):
    people = _crowd(make_person, coordinator)
    session = make_session(capacity=1, waitlist_policy="coverage_gap")
    for name in ("seated", "early", "gap"):
        registration.register(session, people[name], actor=None, now=NOW, notify=False)
    db.session.flush()
    order = registration.waitlist_order(session)
    assert [(r.person, first) for r, first in order] == [(people["gap"], True),
                                                         (people["early"], False)]
    early, gap = (r for r, _first in sorted(order, key=lambda pair: pair[0].id))
    assert registration.waitlist_place(gap, today=NOW.date()) == (1, True)
    assert registration.waitlist_place(early, today=NOW.date()) == (2, False)

    services.update_session(session, {"waitlist_policy": "first_come"}, actor=coordinator,
                            now=NOW)
    assert [r.person for r in registration.waitlist(session)] == [people["early"],
                                                                   people["gap"]]
    services.update_session(session, {"waitlist_policy": "coverage_gap"}, actor=coordinator,
                            now=NOW)
    seat = next(r for r in session.registrations if r.person == people["seated"])
    registration.cancel(seat, actor=None, now=NOW)
    assert (gap.status, early.status) == ("registered", "waitlisted")


def test_below_parity_puts_first_the_people_of_entities_below_the_range(
        make_person, make_session, coordinator):
    from gfp_portal.parity import imports
    from tests.parity.conftest import figures_csv

    imports.import_whole("f.csv", figures_csv([["UNFPA", "2024-Q4", "P-4", "HQ", 30, 70],
                                               ["UNDP", "2024-Q4", "P-4", "HQ", 50, 50]]),
                         actor=None)
    people = _crowd(make_person, coordinator)  # "gap" is UNFPA's; the others UNDP's
    session = make_session(capacity=1, waitlist_policy="below_parity")
    for name in ("seated", "early", "gap"):
        registration.register(session, people[name], actor=None, now=NOW, notify=False)
    db.session.flush()
    assert [(r.person, first) for r, first in registration.waitlist_order(session)] == [
        (people["gap"], True), (people["early"], False)]


def test_each_person_sees_the_policy_their_place_and_why(app, client, reference,
                                                        create_user):
    from gfp_portal.accounts.models import User

    names = ("head", "seated", "early", "gap")
    users = {name: create_user(f"{name}@example.org") for name in names}
    office_id = create_user("coord@example.org", roles=["coordinator"])
    ids = {}
    with app.app_context():
        office = db.session.get(User, office_id)
        undp, unfpa = _entity("UNDP"), _entity("UNFPA")
        session = services.create_session({
            "title_en": "Popular", "topic": "sexual_harassment", "format": "virtual",
            "starts_at": NOW + timedelta(days=400), "time_zone": "UTC",
            "ends_at": NOW + timedelta(days=400, hours=1), "join_url": "https://x.example.org",
            "capacity": 1, "waitlist_policy": "coverage_gap"}, actor=office)
        services.publish_session(session, actor=office)
        roles = ("focal_point", "alternate", "alternate", "focal_point")
        for name, role, entity in zip(names, roles, (undp, undp, undp, unfpa), strict=True):
            person = db.session.get(User, users[name]).person
            registry.appoint(person, {"role": role, "entity": entity, "unct": None},
                             actor=office)
            if name != "head":
                registration.register(session, person, actor=None, notify=False)
        db.session.commit()
        ids["session"] = session.id
    url = f"/sessions/{ids['session']}"
    login(client, "gap@example.org")
    html = client.get(url).get_data(as_text=True)
    assert 'data-waitlist-policy="coverage_gap"' in html
    assert "You are on the waiting list, number 1." in html
    assert "You are placed ahead: your team has a coverage gap." in html
    client.post("/logout")
    login(client, "early@example.org")
    html = client.get(url).get_data(as_text=True)
    assert "You are on the waiting list, number 2." in html
    assert 'data-priority="no"' in html
    client.post("/logout")
    login(client, "coord@example.org")
    html = client.get(f"{url}/roster").get_data(as_text=True)
    assert html.count("data-priority") == 1
    assert "Waiting list: Priority to people whose team has a coverage gap." in html
