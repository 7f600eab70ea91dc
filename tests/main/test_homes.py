"""Each role's home: what it shows, that each figure matches the list it links to, and that it
reads in the same number of queries for a small network and a larger one."""
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import unquote

import pytest
from babel.dates import format_date
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.accounts.services import set_roles
from gfp_portal.attendance import certificates
from gfp_portal.attendance import services as attendance
from gfp_portal.core import i18n
from gfp_portal.core.jobs import Job, JobState
from gfp_portal.core.outbox import MailStatus, OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.main import views as main_views
from gfp_portal.nominations import services as nominations
from gfp_portal.nominations.models import Nomination, NominationKind, NominationState
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import services as registry
from gfp_portal.registry.imports.previewed import APPLY
from gfp_portal.registry.policy import Policy
from gfp_portal.sessions import registration
from gfp_portal.sessions import services as sessions
from tests.helpers import appoint_undp_alternate, login, refused


def _now():
    return datetime.now(UTC).replace(microsecond=0)


class Network:
    """A network that grows by rounds: each round adds people, terms ending soon and lapsed,
    nominations, requests to join, sessions this week with registrations, an evaluation
    closing soon, failed emails and an import in progress."""

    def __init__(self, app):
        self.app = app
        self.round = 0
        with app.app_context():
            members = self.load_entities()[:40]
            for iso3 in ("KEN", "UGA"):
                db.session.scalars(select(Unct).filter_by(iso3=iso3)).one().members = members
            self.coordinator = User(email="office@example.org", is_active=True)
            db.session.add(self.coordinator)
            set_roles(self.coordinator, ["coordinator"], [])
            db.session.commit()
            self.coordinator_id = self.coordinator.id

    @property
    def entities(self):
        """The entities by acronym, loaded in the current application context."""
        return self.load_entities()

    @staticmethod
    def load_entities():
        return db.session.scalars(select(Entity).order_by(Entity.acronym)).all()

    def _person(self, tag):
        entity = self.entities[0]
        return registry.create_person({"given_name": "Nia", "family_name": f"Person {tag}",
                                       "email": f"{tag}@example.org", "entity": entity},
                                      actor=None)

    def _session(self, starts, tag, capacity=2):
        values = {"title_en": f"Session {tag}", "topic": "enabling_environment",
                  "format": "virtual", "starts_at": starts,
                  "ends_at": starts + timedelta(hours=2), "time_zone": "Africa/Nairobi",
                  "join_url": "https://meet.example.org/gfp", "languages": "en",
                  "capacity": capacity, "audience": "both"}
        session = sessions.create_session(values, actor=self.coordinator)
        sessions.publish_session(session, actor=self.coordinator)
        db.session.flush()
        return session

    def grow(self, size):
        """Add `size` of everything (KEN and UGA members stay the same)."""
        now, today = _now(), date.today()
        with self.app.app_context():
            self.coordinator = db.session.get(User, self.coordinator_id)
            kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
            entities = self.load_entities()
            r = self.round
            self.round += 1
            people = []
            for i in range(size):
                tag = f"r{r}p{i}"
                person = self._person(tag)
                people.append(person)
                # Focal point at headquarters ending in 10 days; alternate of Kenya lapsed.
                registry.appoint(person, {"role": "focal_point",
                                          "entity": entities[40 + r * size + i],
                                          "start_date": today - timedelta(days=300),
                                          "end_date": today + timedelta(days=10)}, actor=None)
                registry.appoint(person, {"role": "alternate", "entity": entities[i],
                                          "unct": kenya,
                                          "start_date": today - timedelta(days=700),
                                          "end_date": today - timedelta(days=2)}, actor=None)
                nominations.submit_nomination({
                    "role": "alternate", "entity": entities[40 + r * size + i],
                    "unct": None, "given_name": "Ama", "family_name": tag,
                    "email": f"n{tag}@example.org", "justification": "Gender adviser."},
                    actor=self.coordinator, now=now - timedelta(days=3 + i))
                db.session.add(Nomination(
                    kind=NominationKind.self_registration, state=NominationState.submitted,
                    role="alternate", entity=entities[20 + r * size + i], unct=kenya,
                    given_name="Kofi", family_name=tag, email=f"j{tag}@example.org",
                    justification="", submitted_at=now - timedelta(days=1 + i),
                    created_at=now))
                db.session.add(OutboxMessage(
                    recipient=f"{tag}@example.org", sender="portal@example.org",
                    subject="Invitation", body_text="…", template="session_notice",
                    message_id=f"<{tag}@example.org>", status=MailStatus.failed))
                db.session.add(Job(kind=APPLY, params={}, state=JobState.running))
            soon = self._session(now + timedelta(days=2), f"r{r}-soon", capacity=size)
            for person in [*people, self._person(f"r{r}-extra")]:
                registration.register(soon, person, actor=None, notify=False,
                                      by_coordinator=True)
            past = self._session(now + timedelta(days=1), f"r{r}-past", capacity=size + 1)
            for person in people:
                attendance.mark(registration.register(past, person, actor=None, notify=False),
                                "present", actor=self.coordinator)
            past.starts_at = now - timedelta(days=12, hours=2)
            past.ends_at = now - timedelta(days=12)
            db.session.commit()


@pytest.fixture
def network(app, reference):
    return Network(app)


def _count(html, key):
    match = re.search(rf'data-queue="{key}".*?data-count="(\d+)"', html, re.S)
    return int(match.group(1)) if match else 0


def _link(html, key):
    match = re.search(rf'data-queue="{key}".*?<a href="([^"]+)"', html, re.S)
    return unquote(match.group(1).replace("&amp;", "&"))


def _rows(html, pattern):
    return len(set(re.findall(pattern, html)))


# What each queue item's list shows one row per: a link of this pattern.
LIST_ROWS = {
    "nominations": r'href="/nominations/(\d+)(?:\?[^"]*)?"',
    "requests": r'href="/nominations/(\d+)(?:\?[^"]*)?"',
    "lapsed": r'href="/registry/people/(\d+)(?:\?[^"]*)?"',
    "ending": r'href="/registry/people/(\d+)(?:\?[^"]*)?"',
    "sessions": r'href="/sessions/(\d+)(?:\?[^"]*)?"',
    "evaluations": r'href="/sessions/(\d+)(?:\?[^"]*)?"',
    "failed-mails": r'href="/admin/outbox/(\d+)(?:\?[^"]*)?"',
    "failed-invitations": r'href="/admin/outbox/(\d+)(?:\?[^"]*)?"',
    "induction": r'data-path="(\d+)"',
}


def test_a_session_of_one_seat_is_counted_in_the_singular(client, network, login_as):
    network.grow(1)  # a session this week with one seat, taken, and one person waiting
    login_as("coordinator")
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'data-seats="1/1">1 of 1 seat taken<' in html and "1 seats" not in html


def test_coordinator_queue_counts_match_the_lists_they_link_to(client, network, login_as):
    network.grow(3)
    login_as("coordinator")
    html = client.get("/").get_data(as_text=True)
    expected = {"nominations": 3, "requests": 3, "lapsed": 3, "ending": 3, "sessions": 1,
                "failed-mails": 3, "failed-invitations": 3, "evaluations": 1, "imports": 3}
    for key, count in expected.items():
        assert _count(html, key) == count, key
    assert "The oldest has waited 5 days." in html  # the oldest nomination: 3 + 2 days
    assert "The oldest has waited 3 days." in html  # the oldest request: 1 + 2 days
    assert 'data-seats="3/3"' in html and 'data-waiting="1"' in html
    for key, pattern in LIST_ROWS.items():
        if key not in expected:
            continue  # the induction path: tests/induction/test_views.py
        page = client.get(_link(html, key))
        assert page.status_code == 200, key
        assert _rows(page.get_data(as_text=True), pattern) == _count(html, key), key
    uncts = _count(html, "uncts")
    assert uncts > 0
    page = client.get(_link(html, "uncts")).get_data(as_text=True)
    assert f'data-unct-count="{uncts}"' in page
    assert 'data-queue="empty"' not in html and "dashboard-counts" in html


def _ended_ahead(entity, unct=None, *, last_in, followed=False, given="Leaving"):
    """A focal point of `entity` for a year, whose last day, `last_in` days from today, was
    entered ahead: they leave (nobody to follow), or are replaced from the day after."""
    today = date.today()
    person = registry.create_person({"given_name": given, "family_name": "Soon",
                                     "email": f"{given.lower()}@example.org"}, actor=None)
    term = registry.appoint(person, {"role": "focal_point", "entity": entity, "unct": unct,
                                     "start_date": today - timedelta(days=365)}, actor=None)
    last_day = today + timedelta(days=last_in)
    if followed:
        successor = registry.create_person({"given_name": "Next", "family_name": given,
                                            "email": f"next.{given.lower()}@example.org"},
                                           actor=None)
        registry.replace(term, successor, {"start_date": last_day + timedelta(days=1)},
                         actor=None)
    else:
        registry.end_appointment(term, reason="left_entity", ended_on=last_day, actor=None)
    return term


def test_the_office_queue_counts_a_term_ended_ahead_with_nobody_to_follow(client, network,
                                                                          login_as):
    """A focal point leaving in twelve days, entered ahead, with nobody to follow: their
    term ends soon, counted and listed with the terms ending (as coverage flags its cell). One
    replaced ahead is followed: not counted."""
    network.grow(1)
    with network.app.app_context():
        _ended_ahead(network.entities[12], last_in=12)
        _ended_ahead(network.entities[13], last_in=12, followed=True, given="Followed")
        db.session.commit()
    login_as("coordinator")
    html = client.get("/").get_data(as_text=True)
    assert _count(html, "ending") == 2
    page = client.get(_link(html, "ending")).get_data(as_text=True)
    assert _rows(page, LIST_ROWS["ending"]) == 2
    assert "Leaving Soon" in page and "Followed Soon" not in page
    ends = format_date(date.today() + timedelta(days=12), "medium", locale="en")
    assert re.search(rf"Leaving Soon.*?Ends {ends}", page, re.S)


def test_an_administrators_queue_opens_the_registry_lists_it_counts(client, network, login_as):
    """An administrator does everything a coordinator does: the terms ending and lapsed on
    their home open the registry filtered as counted (and the menu offers the registry), not
    the network directory."""
    network.grow(2)
    login_as("admin")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/registry/"' in html
    for key in ("ending", "lapsed"):
        assert _count(html, key) == 2, key
        page = client.get(_link(html, key)).get_data(as_text=True)
        assert "Network directory" not in page, key
        assert _rows(page, LIST_ROWS[key]) == 2, key


def test_coordinator_queue_says_when_nothing_waits(client, app, reference, login_as):
    with app.app_context():  # no member entity anywhere: no team lacks a focal point
        for team in db.session.scalars(select(Unct)):
            team.members = []
        db.session.commit()
    login_as("coordinator")
    html = client.get("/").get_data(as_text=True)
    assert 'data-queue="empty"' in html and 'data-queue="nominations"' not in html


def _session_alone(title):
    """A session in two days, in a network where nothing else waits for the Office (no team
    has a member), in the caller's application context."""
    for team in db.session.scalars(select(Unct)):
        team.members = []
    start = datetime.now(UTC) + timedelta(days=2)
    return sessions.create_session({
        "title_en": title, "topic": "bystander_intervention", "format": "virtual",
        "starts_at": start, "ends_at": start + timedelta(hours=2), "time_zone": "UTC",
        "join_url": "https://meet.example.org/x", "capacity": 5}, actor=None)


def test_a_cancelled_session_this_week_is_not_work_for_the_office(client, app, reference,
                                                                   login_as):
    """The only session of the week was cancelled: nothing waits, and the list the queue
    links to shows none either."""
    with app.app_context():
        session = _session_alone("Speaking up, week one")
        sessions.publish_session(session, actor=None)
        sessions.cancel_session(session, reason="The speaker is ill", actor=None)
        db.session.commit()
    login_as("coordinator")
    html = client.get("/").get_data(as_text=True)
    assert 'data-queue="empty"' in html and 'data-queue="sessions"' not in html
    listed = client.get("/sessions/?when=upcoming&within=7").get_data(as_text=True)
    assert "Speaking up, week one" not in listed
    assert "Speaking up, week one" in client.get("/sessions/").get_data(as_text=True)


def test_a_draft_whose_dates_passed_has_no_evaluation_closing(client, app, reference,
                                                               login_as):
    """A draft never published was held by nobody: no evaluation of it waits for the Office,
    nor is listed among the evaluations closing."""
    with app.app_context():
        draft = _session_alone("Planned, never held")
        draft.starts_at = datetime.now(UTC) - timedelta(days=12)  # closing in 2 days
        draft.ends_at = draft.starts_at + timedelta(hours=2)
        db.session.commit()
    login_as("coordinator")
    html = client.get("/").get_data(as_text=True)
    assert 'data-queue="empty"' in html and 'data-queue="evaluations"' not in html
    listed = client.get("/sessions/?when=past&evaluation_closes=14").get_data(as_text=True)
    assert "Planned, never held" not in listed


def test_coordinator_home_reads_in_a_fixed_number_of_queries(client, network, login_as,
                                                            count_queries):
    login_as("coordinator")
    client.get("/")
    empty = _queries_of_home(client, count_queries)
    network.grow(2)
    changed = _queries_of_home(client, count_queries)  # the counters are read again
    small = _queries_of_home(client, count_queries)
    network.grow(8)
    assert _queries_of_home(client, count_queries) == changed
    assert _queries_of_home(client, count_queries) == empty == small < changed
    assert _count(client.get("/").get_data(as_text=True), "nominations") == 10


COUNTED_TABLES = ("FROM nominations", "FROM practices", "FROM induction_paths", "FROM uncts")


def test_the_office_queue_reads_its_counters_in_one_statement(client, network, login_as,
                                                              count_queries):
    """Nominations and requests waiting, terms ending and lapsed, teams without a focal point,
    practices to review, open induction paths and the network's counters: each domain's
    statement, sent together once a change was committed; the failed and queued emails, on
    every view."""
    network.grow(2)
    login_as("coordinator")
    with count_queries() as counted:
        client.get("/")
    counters = [s for s in counted.statements if any(t in s for t in COUNTED_TABLES)]
    assert len(counters) == 1
    assert all(table in counters[0] for table in COUNTED_TABLES)
    with count_queries() as counted:
        html = client.get("/").get_data(as_text=True)
    assert not [s for s in counted.statements if any(t in s for t in COUNTED_TABLES)]
    assert len([s for s in counted.statements if "FROM outbox_messages" in s]) == 1
    assert _count(html, "nominations") == 2


def test_the_office_queue_counts_what_was_committed_since_its_last_view(
        app, client, network, login_as):
    network.grow(2)
    login_as("coordinator")
    assert _count(client.get("/").get_data(as_text=True), "nominations") == 2
    with app.app_context():
        nomination = db.session.scalars(select(Nomination).filter_by(
            kind=NominationKind.nomination, state=NominationState.submitted)).first()
        nomination.state = NominationState.approved
        db.session.commit()
    assert _count(client.get("/").get_data(as_text=True), "nominations") == 1


def _queries_of_home(client, count_queries):
    """How many statements one view of the home sends."""
    with count_queries() as counted:
        client.get("/")
    return counted.count


# Resident Coordinator

@pytest.fixture
def rc_network(network, login_as):
    """The network grown once, a Resident Coordinator of Kenya signed in, with a nomination
    of theirs sent back for changes and a focal point of Kenya whose term ends soon."""
    network.grow(3)
    user_id = login_as("resident_coordinator", uncts=["KEN"])
    with network.app.app_context():
        rc = db.session.get(User, user_id)
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        office = db.session.get(User, network.coordinator_id)
        nomination = nominations.submit_nomination({
            "role": "focal_point", "entity": network.entities[5], "unct": kenya,
            "given_name": "Achieng", "family_name": "Odhiambo", "email": "a.o@example.org",
            "justification": "Gender adviser."}, actor=rc)
        nominations.request_changes(nomination, "Please attach the letter.", actor=office)
        person = registry.create_person({"given_name": "Wanjiku", "family_name": "Otieno",
                                         "email": "w.o@example.org"}, actor=None)
        registry.appoint(person, {"role": "focal_point", "entity": network.entities[6],
                                  "unct": kenya, "end_date": date.today() + timedelta(days=20)},
                         actor=None)
        db.session.commit()
    return user_id


def test_resident_coordinator_home_shows_the_team_and_what_is_in_progress(client, rc_network):
    response = client.get("/")
    assert response.status_code == 200  # no longer a redirect to the coverage page
    html = response.get_data(as_text=True)
    assert 'href="/coverage/KEN"' in html and 'data-unct="UGA"' not in html
    assert 'data-home="changes"' in html and "Achieng Odhiambo" in html
    assert "Nominate a successor" in html and "Wanjiku Otieno" in html
    pending = re.search(r'href="([^"]+)" data-home="pending" data-count="(\d+)"', html)
    # the three requests to join of Kenya and the nomination sent back for changes
    assert int(pending.group(2)) == 4
    page = client.get(unquote(pending.group(1).replace("&amp;", "&"))).get_data(as_text=True)
    assert _rows(page, r'href="/nominations/(\d+)(?:\?[^"]*)?"') == 4
    gaps = re.search(r'href="([^"]+)" data-home="gaps" data-count="(\d+)"', html)
    page = client.get(unquote(gaps.group(1).replace("&amp;", "&"))).get_data(as_text=True)
    assert f"Gaps ({gaps.group(2)})" in page


def _trained_in_kenya(app, network, given, family, starts_at):
    """A new alternate in Kenya, marked present at an hour-long session that began at
    `starts_at`."""
    with app.app_context():
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        person = registry.create_person({"given_name": given, "family_name": family,
                                         "email": f"{given}.{family}@example.org".lower()},
                                        actor=None)
        registry.appoint(person, {"role": "alternate", "entity": network.entities[7],
                                  "unct": kenya}, actor=None)
        network.coordinator = db.session.get(User, network.coordinator_id)
        session = network._session(_now() + timedelta(days=1), f"{given} trained")
        attendance.mark(registration.register(session, person, actor=None, notify=False),
                        "present", actor=network.coordinator)
        session.starts_at, session.ends_at = starts_at, starts_at + timedelta(hours=1)
        db.session.commit()


def test_resident_coordinator_home_lists_who_was_trained_this_year(client, app, rc_network,
                                                                  network):
    assert "Baraka Kamau" not in client.get("/").get_data(as_text=True)  # kept until a change
    _trained_in_kenya(app, network, "Baraka", "Kamau", max(
        _now() - timedelta(hours=5), datetime(_now().year, 1, 1, tzinfo=UTC)))
    html = client.get("/").get_data(as_text=True)
    # Baraka only: the three alternates of Kenya who attended the session of twelve days ago
    # hold their terms no more (past their end date, though the daily run has not closed
    # them), as coverage counts them
    assert re.search(r'data-home="trained" data-count="1"', html)
    assert "Baraka Kamau" in html


def test_resident_coordinator_home_lists_the_terms_ending_within_the_alert_window(
        client, rc_network, network):
    """Soonest first, from today to the window's last day; a term ending later is not
    listed."""
    with network.app.app_context():
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        window = Policy.current().alert_window
        for given, ends_in, entity in (("Today", 0, network.entities[7]),
                                       ("Last", window, network.entities[8]),
                                       ("Later", window + 1, network.entities[9])):
            person = registry.create_person({"given_name": given, "family_name": "Ending",
                                             "email": f"{given.lower()}@example.org"},
                                            actor=None)
            registry.appoint(person, {"role": "alternate", "entity": entity, "unct": kenya,
                                      "end_date": date.today() + timedelta(days=ends_in)},
                             actor=None)
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    section = html[html.index('data-home="ending"'):html.index('data-home="trained"')]
    assert re.findall(r"<bdi>(\w+ \w+)</bdi>", section) == [
        "Today Ending", "Wanjiku Otieno", "Last Ending"]
    assert 'data-home="ending" data-count="3"' in html


def test_resident_coordinator_home_lists_a_term_ended_ahead_with_nobody_to_follow(
        client, rc_network, network):
    """A focal point of Kenya leaves in fifteen days, entered ahead, and nobody is to follow:
    the coverage cell says "Ends soon", and the home lists the term with "Nominate a
    successor" (with nobody to replace: the term has already ended). A term replaced ahead is
    followed: not listed."""
    with network.app.app_context():
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        leaving = _ended_ahead(network.entities[10], kenya, last_in=15)
        _ended_ahead(network.entities[11], kenya, last_in=9, followed=True, given="Followed")
        acronym = leaving.entity.acronym
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    section = html[html.index('data-home="ending"'):html.index('data-home="trained"')]
    assert re.findall(r"<bdi>(\w+ \w+)</bdi>", section) == ["Leaving Soon", "Wanjiku Otieno"]
    assert 'data-home="ending" data-count="2"' in html
    item = section[section.index("Leaving Soon"):section.index("Wanjiku Otieno")]
    assert f"/nominations/new?unct=KEN&amp;entity={acronym}&amp;role=focal_point\"" in item
    assert "Nominate a successor" in item
    # The registry of their team lists it among the terms ending soon too.
    listed = client.get("/registry/?expiring=30").get_data(as_text=True)
    assert "Leaving Soon" in listed and "Followed Soon" not in listed


def test_resident_coordinator_home_reads_in_a_fixed_number_of_queries(
        client, rc_network, network, count_queries):
    """The teams' coverage and who was trained this year are read once a change was
    committed, then reused; the rest on every view."""
    client.get("/")
    repeat = _queries_of_home(client, count_queries)
    network.grow(6)
    changed = _queries_of_home(client, count_queries)
    assert _queries_of_home(client, count_queries) == repeat < changed
    network.grow(8)
    assert _queries_of_home(client, count_queries) == changed


def test_resident_coordinator_home_reads_as_much_for_three_teams_as_for_one(
        client, reference, login_as, count_queries):
    login_as("resident_coordinator", uncts=["KEN"], email="rc.one@example.org")
    client.get("/")
    one = _queries_of_home(client, count_queries)
    client.post("/logout")
    login_as("resident_coordinator", uncts=["KEN", "UGA", "TZA"], email="rc.three@example.org")
    client.get("/")
    assert _queries_of_home(client, count_queries) == one


def test_a_team_covering_several_countries_names_them_on_every_view(client, reference,
                                                                    login_as):
    """The teams' coverage is kept between views (core.data_version): the teams kept carry
    their countries."""
    login_as("resident_coordinator", uncts=["BRB"])
    for url in ("/", "/", "/coverage/BRB", "/coverage/BRB"):
        html = client.get(url).get_data(as_text=True)
        assert "Also covers:" in html and "Antigua and Barbuda" in html, url


def test_resident_coordinator_of_several_teams_sees_each(client, reference, login_as):
    login_as("resident_coordinator", uncts=["KEN", "UGA"])
    html = client.get("/").get_data(as_text=True)
    assert 'data-unct="KEN"' in html and 'data-unct="UGA"' in html and "Burundi" not in html


# Focal point

class FocalPointLife:
    """A focal point (an alternate of UNDP) with sessions: one under way, one next week, one
    attended two days ago with its certificate; plus a session on a topic new to them and a
    library item new in English. Each round adds one of each."""

    def __init__(self, app, create_user):
        self.app, self.round = app, 0
        self.user_id = create_user("fp.home@example.org", roles=["focal_point"])
        with app.app_context():
            user = db.session.get(User, self.user_id)
            self.person_id = user.person_id
            appoint_undp_alternate(user)
            self.office = User(email="office@example.org", is_active=True)
            db.session.add(self.office)
            db.session.commit()
            self.office_id = self.office.id

    def _session(self, starts, topic="enabling_environment"):
        values = {"title_en": f"Session {self.round} {topic}", "topic": topic,
                  "format": "virtual", "starts_at": starts,
                  "ends_at": starts + timedelta(hours=2), "time_zone": "Africa/Nairobi",
                  "join_url": "https://meet.example.org/gfp", "languages": "en",
                  "capacity": 5, "audience": "both"}
        session = sessions.create_session(values, actor=self.office)
        sessions.publish_session(session, actor=self.office)
        db.session.flush()
        return session

    def grow(self, create_resource):
        now = _now()
        with self.app.app_context():
            self.office = db.session.get(User, self.office_id)
            person = db.session.get(User, self.user_id).person
            under_way = self._session(now + timedelta(days=1))
            registration.register(under_way, person, actor=None, notify=False)
            under_way.starts_at, under_way.ends_at = now - timedelta(minutes=10), \
                now + timedelta(minutes=80)
            registration.register(self._session(now + timedelta(days=5)), person, actor=None,
                                  notify=False)
            attended = self._session(now + timedelta(days=1))
            attendance.mark(registration.register(attended, person, actor=None, notify=False),
                            "present", actor=self.office)
            attended.starts_at, attended.ends_at = now - timedelta(days=2, hours=2), \
                now - timedelta(days=2)
            certificates.certificate_for(attended, person)
            self._session(now + timedelta(days=8 + self.round), topic="anti_racism")
            db.session.commit()
            ids = {"under_way": under_way.id, "attended": attended.id}
        create_resource(f"brief-{self.round}", {"en": f"Brief {self.round}"})
        self.round += 1
        return ids


def test_focal_point_home_shows_sessions_evaluations_term_and_library(
        client, app, reference, create_user, create_resource):
    life = FocalPointLife(app, create_user)
    ids = life.grow(create_resource)
    login(client, "fp.home@example.org")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'data-home="next-sessions" data-count="2"', html)
    assert f'data-join="{ids["under_way"]}"' in html and html.count("data-join=") == 1
    assert f'href="/sessions/{ids["under_way"]}.ics"' in html
    assert re.search(r'data-home="evaluations" data-count="1"', html)
    assert f'href="/sessions/{ids["attended"]}/evaluation"' in html
    assert re.search(r'data-home="certificates" data-count="1"', html)
    assert f'href="/sessions/{ids["attended"]}/certificate"' in html
    assert "Session 0 anti_racism" in html  # a topic not attended yet
    assert "Your term ends on" in html
    assert "Brief 0" in html


def test_a_focal_point_whose_end_of_term_is_entered_ahead_sees_the_term_until_their_last_day(
        client, app, reference, create_user):
    """The Office records that the alternate leaves in ten days: the term is ended at once,
    yet they hold it until then. Their home and their profile show it with its last day,
    without the advice to have it renewed, and recommend the sessions for alternates."""
    life = FocalPointLife(app, create_user)
    last_day = _now().date() + timedelta(days=10)
    with app.app_context():
        life.office = db.session.get(User, life.office_id)
        term, = db.session.get(User, life.user_id).person.appointments
        registry.end_appointment(term, reason="left_entity", ended_on=last_day, actor=None)
        session = life._session(_now() + timedelta(days=6), topic="anti_racism")
        sessions.update_session(session, {"title_en": "Open to alternates",
                                          "audience": "alternates"}, actor=life.office)
        db.session.commit()
    login(client, "fp.home@example.org")
    html = client.get("/").get_data(as_text=True)
    mine = html[html.index('data-home="appointments"'):]
    mine = mine[:mine.index("</section>")]
    assert "You hold no active appointment." not in mine
    assert "Alternate" in mine and "UNDP" in mine
    assert f"Your term ends on {format_date(last_day, 'long', locale='en')}." in mine
    assert "renewed" not in mine
    assert "Open to alternates" in html[html.index('id="recommended"'):]
    profile = client.get("/me").get_data(as_text=True)
    assert f"until {format_date(last_day, 'medium', locale='en')}" in profile


def test_the_home_recommends_only_sessions_the_person_may_register_for(
        client, app, reference, create_user):
    """An alternate is not recommended a session for focal points only, nor one whose
    registration has closed: the button would only refuse them."""
    life = FocalPointLife(app, create_user)
    now = _now()
    with app.app_context():
        life.office = db.session.get(User, life.office_id)
        for title, audience, closes in (("Focal points only", "focal_points", None),
                                        ("Closed already", "both", now - timedelta(hours=1)),
                                        ("Open to alternates", "alternates", None)):
            session = life._session(now + timedelta(days=6), topic="anti_racism")
            sessions.update_session(session, {"title_en": title, "audience": audience,
                                              "registration_closes_at": closes},
                                    actor=life.office)
        db.session.commit()
    login(client, "fp.home@example.org")
    html = client.get("/").get_data(as_text=True)
    recommended = html[html.index('id="recommended"'):]
    assert "Open to alternates" in recommended
    assert "Focal points only" not in recommended and "Closed already" not in recommended


def test_the_home_does_not_recommend_a_session_after_the_last_day_of_an_ended_ahead_term(
        client, app, reference, create_user):
    """The alternate leaves in five days (their end of term entered ahead). A session for
    alternates in fifteen days is refused to them ("Your term ends on …, before this
    session"), so the home does not recommend it; one before their last day it does."""
    user_id = create_user("fp.leaving@example.org", roles=["focal_point"])
    now = _now()
    with app.app_context():
        user = db.session.get(User, user_id)
        office = User(email="office@example.org", is_active=True)
        db.session.add(office)
        term = appoint_undp_alternate(user)
        db.session.flush()
        registry.end_appointment(term, reason="left_entity", ended_on=now.date()
                                 + timedelta(days=5), actor=None)
        for title, days in (("Before my last day", 2), ("After my last day", 15)):
            starts = now + timedelta(days=days)
            session = sessions.create_session({
                "title_en": title, "topic": "anti_racism", "format": "virtual",
                "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                "time_zone": "Africa/Nairobi", "join_url": "https://meet.example.org/gfp",
                "languages": "en", "capacity": 5, "audience": "alternates"}, actor=office)
            sessions.publish_session(session, actor=office)
        db.session.commit()
        # The rule itself: registering is refused.
        refused("not_in_audience", registration.register, session, user.person, actor=None,
                notify=False)
        db.session.rollback()
    login(client, "fp.leaving@example.org")
    html = client.get("/").get_data(as_text=True)
    recommended = html[html.index('id="recommended"'):]
    recommended = recommended[:recommended.index("</section>")]
    assert "Before my last day" in recommended
    assert "After my last day" not in recommended


def test_focal_point_home_reads_in_a_fixed_number_of_queries(
        client, app, reference, create_user, create_resource, count_queries):
    life = FocalPointLife(app, create_user)
    life.grow(create_resource)
    login(client, "fp.home@example.org")
    client.get("/")
    small = _queries_of_home(client, count_queries)
    for _round in range(4):
        life.grow(create_resource)
    assert _queries_of_home(client, count_queries) == small
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'data-home="certificates" data-count="5"', html)


def test_the_active_accounts_counter_opens_the_list_of_active_accounts(client, reference,
                                                                      create_user, login_as):
    """Accounts invited but not activated yet are not counted as active: the list the counter
    opens does not show them either."""
    create_user("invited@example.org", active=False)
    create_user("invited.too@example.org", active=False)
    login_as("admin")
    html = client.get("/").get_data(as_text=True)
    tile = re.search(r'data-count="(\d+)">[^<]*</p>\s*<p class="mb-0"><a href="([^"]+)"'
                     r' class="stretched-link">Active accounts</a>', html)
    page = client.get(unquote(tile.group(2).replace("&amp;", "&"))).get_data(as_text=True)
    assert _rows(page, r'href="/admin/users/(\d+)(?:\?[^"]*)?"') == int(tile.group(1)) == 1


def test_a_team_whose_only_focal_point_serves_a_closed_entity_is_counted_without_one(
        app, client, reference, login_as):
    """WHO closed yesterday, still on Uganda's member list: the coverage pages show no WHO
    cell there, so Uganda has no focal point for any member entity shown, on the queue as on
    the list it opens."""
    with app.app_context():
        for team in db.session.scalars(select(Unct)):
            team.members = []
        uganda = db.session.scalars(select(Unct).filter_by(iso3="UGA")).one()
        who, wfp = (db.session.scalars(select(Entity).filter_by(acronym=a)).one()
                    for a in ("WHO", "WFP"))
        uganda.members = [wfp, who]
        person = registry.create_person({"given_name": "Amani", "family_name": "Okello",
                                         "email": "a.okello@example.org"}, actor=None)
        registry.appoint(person, {"role": "focal_point", "entity": who, "unct": uganda,
                                  "start_date": date.today() - timedelta(days=300)}, actor=None)
        who.active_to = date.today() - timedelta(days=1)
        db.session.commit()
    login_as("coordinator")
    html = client.get("/").get_data(as_text=True)
    assert _count(html, "uncts") == 1
    page = client.get(_link(html, "uncts")).get_data(as_text=True)
    assert 'data-unct-count="1"' in page and 'href="/coverage/UGA?back=' in page


def test_the_office_queue_names_the_zone_of_the_session_times_it_shows(
        client, network, create_user):
    """Times are read in the viewer's own zone, with the zone named."""
    network.grow(1)
    create_user("nairobi@example.org", roles=["coordinator"], time_zone="Africa/Nairobi")
    login(client, "nairobi@example.org")
    html = client.get("/").get_data(as_text=True)
    item = html[html.index('data-queue="sessions"'):
                html.index('data-queue="failed-invitations"')]
    assert "Nairobi (\u2066UTC+3\u2069)" in item


def test_the_year_a_resident_coordinator_reads_as_this_year_is_their_own(
        app, client, network, create_user, monkeypatch):
    """At nine in the morning of 1 January 2031 in Auckland (still 31 December in UTC), the
    year on a Resident Coordinator's home is 2031: the session attended the evening before
    was last year's."""
    moment = datetime(2030, 12, 31, 20, tzinfo=UTC)
    create_user("rc.auckland@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                time_zone="Pacific/Auckland")
    # 21:00 in Auckland
    _trained_in_kenya(app, network, "Neema", "Mwangi", datetime(2030, 12, 31, 8, tzinfo=UTC))
    monkeypatch.setattr(i18n, "utcnow", lambda: moment)
    monkeypatch.setattr(main_views, "utcnow", lambda: moment)
    login(client, "rc.auckland@example.org")
    html = client.get("/").get_data(as_text=True)
    assert "0 focal points and alternates trained in 2031" in html
    assert "Neema Mwangi" not in html


def test_a_team_without_member_entities_is_not_said_to_be_covered(app, client, reference,
                                                                 login_as):
    """A new team whose member entities are not recorded yet has no gap, but nor is every
    member covered: the home says what the team's coverage page says."""
    with app.app_context():
        db.session.scalars(select(Unct).filter_by(iso3="KEN")).one().members = []
        db.session.commit()
    login_as("resident_coordinator", uncts=["KEN"])
    html = client.get("/").get_data(as_text=True)
    assert "No member entity is recorded for this UN Country Team yet." in html
    assert "Every member entity has a focal point and an alternate." not in html


def test_every_time_a_page_shows_names_the_readers_zone():
    """DESIGN §3: times are shown in the reader's zone with the zone named. Pages show a
    moment through format_moment, never through format_datetime, which leaves the zone out."""
    from pathlib import Path

    templates = Path(__file__).parents[2] / "templates"
    unnamed = [str(path.relative_to(templates)) for path in templates.rglob("*.html")
               if "format_datetime(" in path.read_text(encoding="utf-8")]
    assert unnamed == []


@pytest.mark.parametrize("role", ["resident_coordinator", "coordinator"])
def test_a_focal_point_who_also_leads_a_team_or_the_office_keeps_their_own_training_page(
        client, login_as, reference, role):
    """The home of a Resident Coordinator (or of the Office) who is also a focal point links
    to what a focal point's home shows them: their sessions, evaluations and certificates."""
    login_as(role, "focal_point", uncts=["KEN"] if role == "resident_coordinator" else ())
    home = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/me/training"' in home
    page = client.get("/me/training?lang=en")
    assert page.status_code == 200 and "My next sessions" in page.get_data(as_text=True)


def test_the_training_page_is_a_focal_points_own(client, login_as, reference):
    login_as("resident_coordinator", uncts=["KEN"])
    assert 'href="/me/training"' not in client.get("/?lang=en").get_data(as_text=True)
    assert client.get("/me/training").status_code == 403
