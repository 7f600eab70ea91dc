"""Demo training: past and coming sessions across topics, languages and time zones, the Global
Annual Meeting as a series, full sessions with waiting lists, fp@demo.gfp registered for some."""
import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from gfp_portal.accounts.services import find_user_by_email
from gfp_portal.extensions import db
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from gfp_portal.sessions import registration, services
from gfp_portal.sessions.models import Registration, RegistrationStatus, TrainingSession

ONLINE = "https://meet.example.org/gfp/"
# (days from today, local start, hours, zone, topic, format, languages, seats, titles by
#  language, registrations wanted, fp@demo.gfp registered)
PLAN = (
    (-120, time(14), 2, "America/New_York", "enabling_environment", "virtual", "en", 80,
     {"en": "The Enabling Environment Guidelines in practice"}, 60, True),
    (-75, time(10), 2, "Africa/Nairobi", "field_guidelines", "virtual", "en fr", 60,
     {"en": "Field-specific guidelines for country offices",
      "fr": "Directives pour les bureaux de pays"}, 45, False),
    (-40, time(9), 1.5, "America/Bogota", "bystander_intervention", "virtual", "es", 40,
     {"en": "Bystander intervention", "es": "Intervención de testigos"}, 32, True),
    (-21, time(11), 2, "Asia/Amman", "sexual_harassment", "virtual", "ar en", 50,
     {"en": "Preventing sexual harassment in the workplace",
      "ar": "منع التحرش الجنسي في مكان العمل"}, 38, False),
    (-8, time(15), 1, "Europe/Zurich", "parity_dashboard", "virtual", "en", 100,
     {"en": "Reading the gender parity dashboard"}, 55, True),
    (6, time(10), 2, "Asia/Kathmandu", "victim_centred", "virtual", "en", 60,
     # A title naming several entities at once: a word longer than a phone's line.
     {"en": "A victim-centred approach: UNDP/UNFPA/UNICEF/UNOPS/UN-Women joint training"}, 20,
     False),
    (9, time(9), 1.5, "America/Bogota", "enabling_environment", "virtual", "es", 12,
     {"en": "Enabling environment: a workshop in Spanish",
      "es": "Entorno propicio: taller en español"}, 16, True),
    (13, time(14), 2, "Africa/Dakar", "field_guidelines", "hybrid", "fr", 30,
     {"en": "Field-specific guidelines: West and Central Africa",
      "fr": "Directives pour le terrain : Afrique de l’Ouest et du Centre"}, 18, False),
    (20, time(10), 2, "Asia/Amman", "anti_racism", "virtual", "ar", 40,
     {"en": "Anti-racism and inclusion", "ar": "مكافحة العنصرية والإدماج"}, 10, False),
    (34, time(8), 1.5, "Asia/Bangkok", "bystander_intervention", "virtual", "en", 10,
     {"en": "Bystander intervention for Asia and the Pacific"}, 13, True),
    (-30, time(10), 1.5, "Europe/Zurich", "induction", "virtual", "en fr", 40,
     {"en": "Induction for new focal points", "fr": "Intégration des nouveaux points focaux"},
     6, False),
    (16, time(10), 1.5, "Europe/Zurich", "induction", "virtual", "en fr", 40,
     {"en": "Induction for new focal points", "fr": "Intégration des nouveaux points focaux"},
     0, False),
    (18, time(9), 1.5, "America/Panama", "induction", "virtual", "es en", 40,
     {"en": "Induction for new focal points (Americas)",
      "es": "Iniciación para nuevos puntos focales (Américas)"}, 0, False),
)
# The full sessions' waiting lists, by the day they are held: a priority each.
POLICIES = {9: "coverage_gap", 34: "not_trained"}
GAM = {"en": "Global Annual Meeting of Gender Focal Points",
       "fr": "Réunion annuelle mondiale des points focaux pour les questions de genre",
       "es": "Reunión Anual Mundial de los Puntos Focales de Género",
       "ar": "الاجتماع السنوي العالمي لجهات تنسيق الشؤون الجنسانية"}
GAM_DAYS = ({"en": "Day 1: the state of parity", "fr": "Jour 1 : l’état de la parité",
             "es": "Día 1: el estado de la paridad", "ar": "اليوم الأول: واقع التكافؤ"},
            {"en": "Day 2: enabling environments", "fr": "Jour 2 : environnements favorables",
             "es": "Día 2: entornos propicios", "ar": "اليوم الثاني: البيئات التمكينية"},
            {"en": "Day 3: the network's plan", "fr": "Jour 3 : le plan du réseau",
             "es": "Día 3: el plan de la red", "ar": "اليوم الثالث: خطة الشبكة"})
DESCRIPTION = ("A practical session for focal points and alternates: the guidance, examples "
               "from the network and time for questions.")


def _at(today, days, local, zone):
    day = today + timedelta(days=days)
    return datetime.combine(day, local, tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def _values(titles, start, hours, zone, topic, kind, languages, seats, n):
    values = {f"title_{lang}": text for lang, text in titles.items()}
    values.update(description_en=DESCRIPTION, topic=topic, format=kind, starts_at=start,
                  ends_at=start + timedelta(hours=hours), time_zone=zone, languages=languages,
                  capacity=seats, audience="both",
                  join_url=ONLINE + f"s{n}" if kind != "in_person" else None,
                  venue="UN House, Dakar" if kind == "hybrid" else None)
    return values


def _past_registrations(session, people, now):
    for person in people[:session.capacity]:
        db.session.add(Registration(session=session, person=person, created_at=now,
                                    status=RegistrationStatus.registered,
                                    registered_at=session.starts_at - timedelta(days=10)))


def seed_sessions(*, now, seed=2026):
    """Add the demo training once; returns the number of sessions added."""
    if db.session.scalar(select(TrainingSession.id).limit(1)) is not None:
        return 0
    rng = random.Random(seed)  # noqa: S311 — synthetic data, not secrets
    office = find_user_by_email("coordinator@demo.gfp")
    lucia = db.session.scalars(select(Person).filter_by(email="fp@demo.gfp")).first()
    active = db.session.scalars(
        select(Person).join(Appointment, Appointment.person_id == Person.id)
        .where(Appointment.status == AppointmentStatus.active, Person.id != getattr(
            lucia, "id", 0)).distinct().order_by(Person.id)).all()
    today = now.date()
    added = 0
    for n, (days, local, hours, zone, topic, kind, languages, seats, titles, wanted,
            with_lucia) in enumerate(PLAN):
        start = _at(today, days, local, zone)
        values = _values(titles, start, hours, zone, topic, kind, languages, seats, n)
        values["waitlist_policy"] = POLICIES.get(days, "first_come")
        session = services.create_session(values, actor=office, now=now)
        services.publish_session(session, actor=office, now=now)
        people = ([lucia] if with_lucia and lucia else []) + rng.sample(active, wanted)
        if start <= now:
            _past_registrations(session, people, now)
        else:
            for person in people:
                registration.register(session, person, actor=office, now=now,
                                      by_coordinator=True, notify=False)
        added += 1
    series = services.create_series({f"title_{k}": v for k, v in GAM.items()}, actor=office,
                                    now=now)
    for day, titles in enumerate(GAM_DAYS):
        start = _at(today, 55 + day, time(9), "Europe/Zurich")
        values = _values(titles, start, 7, "Europe/Zurich", "network_meeting", "hybrid",
                         "en fr es ar", 150, 100 + day)
        values.update(series_id=series.id, venue="Palais des Nations, Geneva",
                      description_en="Three days of the Global Annual Meeting, in Geneva and "
                                     "online, with interpretation into French, Spanish and "
                                     "Arabic.")
        session = services.create_session(values, actor=office, now=now)
        services.publish_session(session, actor=office, now=now)
        for person in rng.sample(active, 40):
            registration.register(session, person, actor=office, now=now,
                                  by_coordinator=True, notify=False)
        added += 1
    return added
