"""The benchmark's network, ten times the real one: 6,500 people and their appointments, all
132 UN Country Teams with about 25 member entities each, nominations and the accounts that look
at them. Written with bulk inserts (the services would take minutes); deterministic."""
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, text

from gfp_portal.accounts.models import Role, User
from gfp_portal.accounts.passwords import hash_password
from gfp_portal.accounts.services import set_roles
from gfp_portal.attendance.evaluations import RATINGS
from gfp_portal.attendance.models import Attendance, EvaluationAnswer, EvaluationResponse
from gfp_portal.core.search import kept_keys
from gfp_portal.extensions import db
from gfp_portal.nominations.models import Nomination
from gfp_portal.parity.imports import apply_figures
from gfp_portal.plans.models import (
    ImplementationPlan,
    PlanDocument,
    PlanNote,
    PlanPeriod,
    PlanTarget,
    plan_responsibles,
)
from gfp_portal.practices.models import GuidelineArea, Practice, PracticeVersion
from gfp_portal.reference.models import Entity, Unct, unct_members
from gfp_portal.reference.services import get_or_create_duty_station, load_reference_data
from gfp_portal.registry.models import Appointment, Person
from gfp_portal.resources.models import (
    TAG_TITLES,
    Resource,
    ResourceCategory,
    ResourceDownload,
    ResourceTag,
    ResourceVersion,
)
from gfp_portal.resources.services import ensure_default_categories
from gfp_portal.sessions.models import Registration, TrainingSession

PASSWORD = "bench-password"  # noqa: S105 — a throwaway benchmark database
ACCOUNTS = {
    "coordinator": ("coordinator@bench.gfp", [Role.coordinator], []),
    "rc": ("rc@bench.gfp", [Role.resident_coordinator], ["KEN", "UGA", "TZA"]),
    "fp": ("fp@bench.gfp", [Role.focal_point], []),
    # A focal point registered for BUSY_SESSIONS sessions: the personal feed the speed goals
    # are set for.
    "busy": ("busy@bench.gfp", [Role.focal_point], []),
}
BUSY_SESSIONS = 270
# The network at its real size, a tenth of every count of the benchmark's (its UN Country
# Teams and entities are the real ones already): what `make bench` compares growth against.
REAL_SIZE = {"people": 650, "nominations": 60, "sessions": 100, "practices": 200,
             "resources": 40}
STATIONS = (("New York", "USA", "America/New_York"), ("Geneva", "CHE", "Europe/Zurich"),
            ("Nairobi", "KEN", "Africa/Nairobi"), ("Bangkok", "THA", "Asia/Bangkok"),
            ("Amman", "JOR", "Asia/Amman"), ("Dakar", "SEN", "Africa/Dakar"),
            ("Panama City", "PAN", "America/Panama"), ("Kathmandu", "NPL", "Asia/Kathmandu"))
GIVEN = ("Amina", "Lucía", "Wanjiru", "Nguyen", "Fatima", "Olga", "Priya", "Chloé", "Kofi",
         "Mariam", "José", "Aiko", "Hassan", "Ingrid", "Tenzin", "Zanele")
FAMILY = ("Diallo", "Fernández", "Kamau", "Tran", "Haddad", "Petrova", "Sharma", "Martin",
          "Mensah", "Ali", "García", "Sato", "Karimi", "Larsen", "Dorji", "Dlamini")
GRADES = ("P-3", "P-4", "P-5", "NO-B", "NO-C", "G-6", "D-1")


@dataclass
class Network:
    people: int
    appointments: int
    nominations: int
    person_ids: list
    nomination_ids: list
    sessions: int = 0
    registrations: int = 0
    session_ids: list = None
    plan_id: int = None
    past_session_id: int = None
    marks: int = 0
    resources: int = 0
    resource_slug: str = None


def _members(rng, entity_ids):
    rows = []
    for unct_id in db.session.scalars(select(Unct.id).order_by(Unct.id)):
        rows += [{"unct_id": unct_id, "entity_id": e}
                 for e in rng.sample(entity_ids, min(25, len(entity_ids)))]
    db.session.execute(unct_members.delete())
    db.session.execute(insert(unct_members), rows)
    return rows


def _person(n, rng, entity_id, station_ids, now):
    return _keyed(Person, {
        "given_name": rng.choice(GIVEN), "family_name": rng.choice(FAMILY),
        "email": f"person{n}@bench.gfp", "grade": rng.choice(GRADES),
        "position_title": "Programme Specialist", "entity_id": entity_id,
        "duty_station_id": rng.choice(station_ids), "preferred_language":
        rng.choice(("en", "fr", "es", "ar")), "time_zone": "UTC",
        "directory_consent": rng.random() < 0.6, "created_at": now})


def _keyed(model, row):
    """`row` with the folded keys the portal gives such a row of `model` when it writes it
    (core.search.kept_keys): rows inserted in bulk pass by no ORM event."""
    return {**row, **kept_keys(model(**row))}


def _appointment(person_id, entity_id, unct_id, role, today, rng, status="active"):
    start = today - timedelta(days=rng.randint(30, 700))
    end = start + timedelta(days=730) if status == "active" else \
        start + timedelta(days=rng.randint(100, 400))
    if status == "active" and end < today:
        end = today + timedelta(days=rng.randint(1, 400))
    return {"person_id": person_id, "entity_id": entity_id, "unct_id": unct_id, "role": role,
            "status": status, "start_date": start, "end_date": end,
            "time_share": rng.choice((10, 20, 30, None)), "tor_on_file": rng.random() < 0.7,
            "end_reason": None if status == "active" else "term_ended",
            "ended_on": None if status == "active" else end, "created_at": datetime.now(UTC)}


def analyze():
    """Commit, then gather the planner's statistics and, on PostgreSQL, vacuum, as a database
    in service has them (its autovacuum analyses and vacuums tables as they grow): without
    statistics PostgreSQL plans a freshly filled table as if it were empty; without a vacuum
    every index-only scan still reads the table, and the autovacuum would run in the middle of
    the timings."""
    db.session.commit()
    if db.engine.url.get_backend_name() != "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def generate(*, people=6500, nominations=600, sessions=1000, practices=2000,
             resources=400, seed=7):
    """Fill an empty, migrated database; returns what was written."""
    rng = random.Random(seed)  # noqa: S311 — synthetic data, not secrets
    now = datetime.now(UTC)
    today = now.date()
    load_reference_data(now=now)
    entity_ids = list(db.session.scalars(select(Entity.id).order_by(Entity.id)))
    members = _members(rng, entity_ids)
    station_ids = [get_or_create_duty_station(city, iso3, zone, now=now).id
                   for city, iso3, zone in STATIONS]
    db.session.flush()

    # Cells (UNCT × member entity) get a focal point and an alternate 80 % of the time, and
    # every entity one at headquarters; everyone else holds an ended term (history).
    slots = [(m["unct_id"], m["entity_id"], role) for m in members
             for role in ("focal_point", "alternate") if rng.random() < 0.8]
    slots += [(None, e, role) for e in entity_ids for role in ("focal_point", "alternate")]
    rng.shuffle(slots)
    rows = [_person(n, rng, (slots[n][1] if n < len(slots) else rng.choice(entity_ids)),
                    station_ids, now) for n in range(people)]
    db.session.execute(insert(Person), rows)
    person_ids = list(db.session.scalars(select(Person.id).order_by(Person.id)))
    appointments = []
    for n, person_id in enumerate(person_ids):
        if n < len(slots):
            unct_id, entity_id, role = slots[n]
            appointments.append(_appointment(person_id, entity_id, unct_id, role, today, rng))
        else:
            unct_id, entity_id, role = rng.choice(slots)
            appointments.append(_appointment(person_id, entity_id, unct_id, role, today, rng,
                                             status="ended"))
    db.session.execute(insert(Appointment), appointments)

    users = _accounts(person_ids, now)
    nomination_rows = [{
        "kind": "nomination", "state": state, "role": "alternate",
        "entity_id": m["entity_id"], "unct_id": m["unct_id"], "given_name": rng.choice(GIVEN),
        "family_name": rng.choice(FAMILY), "email": f"nominee{n}@bench.gfp",
        "preferred_language": "en", "tor_acknowledged": True, "justification": "Bench.",
        "nominator_id": users["coordinator"].id, "created_at": now, "submitted_at":
        now - timedelta(days=rng.randint(0, 90)), "time_share": 20}
        for n, (m, state) in enumerate(zip(rng.sample(members, nominations), rng.choices(
            ("submitted", "approved", "rejected", "withdrawn"), k=nominations), strict=True))
        if state != "submitted" or n % 2]
    db.session.execute(insert(Nomination), nomination_rows)
    db.session.flush()
    session_ids, registrations = _training(rng, person_ids, now, sessions=sessions)
    registrations += _busy_calendar(rng, users["busy"].person_id, session_ids, now)
    past_session_id, marks = _attendance(rng, now)
    _practices(rng, entity_ids, users["fp"].id, now, count=practices)
    plan_id = _plans(rng, entity_ids, person_ids, users["coordinator"].id, now)
    _parity(rng, now)
    resource_slug = _library(rng, now, count=resources)
    return Network(people=len(person_ids), appointments=len(appointments),
                   nominations=len(nomination_rows), person_ids=person_ids,
                   nomination_ids=list(db.session.scalars(select(Nomination.id))),
                   sessions=len(session_ids), registrations=registrations,
                   session_ids=session_ids, plan_id=plan_id,
                   past_session_id=past_session_id, marks=marks, resources=resources,
                   resource_slug=resource_slug)


def _plans(rng, entity_ids, person_ids, author_id, now, *, periods=8):
    """Implementation plans for every entity in each of `periods` three-year periods (about
    ten times the 92 plans of 2022–2024), two responsible people each; the latest period's
    first plan has documents in four languages, targets and notes. Returns its id."""
    period_rows = [{"name": f"{year}–{year + 2}", "first_year": year, "last_year": year + 2,
                    "deadline": date(year, 6, 30), "created_at": now}
                   for year in range(2028 - 3 * periods, 2028, 3)]
    db.session.execute(insert(PlanPeriod), period_rows)
    period_ids = list(db.session.scalars(select(PlanPeriod.id).order_by(PlanPeriod.first_year)))
    statuses = ("not_started", "in_preparation", "submitted", "updated")
    db.session.execute(insert(ImplementationPlan), [
        {"entity_id": entity_id, "period_id": period_id, "status": rng.choice(statuses),
         "created_at": now} for period_id in period_ids for entity_id in entity_ids])
    plans = db.session.execute(select(ImplementationPlan.id, ImplementationPlan.period_id)
                               .order_by(ImplementationPlan.id)).all()
    db.session.execute(insert(plan_responsibles), [
        {"plan_id": plan_id, "person_id": person_id} for plan_id, _period in plans
        for person_id in rng.sample(person_ids, 2)])
    plan_id = min(plan for plan, period in plans if period == period_ids[-1])
    first_year = period_rows[-1]["first_year"]
    db.session.execute(insert(PlanDocument), [
        {"plan_id": plan_id, "language": language, "file_key": f"ab/{n:032x}.pdf",
         "filename": f"plan-{language}-{n}.pdf", "content_type": "application/pdf",
         "size": 120_000, "sha256": f"{n:064x}", "uploaded_by_id": author_id,
         "uploaded_at": now - timedelta(days=n)}
        for n, language in enumerate(["en", "fr", "es", "ar"] * 3)])
    db.session.execute(insert(PlanTarget), [
        {"plan_id": plan_id, "grade": grade, "year": first_year + offset,
         "women_percent": 40 + offset * 3}
        for grade in ("P-2", "P-3", "P-4", "P-5", "D-1", "D-2") for offset in range(3)])
    db.session.execute(insert(PlanNote), [
        {"plan_id": plan_id, "text": f"Review note {n}.", "author_id": author_id,
         "created_at": now - timedelta(days=n)} for n in range(10)])
    return plan_id


# Parity figures: 38 entities (UNDP first, the entity page the bench opens), 32 quarters,
# twelve grades, at headquarters and in the field: ten times the Dashboard's yearly file.
PARITY_ENTITIES = 38
PARITY_GRADES = ("USG", "ASG", "D-2", "D-1", "P-5", "P-4", "P-3", "P-2", "P-1", "NO", "FS", "G")
PARITY_QUARTERS = [(year, quarter) for year in range(2017, 2025) for quarter in (1, 2, 3, 4)]


def parity_entities():
    undp = db.session.scalar(select(Entity.id).filter_by(acronym="UNDP"))
    others = db.session.scalars(select(Entity.id).where(Entity.id != undp).order_by(Entity.id)
                                .limit(PARITY_ENTITIES - 1))
    return [undp, *others]


def _parity(rng, now):
    """Written as the import writes them (with their totals), in one file."""
    figures = [(entity_id, year, quarter, grade, station, "", rng.randint(0, 400),
                rng.randint(0, 400))
               for entity_id in parity_entities() for year, quarter in PARITY_QUARTERS
               for grade in PARITY_GRADES for station in ("headquarters", "field")]
    apply_figures(figures, "bench-parity.csv", "0" * 64, actor=None, now=now)


ZONES = ("Europe/Zurich", "America/New_York", "Africa/Nairobi", "Asia/Bangkok",
         "America/Bogota", "Asia/Amman", "Asia/Kathmandu")
TOPICS = ("enabling_environment", "field_guidelines", "bystander_intervention",
          "victim_centred", "sexual_harassment", "parity_dashboard", "anti_racism")


def _training(rng, person_ids, now, *, sessions=1000, per_session=60):
    """1,000 sessions over three years around today, 60 registrations each (60,000)."""
    rows = []
    for n in range(sessions):
        start = (now + timedelta(days=rng.randint(-730, 365), hours=rng.randint(0, 23))) \
            .replace(minute=0, second=0, microsecond=0)
        rows.append(_keyed(TrainingSession, {
            "title_en": f"{TOPICS[n % len(TOPICS)].replace('_', ' ').title()} {n}",
            "title_fr": f"Séance {n}", "topic": TOPICS[n % len(TOPICS)], "format": "virtual",
            "starts_at": start, "ends_at": start + timedelta(minutes=90),
            "time_zone": rng.choice(ZONES), "join_url": f"https://meet.example.org/bench/{n}",
            "languages": "en fr", "capacity": 80, "audience": "both", "status": "published",
            "ical_sequence": 0, "seats_version": 0, "created_at": now, "updated_at": now}))
    db.session.execute(insert(TrainingSession), rows)
    session_ids = list(db.session.scalars(select(TrainingSession.id).order_by(
        TrainingSession.id)))
    registrations = [{"session_id": session_id, "person_id": person_id,
                      "status": "registered", "registered_at": now, "created_at": now}
                     for session_id in session_ids
                     for person_id in rng.sample(person_ids, per_session)]
    db.session.execute(insert(Registration), registrations)
    return session_ids, len(registrations)


def _insert_each(*tables):
    """Bulk-insert each (model, rows) that has rows (an empty insert is refused)."""
    for model, rows in tables:
        if rows:
            db.session.execute(insert(model), rows)


def _attendance(rng, now):
    """Every seat of a session that has ended is marked (most present), and about a third of
    those who attended answered its evaluation; returns the latest session that has ended and
    how many seats were marked."""
    ended = dict(db.session.execute(
        select(TrainingSession.id, TrainingSession.ends_at)
        .where(TrainingSession.ends_at < now).order_by(TrainingSession.ends_at)).all())
    seats = db.session.execute(
        select(Registration.id, Registration.session_id, Registration.person_id)
        .where(Registration.session_id.in_(ended), Registration.status == "registered")
        .order_by(Registration.id)).all()
    marks, responses, answers = [], [], []
    for registration_id, session_id, person_id in seats:
        status = rng.choices(("present", "partial", "absent", "excused"), (70, 10, 15, 5))[0]
        marks.append({"registration_id": registration_id, "status": status,
                      "minutes": 90 if status == "present" else None, "source": "manual",
                      "recorded_at": ended[session_id]})
        if status in ("present", "partial") and rng.random() < 0.35:
            responses.append({"session_id": session_id, "person_id": person_id,
                              "submitted_on": ended[session_id]})
            answers.append({"id": f"{rng.getrandbits(128):032x}", "session_id": session_id,
                            "applicable": rng.random() < 0.8, "rating": rng.choice(RATINGS),
                            "belonging": rng.random() < 0.7, "empowered": rng.random() < 0.75,
                            "comment": None})
    _insert_each((Attendance, marks), (EvaluationResponse, responses), (EvaluationAnswer, answers))
    return next(reversed(ended), None), len(marks)


def _library(rng, now, *, count=400):
    """A library of `count` resources in every category, each in one to four languages, with
    topic tags and two years of monthly downloads; returns the slug of the first."""
    ensure_default_categories()
    category_ids = list(db.session.scalars(select(ResourceCategory.id)))
    db.session.execute(insert(Resource), [{
        "slug": f"bench-resource-{n}", "category_id": rng.choice(category_ids),
        "visibility": rng.choice(("public", "public", "network")),
        "is_published": rng.random() < 0.9, "created_at": now - timedelta(days=n),
        "updated_at": now} for n in range(count)])
    resource_ids = list(db.session.scalars(select(Resource.id).order_by(Resource.id)))
    versions, tags, downloads = [], [], []
    # The first day of this month and of each of the 23 before it.
    months = [date(now.year + (now.month - 1 - back) // 12, (now.month - 1 - back) % 12 + 1, 1)
              for back in range(24)]
    for resource_id in resource_ids:
        for language in ("en", "fr", "es", "ar")[:rng.randint(1, 4)]:
            title = f"{rng.choice(TOPICS).replace('_', ' ').title()} guide {resource_id}"
            versions.append(_keyed(ResourceVersion, {
                "resource_id": resource_id, "language": language, "title": title,
                "summary": "Bench summary.",
                "external_url": f"https://docs.example.org/{resource_id}/{language}",
                "created_at": now, "updated_at": now}))
            downloads += [{"resource_id": resource_id, "language": language, "month": month,
                           "count": rng.randint(1, 40)} for month in months
                          if rng.random() < 0.6]
        tags += [{"resource_id": resource_id, "tag": tag}
                 for tag in rng.sample(sorted(TAG_TITLES), rng.randint(0, 3))]
    _insert_each((ResourceVersion, versions), (ResourceTag, tags), (ResourceDownload, downloads))
    return "bench-resource-0" if resource_ids else None


def _busy_calendar(rng, person_id, session_ids, now):
    """Register the busy account's person for sessions they are not registered for yet, up
    to BUSY_SESSIONS in all (every session of a smaller network); returns how many
    registrations were added."""
    held = set(db.session.scalars(select(Registration.session_id)
                                  .where(Registration.person_id == person_id)))
    more = rng.sample([s for s in session_ids if s not in held],
                      min(BUSY_SESSIONS, len(session_ids)) - len(held))
    db.session.execute(insert(Registration), [
        {"session_id": session_id, "person_id": person_id, "status": "registered",
         "registered_at": now, "created_at": now} for session_id in more])
    return len(more)


def _practices(rng, entity_ids, submitter_id, now, *, count=2000):
    """2,000 good practices (ten times what the network may gather), most published, each in
    one to four languages."""
    states = ("published",) * 8 + ("submitted", "changes_requested")
    areas = [a.value for a in GuidelineArea]
    db.session.execute(insert(Practice), [{
        "entity_id": rng.choice(entity_ids), "year": rng.randint(2015, now.year),
        "area": rng.choice(areas), "state": rng.choice(states), "submitter_id": submitter_id,
        "created_at": now, "submitted_at": now - timedelta(days=rng.randint(0, 900)),
        "updated_at": now, "published_at": now - timedelta(days=rng.randint(0, 900)),
    } for _n in range(count)])
    versions = []
    for practice_id in db.session.scalars(select(Practice.id).order_by(Practice.id)):
        for language in ("en", "fr", "es", "ar")[:rng.randint(1, 4)]:
            title = f"{rng.choice(TOPICS).replace('_', ' ').title()} practice {practice_id}"
            body = "Mentoring, flexible working and temporary special measures. " * 8
            versions.append(_keyed(PracticeVersion, {
                "practice_id": practice_id, "language": language, "title": title,
                "summary": "Bench summary.", "body": body, "results": "32 % → 41 %"}))
    db.session.execute(insert(PracticeVersion), versions)


def _accounts(person_ids, now):
    users = {}
    uncts = {u.iso3: u for u in db.session.scalars(select(Unct))}
    for n, (key, (email, roles, codes)) in enumerate(ACCOUNTS.items()):
        person = db.session.get(Person, person_ids[n])
        person.email = email
        user = User(email=email, person=person, is_active=True, locale="en",
                    password_hash=hash_password(PASSWORD), created_at=now, activated_at=now,
                    time_zone="UTC")
        db.session.add(user)
        set_roles(user, roles, [uncts[c] for c in codes if c in uncts])
        users[key] = user
    db.session.flush()
    return users
