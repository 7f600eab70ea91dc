"""Demo data: reference data, UNCT membership, duty stations, the accounts and the registry."""
import random

from sqlalchemy import select

from gfp_portal.accounts.models import Role, User
from gfp_portal.accounts.passwords import hash_password
from gfp_portal.accounts.services import find_user_by_email, set_roles
from gfp_portal.core.db import utcnow
from gfp_portal.demo.attendance import seed_attendance
from gfp_portal.demo.induction import seed_induction
from gfp_portal.demo.library import seed_library
from gfp_portal.demo.messages import seed_messages
from gfp_portal.demo.nominations import seed_nominations
from gfp_portal.demo.parity import seed_parity
from gfp_portal.demo.people import seed_registry
from gfp_portal.demo.plans import seed_plans
from gfp_portal.demo.practices import seed_practices
from gfp_portal.demo.privacy import seed_privacy
from gfp_portal.demo.programme import seed_programme
from gfp_portal.demo.sessions import seed_sessions
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.reference.services import get_or_create_duty_station, load_reference_data
from gfp_portal.registry.models import Person
from gfp_portal.registry.signals import appointment_started

DEMO_PASSWORD = "demo-password"  # noqa: S105 — published in the README on purpose

# Entities present in nearly every country team, then others drawn per team.
CORE_MEMBERS = ("UNDP", "UNICEF", "UNFPA", "UN-Women", "WHO", "FAO", "WFP")
OTHER_MEMBERS = ("UNHCR", "ILO", "UNESCO", "IOM", "UNAIDS", "UNOPS", "UNODC", "OHCHR", "UNEP",
                 "UN-Habitat", "IFAD", "UNIDO", "OCHA", "ITU", "UNCTAD", "UNV", "UNCDF", "ITC",
                 "WMO", "IAEA", "UN Tourism")
KENYA_MEMBERS = CORE_MEMBERS + ("UNHCR", "ILO", "UNESCO", "IOM", "UNAIDS", "UNOPS", "UNODC",
                                "OHCHR", "UNEP", "UN-Habitat", "IFAD", "OCHA", "UNON")

DUTY_STATIONS = (
    ("New York", "USA", "America/New_York"), ("Geneva", "CHE", "Europe/Zurich"),
    ("Nairobi", "KEN", "Africa/Nairobi"), ("Vienna", "AUT", "Europe/Vienna"),
    ("Bangkok", "THA", "Asia/Bangkok"), ("Addis Ababa", "ETH", "Africa/Addis_Ababa"),
    ("Beirut", "LBN", "Asia/Beirut"), ("Santiago", "CHL", "America/Santiago"),
    ("Amman", "JOR", "Asia/Amman"), ("Dakar", "SEN", "Africa/Dakar"),
    ("Panama City", "PAN", "America/Panama"), ("Istanbul", "TUR", "Europe/Istanbul"),
    ("Rome", "ITA", "Europe/Rome"), ("Paris", "FRA", "Europe/Paris"),
    ("Kathmandu", "NPL", "Asia/Kathmandu"), ("Bogotá", "COL", "America/Bogota"),
)

DEMO_ACCOUNTS = (
    # email, given name, family name, roles, UNCTs, language, time zone, entity, duty station
    ("admin@demo.gfp", "Amina", "Haddad", [Role.admin], [], "en", "America/New_York",
     "UN-Women", "New York"),
    ("coordinator@demo.gfp", "Claire", "Dubois-Martín", [Role.coordinator], [], "fr",
     "America/New_York", "UN-Women", "New York"),
    ("rc.kenya@demo.gfp", "Wanjiru", "Kamau", [Role.resident_coordinator], ["KEN"], "en",
     "Africa/Nairobi", "DCO", "Nairobi"),
    ("fp@demo.gfp", "Lucía", "Fernández", [Role.focal_point], [], "es", "America/Bogota",
     "UNDP", "Bogotá"),
)


# Position and grade of the people behind the accounts (the focal point's shows no warning).
DEMO_POSITIONS = {
    "admin@demo.gfp": ("Information Systems Officer", "P-3"),
    "coordinator@demo.gfp": ("Coordination Specialist", "P-4"),
    "rc.kenya@demo.gfp": ("Resident Coordinator", "D-2"),
    "fp@demo.gfp": ("Programme Specialist", "NO-C"),
}


def _assign_members(rng):
    entities = {e.acronym: e for e in db.session.scalars(select(Entity))}
    for unct in db.session.scalars(select(Unct).order_by(Unct.iso3)):
        if unct.members:
            continue
        if unct.iso3 == "KEN":
            chosen = KENYA_MEMBERS
        else:
            chosen = CORE_MEMBERS + tuple(rng.sample(OTHER_MEMBERS, rng.randint(10, 18)))
        unct.members = [entities[a] for a in chosen if a in entities]


def _demo_account(spec, stations, entities, uncts, now):
    email, given, family, roles, unct_codes, locale, zone, entity, station = spec
    user = find_user_by_email(email)
    if user is not None:
        return user, False
    person = db.session.scalars(select(Person).where(Person.email == email)).first() or Person(
        given_name=given, family_name=family, email=email, preferred_language=locale,
        time_zone=zone, entity=entities.get(entity), duty_station=stations.get(station),
        position_title=DEMO_POSITIONS[email][0], grade=DEMO_POSITIONS[email][1],
        directory_consent=True, created_at=now)
    user = User(email=email, person=person, password_hash=hash_password(DEMO_PASSWORD),
                is_active=True, activated_at=now, created_at=now, locale=locale, time_zone=zone)
    db.session.add(user)
    set_roles(user, roles, [uncts[c] for c in unct_codes])
    return user, True


def seed_demo(*, seed=2026):
    """Load everything the demo needs; a second run adds nothing.

    Returns the new accounts' emails and the numbers of people, appointments, library
    resources, good practices and awards added.
    """
    rng = random.Random(seed)
    now = utcnow()
    load_reference_data(now=now)
    _assign_members(rng)
    stations = {city: get_or_create_duty_station(city, iso3, zone, now=now)
                for city, iso3, zone in DUTY_STATIONS}
    entities = {e.acronym: e for e in db.session.scalars(select(Entity))}
    uncts = {u.iso3: u for u in db.session.scalars(select(Unct))}
    created = [spec[0] for spec in DEMO_ACCOUNTS
               if _demo_account(spec, stations, entities, uncts, now)[1]]
    db.session.flush()
    # The demo network was appointed before the induction path existed: seed_induction puts
    # a few people on it, in various states.
    with appointment_started.muted():
        people, appointments = seed_registry(uncts, entities, seed=seed, now=now)
        nominations = seed_nominations(now=now)
    sessions = seed_sessions(now=now)
    seed_attendance(now=now)
    seed_programme(now=now)
    resources = seed_library(rng=rng, now=now)
    induction = seed_induction(now=now)
    practices, awards = seed_practices(now=now)
    plans = seed_plans(now=now)
    parity = seed_parity(now=now)
    messages = seed_messages(now=now)
    seed_privacy(now=now)
    return {"accounts": created, "people": people, "appointments": appointments,
            "nominations": nominations, "sessions": sessions, "resources": resources,
            "practices": practices, "awards": awards, "plans": plans, "parity_figures": parity,
            "messages": messages, "induction_paths": induction}
