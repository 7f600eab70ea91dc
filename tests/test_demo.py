"""Demo data: the documented accounts exist, can sign in, the registry looks like the real
network (gaps, expiring terms, warnings), and a second seed adds nothing."""
import re

import pytest
from sqlalchemy import func, literal_column, select

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import utcnow
from gfp_portal.demo.people import slug
from gfp_portal.extensions import db
from gfp_portal.parity import queries as parity_queries
from gfp_portal.parity.models import ParityFigure, ParityImport
from gfp_portal.parity.tables import rounded
from gfp_portal.practices.models import Award, Practice, PracticeVersion
from gfp_portal.reference.models import DutyStation, Entity, Unct
from gfp_portal.registry import services
from gfp_portal.registry.models import Appointment, AppointmentRole, AppointmentStatus, Person
from gfp_portal.registry.policy import Policy
from tests.helpers import copy_rows, login, paste_rows

REGISTRY = (Person, Appointment, AuditEvent, DutyStation)


@pytest.fixture(scope="module")
def _seed(tmp_path_factory):
    """The first test's seed: its output, its rows and the folder of its files."""
    return {"storage": str(tmp_path_factory.mktemp("storage")), "output": None, "rows": None}


@pytest.fixture
def seeded(_seed, runner, app, monkeypatch):
    """The database as `flask demo seed` leaves it, and what the command printed. The command
    runs once; later tests get its rows copied (and share its stored files)."""
    monkeypatch.setitem(app.config, "STORAGE_PATH", _seed["storage"])
    with app.app_context():
        if _seed["rows"] is not None:
            paste_rows(_seed["rows"])
            return _seed["output"]
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        _seed.update(output=result.output, rows=copy_rows())
    return result.output


def _counts(models):
    return [db.session.scalar(select(func.count()).select_from(m)) for m in models]


def test_seed_is_idempotent_and_prints_the_accounts(seeded, runner, app):
    assert "admin@demo.gfp" in seeded and "demo-password" in seeded
    assert "new people" in seeded and ", 0 new people" not in seeded
    with app.app_context():
        before = [db.session.scalar(select(func.count()).select_from(m))
                  for m in (User, Entity, Unct)]
        registry = _counts(REGISTRY)
    second = runner.invoke(args=["demo", "seed"])
    assert "0 new accounts" in second.output
    assert "(0 new accounts, 0 new people, 0 new appointments, 0 new nominations, 0 new " \
        "sessions)" in second.output
    with app.app_context():
        after = [db.session.scalar(select(func.count()).select_from(m))
                 for m in (User, Entity, Unct)]
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        assert len(kenya.members) >= 15
        assert _counts(REGISTRY) == registry
    # The four demo accounts and the two nominees invited when their nominations were approved.
    assert before == after == [6, 127, 132]


@pytest.mark.parametrize("email", ["admin@demo.gfp", "coordinator@demo.gfp",
                                   "rc.kenya@demo.gfp", "fp@demo.gfp"])
def test_each_demo_account_can_sign_in(seeded, client, email):
    assert login(client, email, "demo-password").status_code == 302
    assert client.get("/", follow_redirects=True).status_code == 200


def test_the_registry_looks_like_the_network(seeded, app):
    today = utcnow().date()
    with app.app_context():
        active = db.session.scalars(select(Appointment).where(
            Appointment.status == AppointmentStatus.active)).all()
        assert db.session.scalar(select(func.count()).select_from(Person)) >= 650
        assert len(active) >= 500
        assert db.session.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.status != AppointmentStatus.active)) > 0  # history
        # Never two active focal points for one (entity, scope); 0 stands for headquarters
        # (a literal, so that PostgreSQL sees the same expression in SELECT and GROUP BY).
        scope = func.coalesce(Appointment.unct_id, literal_column("0"))
        assert not db.session.execute(
            select(Appointment.entity_id, scope)
            .where(Appointment.status == AppointmentStatus.active,
                   Appointment.role == AppointmentRole.focal_point)
            .group_by(Appointment.entity_id, scope)
            .having(func.count() > 1)).all()
        assert services.expiring(today=today, within_days=30)
        assert all(a.end_date >= today for a in active)
        policy = Policy.current()
        assert any(policy.warnings(a) for a in active)
        assert any(a.unct_id is None for a in active)
        emails = db.session.scalars(select(Person.email)).all()
        assert all(e.isascii() and e == e.lower() for e in emails)
        assert len({e.lower() for e in emails}) == len(emails)


def test_the_demo_accounts_see_gaps_and_their_own_appointment(seeded, app):
    today = utcnow().date()
    with app.app_context():
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        active = [a for a in db.session.scalars(select(Appointment).where(
            Appointment.unct_id == kenya.id, Appointment.status == AppointmentStatus.active))]
        with_focal_point = {a.entity_id for a in active if a.role == AppointmentRole.focal_point}
        assert any(e.id not in with_focal_point for e in kenya.members)
        assert len(with_focal_point) > len(kenya.members) // 2
        assert any((a.end_date - today).days <= 30 for a in active)

        person = services.find_person_by_email("fp@demo.gfp")
        (appointment,) = person.active_appointments
        assert (appointment.entity.acronym, appointment.unct.iso3, appointment.role) == \
            ("UNDP", "COL", AppointmentRole.focal_point)
        assert Policy.current().warnings(appointment) == []


@pytest.mark.parametrize(("name", "expected"), [
    ("Nguyễn Đức", "nguyen-duc"), ("Çamurcuoğlu", "camurcuoglu"), ("Hüseynbəyli", "huseynbeyli"),
    ("O'Connor", "o-connor"), ("فاطمة", ""),
])
def test_names_become_ascii_address_parts(name, expected):
    assert slug(name) == expected


def test_demo_nominations_cover_every_state_and_the_kenya_rc_made_some(seeded, app, client):
    from gfp_portal.nominations.models import Nomination, NominationState

    with app.app_context():
        nominations = db.session.scalars(select(Nomination)).all()
        assert {n.state for n in nominations} == set(NominationState) - {
            NominationState.unverified}
        waiting = [n for n in nominations if n.is_self_registration]
        assert len(waiting) >= 3 and {n.state for n in waiting} == {NominationState.submitted}
        assert any(not n.entity.uses_email_domain(n.email) for n in waiting)
        kenya = [n for n in nominations
                 if n.nominator and n.nominator.email == "rc.kenya@demo.gfp"]
        assert len(kenya) >= 3 and all(n.unct.iso3 == "KEN" for n in kenya)
        approved = [n for n in nominations if n.state == NominationState.approved]
        assert all(n.appointment.nomination_id == n.id for n in approved)
        submitted = next(n for n in kenya if n.state == NominationState.submitted)
    login(client, "rc.kenya@demo.gfp", "demo-password")
    assert submitted.nominee_name in client.get("/nominations/").get_data(as_text=True)


def test_demo_training_has_past_and_coming_sessions_a_series_and_waiting_lists(seeded, app,
                                                                                client):
    from gfp_portal.sessions.models import Registration, TrainingSession

    now = utcnow()
    with app.app_context():
        sessions = db.session.scalars(select(TrainingSession)).all()
        assert any(s.ends_at < now for s in sessions) and any(s.starts_at > now for s in sessions)
        assert len({s.time_zone for s in sessions}) >= 5
        assert len({s.topic for s in sessions}) >= 5
        assert {"en", "fr", "es", "ar"} <= {c for s in sessions for c in s.language_codes}
        assert any(s.series is not None and len(s.series.sessions) == 3 for s in sessions)
        for session in sessions:
            registered = [r for r in session.registrations if r.status == "registered"]
            assert len(registered) <= session.capacity
        assert any(r.status == "waitlisted" for s in sessions for r in s.registrations)
        lucia = services.find_person_by_email("fp@demo.gfp")
        mine = db.session.scalars(select(Registration).filter_by(person_id=lucia.id)).all()
        assert any(r.session.starts_at > now for r in mine)
        assert any(r.session.ends_at < now for r in mine)
    login(client, "fp@demo.gfp", "demo-password")
    assert "Intervención de testigos" in client.get("/sessions/?when=past").get_data(
        as_text=True)


def test_the_demo_library_shows_languages_and_fallbacks(seeded, runner, app, client):
    from gfp_portal.resources.models import Resource

    assert "Demo library: 7 new resources" in seeded
    assert "Demo library: 0 new resources" in runner.invoke(args=["demo", "seed"]).output
    with app.app_context():
        field = db.session.scalars(select(Resource).filter_by(
            slug="field-specific-enabling-environment-guidelines")).one()
        assert field.languages == ["ar", "en", "es", "fr"]
        eeg = db.session.scalars(select(Resource).filter_by(
            slug="enabling-environment-guidelines")).one()
        assert "ar" not in eeg.languages
    page = client.get("/resources/?lang=ar").get_data(as_text=True)
    assert "المبادئ التوجيهية المتعلقة بالبيئة التمكينية في الميدان" in page
    assert "fallback-notice" in page and "Model exit survey" not in page  # network only
    response = client.get("/resources/why-gender-parity/download/en")
    assert response.data.startswith(b"%PDF-") and b"DEMO FILE" in response.data
    response.close()


def test_demo_attendance_evaluations_and_certificates(seeded, app, client):
    from gfp_portal.attendance import evaluations
    from gfp_portal.attendance.models import Attendance, Certificate
    from gfp_portal.sessions.models import TrainingSession

    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) > 100
        past = db.session.scalars(select(TrainingSession).where(
            TrainingSession.ends_at < utcnow())).all()
        assert any(evaluations.results([s.id]).shown for s in past)
        lucia = services.find_person_by_email("fp@demo.gfp")
        code = db.session.scalars(select(Certificate.code).filter_by(
            person_id=lucia.id)).first()
    assert "This certificate is valid." in client.get(
        f"/certificates/{code}?lang=en").get_data(as_text=True)


def test_the_demo_focal_point_has_a_session_to_evaluate_and_a_certificate(seeded, app, client):
    from gfp_portal.attendance import evaluations
    from gfp_portal.attendance.models import Certificate
    from gfp_portal.sessions.models import TrainingSession

    with app.app_context():
        lucia = services.find_person_by_email("fp@demo.gfp")
        past = db.session.scalars(select(TrainingSession).where(
            TrainingSession.ends_at < utcnow()).order_by(TrainingSession.id)).all()
        to_evaluate = [s.id for s in past if evaluations.can_answer(s, lucia, utcnow())]
        certified = db.session.scalars(select(Certificate.session_id).filter_by(
            person_id=lucia.id)).all()
    assert to_evaluate and certified
    login(client, "fp@demo.gfp", "demo-password")
    page = client.get(f"/sessions/{to_evaluate[0]}?lang=en").get_data(as_text=True)
    assert "Evaluate the session" in page
    page = client.get(f"/sessions/{certified[0]}?lang=en").get_data(as_text=True)
    assert "My certificate of attendance" in page


def test_the_readme_says_the_demo_focal_point_speaks_spanish():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if line.startswith("| `fp@demo.gfp`"))
    assert "Spanish" in line


def test_demo_practices_and_awards(seeded, app):
    assert "5 new practices, 3 new awards" in seeded
    with app.app_context():
        states = set(db.session.scalars(select(Practice.state)))
        languages = set(db.session.scalars(select(PracticeVersion.language)))
        awards = db.session.scalars(select(Award)).all()
        assert {"published", "submitted", "changes_requested"} <= states
        assert {"en", "fr", "es", "ar"} <= languages
        assert {a.event for a in awards} == {"Global Annual Meeting 2024"}
        assert all(a.recipients and a.version("en") for a in awards)
def test_the_implementation_plans_tell_the_network_story(seeded, app, client):
    from datetime import date

    from gfp_portal.plans.models import ImplementationPlan, PlanPeriod, Standing

    with app.app_context():
        periods = {p.name: p for p in db.session.scalars(select(PlanPeriod))}
        assert periods["2022–2024"].deadline < date.today() < periods["2025–2027"].deadline
        past = db.session.scalars(select(ImplementationPlan).where(
            ImplementationPlan.period_id == periods["2022–2024"].id)).all()
        standing = [plan.standing(date.today()) for plan in past]
        assert standing.count(Standing.updated) > len(past) / 2
        assert 0 < standing.count(Standing.overdue) < len(past) / 5
        undp = next(plan for plan in past if plan.entity.acronym == "UNDP")
        assert [p.email for p in undp.responsible] == ["fp@demo.gfp"]
        assert undp.documents and undp.targets and undp.notes
    assert login(client, "fp@demo.gfp", "demo-password").status_code == 302
    assert client.get(f"/plans/{undp.id}").status_code == 200
def test_the_demo_parity_figures_give_the_published_headlines(seeded, app, runner, client):
    with app.app_context():
        network = parity_queries.network()
        shares = {p.period: str(rounded(p.share)) for p in network.periods}
        assert shares["2017-Q4"] == "44.2" and shares["2023-Q4"] == "47.0"
        within = {year: count for year, count, _ in network.years}
        assert (within[2017], within[2023], within[2024]) == (5, 27, 28)
        assert {count for _, _, count in network.years} == {38}
        assert {p.period for p in network.periods} >= {f"{y}-Q4" for y in range(2017, 2025)} | {
            "2024-Q1", "2024-Q2", "2024-Q3"}
        source = db.session.scalars(select(ParityImport)).one()
        assert "Synthetic" in source.filename and "not official" in source.filename
        figures = _counts([ParityFigure])
    runner.invoke(args=["demo", "seed"])
    with app.app_context():
        assert _counts([ParityFigure, ParityImport]) == [*figures, 1]
    assert login(client, "fp@demo.gfp", "demo-password").status_code == 302
    html = client.get("/parity/UNDP?lang=en").get_data(as_text=True)
    assert "Figures imported from <bdi>Synthetic demonstration data, not official figures" \
        "</bdi>" in html


def test_every_event_of_the_demo_reads_in_words(seeded, app):
    """What the demo does, the audit log and the histories say in the reader's language: each
    kind of record has a name, each action a sentence, each field a label (a checksum is
    hidden); none falls back on its code, which would show in English in Arabic."""
    import re

    from gfp_portal.core import history

    unsaid = set()
    with app.test_request_context("/?lang=ar"):
        for event in db.session.scalars(select(AuditEvent)):
            entry = history.entry(event)
            if event.object_type not in history._TITLES:
                unsaid.add(("record", event.object_type))
            if event.action not in history._SENTENCES:
                unsaid.add(("action", event.action))
            for key, (before, after) in (event.changes or {}).items():
                shown = history.shown_value(event.object_type, key, after if after is not None
                                            else before)
                # A field of one language version is "fr.title" or "citation.fr".
                base = re.sub(r"^(en|fr|es|ar)\.|\.(en|fr|es|ar)$", "", key)
                code = base.replace("_", " ").capitalize()
                if shown is not None and code in history.field_label(event.object_type, key):
                    unsaid.add(("field", event.object_type, key))
            assert entry.sentence
    assert sorted(unsaid) == [], "\n".join(map(str, sorted(unsaid)))


def _demo_texts():
    """The demo's own French and Arabic texts (library resources, messages to the network),
    by language."""
    from gfp_portal.demo import library, messages

    texts = {"fr": [], "ar": []}
    for versions in (library.EEG, library.FIELD, library.PARITY, library.VACANCY, library.EXIT,
                     library.TERMS, library.MENTORING):
        for lang in texts:
            texts[lang].extend(versions.get(lang, ()))
    for fields in [texts_ for *_rest, texts_ in messages.MESSAGES] + [messages.DRAFT]:
        for key, value in fields.items():
            if key[-2:] in texts:
                texts[key[-2:]].append(value)
    return texts


def test_the_demo_texts_follow_the_glossary():
    """The demo shows what the portal looks like in service: its own texts keep to
    translations/GLOSSARY.md as the catalogs do (typography, the Field-specific EEG title,
    "يُرجى" with its damma, the reader addressed in the singular)."""
    texts = _demo_texts()
    french = [text for text in texts["fr"]
              if "'" in text or re.search("[ ][:;?!]|favorable sur le terrain", text)]
    arabic = [text for text in texts["ar"]
              if "\u0627\u064b" in text or re.search(r"يرجى|[\u0621-\u064a]+كم\b|الخاصة بالعمل "
                                                     r"الميداني|التوجيهية الميدانية", text)]
    assert (french, arabic) == ([], [])
    assert "Directives relatives à l’environnement favorable propres au terrain" in texts["fr"]
