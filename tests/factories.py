"""Factories and fixtures every test package may use, loaded once by the top conftest:
accounts, signed-in clients, people, sessions, a nomination, a library resource."""
import io
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select
from werkzeug.datastructures import FileStorage

from gfp_portal.accounts.models import User
from gfp_portal.accounts.passwords import hash_password
from gfp_portal.accounts.services import set_roles
from gfp_portal.extensions import db
from gfp_portal.nominations import services as nominations
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from gfp_portal.resources import services as resources
from gfp_portal.resources.models import ResourceCategory
from gfp_portal.sessions import registration
from gfp_portal.sessions import services as sessions
from tests.helpers import NOW, PASSWORD, PDF, appoint_undp_alternate, entity, login, pdf_upload


@pytest.fixture
def create_user(app):
    """Create an account (active by default) and return its id."""
    counter = iter(range(1, 10_000))

    def _create(email=None, *, roles=("focal_point",), password=PASSWORD, uncts=(),
                active=True, locale="en", time_zone="UTC", given_name="Test",
                family_name="Person"):
        email = email or f"person{next(counter)}@example.org"
        with app.app_context():
            person = Person(given_name=given_name, family_name=family_name, email=email,
                            preferred_language=locale, time_zone=time_zone)
            user = User(email=email, person=person, is_active=active, locale=locale,
                        time_zone=time_zone,
                        password_hash=hash_password(password) if active else None)
            db.session.add(user)
            unct_rows = [db.session.scalars(db.select(Unct).filter_by(iso3=c)).one()
                         for c in uncts]
            set_roles(user, roles, unct_rows)
            db.session.commit()
            return user.id
    return _create


@pytest.fixture
def login_as(client, create_user):
    """Sign the test client in with a new account holding `roles`; returns the user id."""
    def _login(*roles, uncts=(), email=None):
        email = email or f"{'-'.join(roles) or 'nobody'}@example.org"
        user_id = create_user(email, roles=roles, uncts=uncts)
        response = login(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user_id
    return _login


class QueryCounter:
    """The statements sent, and the isolation level each was sent at (AUTOCOMMIT: outside a
    transaction; None: in the connection's own)."""
    def __init__(self):
        self.statements = []
        self.levels = []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)
        self.levels.append(conn.get_execution_options().get("isolation_level"))

    @property
    def count(self):
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Context manager factory counting the SQL statements sent while it is open."""
    @contextmanager
    def _count():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)
    return _count


@pytest.fixture
def coordinator(ctx, reference, create_user):
    """A coordinator (a `User`), for service tests that hold an application context."""
    return db.session.get(User, create_user("coord@example.org", roles=["coordinator"]))


@pytest.fixture
def make_person(coordinator):
    """A person of the registry, with no appointment (of UNDP, grade P-4, unless told)."""
    counter = iter(range(1, 10_000))

    def _make(given="Amina", family="Diallo", **extra):
        n = next(counter)
        data = {"given_name": given, "family_name": family,
                "email": extra.pop("email", f"person{n}@undp.org"),
                "grade": "P-4", "entity": entity("UNDP"), **extra}
        return registry.create_person(data, actor=coordinator)
    return _make


@pytest.fixture
def make_appointee(coordinator):
    """A person with an active headquarters appointment: an alternate of UNDP (there may be
    many), or the focal point of an entity not used yet."""
    counter = iter(range(1, 100_000))
    entities = iter(db.session.scalars(select(Entity).order_by(Entity.id)).all())
    undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()

    def _make(role="alternate", language="en", zone="UTC", given="Amina"):
        n = next(counter)
        entity = undp if role == "alternate" else next(entities)
        person = registry.create_person({
            "given_name": given, "family_name": f"Person{n}", "email": f"p{n}@undp.org",
            "preferred_language": language, "time_zone": zone, "entity": entity},
            actor=coordinator)
        registry.appoint(person, {"role": role, "entity": entity, "unct": None},
                         actor=coordinator)
        return person
    return _make


@pytest.fixture
def make_network(app, reference):
    """Many people at once, each with one appointment (UNDP headquarters alternates unless
    told), written in two statements rather than through the services one by one: `languages`
    gives each person's preferred language in turn. Returns their ids."""
    counter = iter(range(1, 1_000_000))

    def _make(count, *, languages=("en",), role="alternate", acronym="UNDP", unct=None,
              status=AppointmentStatus.active, start=None):
        with app.app_context():
            entity_id = db.session.scalars(select(Entity.id).filter_by(acronym=acronym)).one()
            unct_id = db.session.scalars(select(Unct.id).filter_by(iso3=unct)).one() \
                if unct else None
            people = []
            for n in range(count):
                number = next(counter)
                people.append(Person(
                    given_name="Member", family_name=f"Number{number}",
                    email=f"member{number}.{acronym.lower()}@example.org",
                    preferred_language=languages[n % len(languages)], entity_id=entity_id))
            db.session.add_all(people)
            db.session.flush()
            db.session.add_all([Appointment(
                person_id=person.id, entity_id=entity_id, unct_id=unct_id, role=role,
                status=status, start_date=start or NOW.date()) for person in people])
            db.session.commit()
            return [person.id for person in people]
    return _make


@pytest.fixture
def make_session(coordinator):
    """A training session `starts_in` after NOW (published unless told)."""
    def _make(capacity=10, publish=True, starts_in=timedelta(days=10), hours=2, **data):
        starts = NOW + starts_in
        values = {"title_en": "Enabling environment: the guidelines in practice",
                  "title_fr": "Environnement favorable : les directives en pratique",
                  "topic": "enabling_environment", "format": "virtual",
                  "starts_at": starts, "ends_at": starts + timedelta(hours=hours),
                  "time_zone": "Europe/Zurich", "join_url": "https://meet.example.org/gfp",
                  "languages": "en fr", "capacity": capacity, "audience": "both"}
        values.update(data)
        session = sessions.create_session(values, actor=coordinator, now=NOW)
        if publish:
            sessions.publish_session(session, actor=coordinator, now=NOW)
        db.session.flush()
        return session
    return _make


@pytest.fixture
def running(app, reference, create_user):
    """A session that started ten minutes ago, with the focal point fp@example.org
    registered (its person is Amina Diallo, amina.diallo@example.org in reports)."""
    ids = {"coordinator": create_user("coord@example.org", roles=["coordinator"]),
           "fp": create_user("amina.diallo@example.org", roles=["focal_point"], locale="ar")}
    now = datetime.now(UTC)
    with app.app_context():
        coordinator = db.session.get(User, ids["coordinator"])
        fp = db.session.get(User, ids["fp"])
        appoint_undp_alternate(fp, actor=coordinator)
        start = now + timedelta(days=1)
        session = sessions.create_session({
            "title_en": "Bystander intervention", "title_ar": "تدخل الشهود",
            "topic": "bystander_intervention", "format": "virtual", "starts_at": start,
            "ends_at": start + timedelta(minutes=90), "time_zone": "Asia/Amman",
            "join_url": "https://meet.example.org/x", "capacity": 5}, actor=coordinator)
        sessions.publish_session(session, actor=coordinator)
        registration.register(session, fp.person, actor=None, notify=False)
        session.starts_at = now - timedelta(minutes=10)
        session.ends_at = now + timedelta(minutes=80)
        db.session.commit()
        ids["session"] = session.id
        ids["person"] = fp.person_id
    return ids


@pytest.fixture
def kenya_nomination(app, reference, create_user):
    """Kenya and Uganda teams; their RCs; a coordinator; one Kenya nomination with a letter."""
    coordinator = create_user("coord@example.org", roles=["coordinator"])
    rc_kenya = create_user("rc.kenya@example.org", roles=["resident_coordinator"],
                           uncts=["KEN"])
    create_user("rc.uganda@example.org", roles=["resident_coordinator"], uncts=["UGA"])
    with app.app_context():
        entities = {e.acronym: e for e in db.session.scalars(
            select(Entity).where(Entity.acronym.in_(["UNDP", "UNICEF", "WFP"])))}
        for iso3 in ("KEN", "UGA"):
            db.session.scalars(select(Unct).filter_by(iso3=iso3)).one().members = \
                list(entities.values())
        nomination = nominations.submit_nomination({
            "role": "alternate", "entity": entities["WFP"],
            "unct": db.session.scalars(select(Unct).filter_by(iso3="KEN")).one(),
            "given_name": "Njeri", "family_name": "Mwangi", "email": "njeri.mwangi@wfp.org",
            "justification": "Programme officer with gender expertise."},
            letter=pdf_upload(), actor=db.session.get(User, rc_kenya))
        db.session.commit()
        return {"id": nomination.id, "coordinator": coordinator}


@pytest.fixture
def create_resource(app):
    """Create a resource with versions {language: title} (each a small PDF); returns its id."""
    def _create(slug="guide", versions=None, *, visibility="public", published=True,
                category="guidelines", tags=(), summaries=None):
        versions = {"en": "Guide"} if versions is None else versions
        with app.app_context():
            resources.ensure_default_categories()
            cat = db.session.scalars(db.select(ResourceCategory).filter_by(code=category)).one()
            resource = resources.create_resource(
                {"slug": slug, "category": cat, "visibility": visibility, "is_published": False,
                 "tags": list(tags)}, actor=None)
            for language, title in versions.items():
                resources.add_version(resource, {
                    "language": language, "title": title,
                    "summary": (summaries or {}).get(language, f"About {title}")},
                    FileStorage(stream=io.BytesIO(PDF), filename=f"{slug}-{language}.pdf"),
                    actor=None)
            if published:
                resources.set_published(resource, True, actor=None)
            db.session.commit()
            return resource.id
    return _create
