"""The induction path: who is put on it (every appointment path, once), its checklist read
from attendance and downloads, the terms of reference ticked, the weekly reminders and the
invitations to sessions at a fair hour."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.attendance import services as attendance
from gfp_portal.core.errors import DomainError
from gfp_portal.core.settings import get_setting, update_settings
from gfp_portal.extensions import db
from gfp_portal.induction import queries, services
from gfp_portal.induction.models import InductionInvitation, InductionPath
from gfp_portal.induction.reminders import send_induction_mails
from gfp_portal.nominations import services as nominations
from gfp_portal.nominations.models import Nomination
from gfp_portal.reference.services import get_or_create_duty_station
from gfp_portal.registry import services as registry
from gfp_portal.registry.imports import applying, reading
from gfp_portal.registry.models import Appointment
from gfp_portal.resources import services as resources
from gfp_portal.sessions import registration
from tests.helpers import NOW, csv_bytes, entity, outbox, refused, row
from tests.induction.conftest import add_document


def paths():
    return db.session.scalars(select(InductionPath).order_by(InductionPath.id)).all()


def path_count(person):
    return db.session.scalar(select(func.count()).select_from(InductionPath)
                             .where(InductionPath.person_id == person.id))


# --- who is put on the path -------------------------------------------------------------------

def test_a_manual_appointment_puts_the_person_on_the_path_once(coordinator, make_person):
    person = make_person()
    appointment = registry.appoint(person, {"role": "alternate", "entity": entity("UNDP")},
                                   actor=coordinator)
    db.session.flush()
    path, = paths()
    assert path.person == person and path.appointment == appointment
    # a renewal, a second role elsewhere: still one path
    registry.renew(appointment, actor=coordinator)
    registry.appoint(person, {"role": "focal_point", "entity": entity("UNICEF")},
                     actor=coordinator)
    db.session.flush()
    assert path_count(person) == 1


def test_someone_already_in_the_network_is_not_put_on_the_path(coordinator, make_person):
    person = make_person()
    old = registry.appoint(person, {"role": "alternate", "entity": entity("UNDP"),
                                    "start_date": date.today() - timedelta(days=900),
                                    "end_date": date.today() - timedelta(days=200)},
                           actor=coordinator)
    db.session.flush()
    assert paths() == []  # a term that started long ago starts no induction
    registry.end_appointment(old, reason="term_ended", ended_on=old.end_date,
                             actor=coordinator)
    registry.appoint(person, {"role": "focal_point", "entity": entity("UNICEF")},
                     actor=coordinator)
    db.session.flush()
    assert paths() == []  # held a role before: not new to the network


def test_a_replacement_puts_the_newcomer_on_the_path(coordinator, make_person):
    first = make_person(given="First")
    current = registry.appoint(first, {"role": "focal_point", "entity": entity("UNDP")},
                               actor=coordinator)
    newcomer = make_person(given="Second")
    registry.replace(current, newcomer, {"reason": "Moved"}, actor=coordinator)
    db.session.flush()
    assert [p.person for p in paths()] == [first, newcomer]


def test_a_nomination_approval_puts_the_nominee_on_the_path(app, kenya_nomination):
    with app.app_context():
        nomination = db.session.get(Nomination, kenya_nomination["id"])
        coordinator = db.session.get(User, kenya_nomination["coordinator"])
        appointment = nominations.approve_nomination(nomination, actor=coordinator)
        db.session.commit()
        path, = paths()
        assert path.person.email == "njeri.mwangi@wfp.org"
        assert path.appointment_id == appointment.id


def test_an_import_puts_each_new_appointee_on_the_path_once(coordinator):
    today = date.today().isoformat()
    rows = [row(1, role="alternate", appointment_entity="UNDP", start_date=today),
            row(2, role="focal_point", appointment_entity="UNDP", start_date=today),
            # the registry as it stood: a term that started years ago
            row(3, role="alternate", appointment_entity="UNICEF", start_date="2020-01-01"),
            row(4)]
    report = applying.apply_import(reading.read_table("people.csv", csv_bytes(rows)),
                                  actor=coordinator)
    assert report.ok, report.errors
    db.session.flush()
    assert sorted(p.person.email for p in paths()) == ["person1@undp.org",
                                                      "person2@undp.org"]


def test_the_migration_leaves_people_appointed_before_off_the_path(coordinator, make_appointee):
    """Only appointments made from now on: nothing is created for the registry as it is."""
    make_appointee()
    assert len(paths()) == 1
    assert db.session.scalar(select(func.count()).select_from(InductionInvitation)) == 0


# --- the checklist ----------------------------------------------------------------------------

@pytest.fixture
def newcomer(coordinator, make_appointee):
    person = make_appointee(language="ar", zone="Africa/Nairobi")
    db.session.commit()
    return person


def _progress(person):
    return queries.progress_of_person(person)


def test_the_checklist_has_the_terms_the_induction_topics_and_the_key_guidelines(
        documents, newcomer):
    progress = _progress(newcomer)
    assert [s.kind for s in progress.steps] == ["terms", "session", "guideline", "guideline"]
    assert progress.steps[1].topic.key == "induction"
    assert (progress.done, progress.total, progress.state) == (0, 4, "not_started")


def test_attendance_marked_present_at_an_induction_session_ticks_its_step(
        coordinator, documents, newcomer, make_session):
    other = make_session(topic="anti_racism")
    induction = make_session(topic="induction", starts_in=timedelta(days=20))
    for session in (other, induction):
        seat = registration.register(session, newcomer, actor=None, notify=False)
        attendance.mark(seat, "present" if session is other else "partial", actor=coordinator)
    assert _progress(newcomer).done == 0  # another topic; partly present is not present
    attendance.mark(seat, "present", actor=coordinator, reason="Stayed to the end")
    assert _progress(newcomer).done == 1 and _progress(newcomer).state == "in_progress"


def test_opening_the_documents_ticks_the_guidelines_and_allows_the_terms(
        coordinator, documents, newcomer):
    progress = _progress(newcomer)
    with pytest.raises(DomainError) as excinfo:
        services.mark_terms_read(progress.path, progress, actor=None)
    assert excinfo.value.code == "terms_not_opened"
    assert services.record_opening(newcomer, documents["terms"], "ar")
    assert services.record_opening(newcomer, documents["eeg"], "en")
    assert not services.record_opening(newcomer, documents["eeg"], "fr")  # once
    progress = _progress(newcomer)
    assert progress.done == 1 and progress.terms_step.opened
    assert services.mark_terms_read(progress.path, progress, actor=None, now=NOW)
    assert not services.mark_terms_read(progress.path, progress, actor=None, now=NOW)
    assert _progress(newcomer).done == 2


def test_a_document_outside_the_path_or_a_person_not_on_it_records_nothing(
        coordinator, documents, newcomer, make_person):
    other = add_document("annual-report", {"en": "Annual report"})
    assert not services.record_opening(newcomer, other, "en")
    assert not services.record_opening(make_person(), documents["eeg"], "en")


def test_the_key_guidelines_are_a_setting(coordinator, documents, newcomer):
    update_settings({"induction.key_guidelines": ["field-specific-enabling-environment-"
                                                  "guidelines"]}, actor=coordinator)
    assert [s.kind for s in _progress(newcomer).steps] == ["terms", "session", "guideline"]


def test_a_document_given_a_new_address_stays_on_the_path(coordinator, documents, newcomer):
    """The path names its documents by address: renamed on the resource form, the terms of
    reference and a guideline left it without a word; the settings now follow them."""
    for slug, key in (("our-terms-of-reference", "terms"), ("eeg-2026", "eeg")):
        document = documents[key]
        resources.update_resource(document, {
            "slug": slug, "category": document.category, "visibility": "network",
            "is_published": True, "tags": []}, actor=coordinator)
    assert get_setting("induction.terms_of_reference") == "our-terms-of-reference"
    assert get_setting("induction.key_guidelines")[0] == "eeg-2026"
    assert [s.kind for s in _progress(newcomer).steps] == [
        "terms", "session", "guideline", "guideline"]


# --- invitations and reminders ----------------------------------------------------------------

def test_the_first_mail_invites_to_a_session_at_a_fair_hour_for_the_person(
        coordinator, documents, newcomer, make_session):
    # Nairobi is UTC+3: 05:00 UTC is 08:00 there; 16:00 UTC is 19:00, after the working day.
    day = datetime(2027, 3, 15, tzinfo=UTC)
    late = make_session(topic="induction", title_en="Induction (Americas)",
                        starts_in=day + timedelta(hours=16) - NOW)
    fair = make_session(topic="induction", title_en="Induction (Africa)",
                        starts_in=day + timedelta(days=1, hours=5) - NOW)
    db.session.add(User(email=newcomer.email, person=newcomer, is_active=True, locale="ar",
                        time_zone="Africa/Nairobi"))
    db.session.commit()
    outcome = send_induction_mails(now=NOW)
    assert (outcome.invited, outcome.reminded) == (1, 0)
    mail, = outbox("induction_reminder")
    assert mail.recipient == newcomer.email and mail.locale == "ar"
    assert "Induction (Africa)" in mail.body_text and "Induction (Americas)" not in mail.body_text
    assert f"/sessions/{fair.id}" in mail.body_text and "/induction/mine" in mail.body_text
    # The text part keeps its paragraphs apart, and reads one step of the checklist a line.
    assert "\n\n" + "الخطوات المنجزة: 0 من أصل 4." in mail.body_text
    steps = [line for line in mail.body_text.splitlines() if line.startswith(("[ ]", "[x]"))]
    assert len(steps) == 4 and all(line.count("[") == 1 for line in steps)
    assert late.id not in {i.session_id for i in db.session.scalars(
        select(InductionInvitation))}


def test_only_a_newcomer_who_signs_in_gets_the_links_to_the_portal(
        app, coordinator, documents, make_appointee, make_session):
    """A person may exist without an account (DESIGN §2), or with one they cannot sign in
    with (invited, not yet activated; deactivated): their checklist and the sessions are
    behind a sign-in they cannot pass, so their mail names the Office's mailbox instead."""
    member, invited, nobody = (make_appointee(zone="Europe/Zurich") for _ in range(3))
    db.session.add_all([User(email=member.email, person=member, is_active=True),
                        User(email=invited.email, person=invited, is_active=False)])
    session = make_session(topic="induction",
                           starts_in=datetime(2027, 3, 15, 9, tzinfo=UTC) - NOW)
    db.session.commit()
    assert send_induction_mails(now=NOW).invited == 3
    mails = {mail.recipient: mail for mail in outbox("induction_reminder")}
    office = app.config["ORGANIZER_EMAIL"]
    for link in ("/induction/mine", f"/sessions/{session.id}"):
        mail = mails[member.email]
        assert link in mail.body_text and link in mail.body_html
    for person in (invited, nobody):
        mail = mails[person.email]
        for link in ("/induction/mine", f"/sessions/{session.id}"):
            assert link not in mail.body_text and link not in mail.body_html, mail.body_text
        assert office in mail.body_text and office in mail.body_html
        assert "Enabling environment" in mail.body_text  # the session is still named


def test_the_invitation_gives_the_times_in_the_persons_own_zone(coordinator, make_session):
    """Posted in Nairobi, she chose Paris as her own time zone: the sessions she is invited to
    are chosen within Nairobi's working day, and their times read in Paris time, as in every
    other email about a session; the invitation gave them in Nairobi time."""
    nairobi = get_or_create_duty_station("Nairobi", "KEN", "Africa/Nairobi")
    person = registry.create_person({
        "given_name": "Claire", "family_name": "Martin", "email": "claire@undp.org",
        "preferred_language": "fr", "time_zone": "Europe/Paris", "entity": entity("UNDP"),
        "duty_station": nairobi}, actor=coordinator)
    registry.appoint(person, {"role": "alternate", "entity": entity("UNDP"), "unct": None},
                     actor=coordinator)
    day = datetime(2027, 3, 15, 7, tzinfo=UTC)  # 10:00 in Nairobi, 08:00 in Paris
    evening = datetime(2027, 3, 14, 16, tzinfo=UTC)  # 19:00 in Nairobi, 17:00 in Paris
    make_session(topic="induction", title_en="Induction", title_fr="Accueil",
                 starts_in=day - NOW, time_zone="America/New_York")
    make_session(topic="induction", title_en="Induction (evening)", title_fr="Accueil (soir)",
                 starts_in=evening - NOW, hours=1, time_zone="America/New_York")
    db.session.commit()
    assert send_induction_mails(now=NOW).invited == 1
    mail, = outbox("induction_reminder")
    assert mail.locale == "fr" and "Accueil" in mail.body_text
    assert "(soir)" not in mail.body_text
    assert "08:00–10:00 Paris (UTC+1)" in mail.body_text, mail.body_text
    assert "Nairobi" not in mail.body_text


def test_reminders_go_at_most_once_a_week_and_never_after_completion(
        coordinator, documents, newcomer, make_session):
    assert send_induction_mails(now=NOW).reminded == 1  # the welcome
    for days in (1, 3, 6):
        assert send_induction_mails(now=NOW + timedelta(days=days)).reminded == 0
    assert send_induction_mails(now=NOW + timedelta(days=7)).reminded == 1
    # a new induction session: an invitation, whatever the day
    make_session(topic="induction", starts_in=timedelta(days=30, hours=-4))
    db.session.commit()
    assert send_induction_mails(now=NOW + timedelta(days=8)).invited == 1
    assert send_induction_mails(now=NOW + timedelta(days=9)).invited == 0
    assert len(outbox("induction_reminder")) == 3
    # every step done: recorded complete, no more mail
    path = queries.path_of_person(newcomer)
    for slug in ("terms", "eeg", "field"):
        services.record_opening(newcomer, documents[slug], "en")
    path.terms_read_at = NOW
    session = make_session(topic="induction", starts_in=timedelta(days=-5))
    seat = registration.register(session, newcomer, actor=None, notify=False,
                                 now=NOW - timedelta(days=10))
    attendance.mark(seat, "present", actor=coordinator)
    db.session.commit()
    outcome = send_induction_mails(now=NOW + timedelta(days=30))
    assert (outcome.completed, outcome.reminded, outcome.invited) == (1, 0, 0)
    assert path.completed_at is not None
    assert send_induction_mails(now=NOW + timedelta(days=60)).reminded == 0
    assert len(outbox("induction_reminder")) == 3


def test_a_weekly_reminder_counts_days_not_seconds(coordinator, documents, newcomer):
    """The daily run picks its time up to the second: a run seven days after the last mail,
    a few seconds earlier in the minute, is on the due day and reminds."""
    first = datetime(2027, 3, 1, 5, 15, 3, tzinfo=UTC)
    assert send_induction_mails(now=first).reminded == 1  # the welcome
    assert send_induction_mails(now=datetime(2027, 3, 7, 23, 59, tzinfo=UTC)).reminded == 0
    assert send_induction_mails(now=datetime(2027, 3, 8, 5, 15, 1, tzinfo=UTC)).reminded == 1


def test_an_alternate_is_invited_only_to_induction_sessions_open_to_alternates(
        coordinator, documents, make_appointee, make_session):
    make_appointee(role="alternate", zone="Europe/Zurich")
    db.session.commit()
    day = datetime(2027, 3, 15, 9, tzinfo=UTC)  # 10:00 in Zurich, on two working days
    make_session(topic="induction", title_en="Induction for focal points",
                 audience="focal_points", starts_in=day - NOW)
    everyone = make_session(topic="induction", title_en="Induction for everyone",
                            starts_in=day + timedelta(days=1) - NOW)
    db.session.commit()
    assert send_induction_mails(now=NOW).invited == 1
    mail, = outbox("induction_reminder")
    # the session the alternate may not register for is not offered, the next one is
    assert "Induction for focal points" not in mail.body_text
    assert "Induction for everyone" in mail.body_text
    assert [i.session_id for i in db.session.scalars(select(InductionInvitation))] \
        == [everyone.id]


def test_the_induction_mail_does_not_invite_to_a_session_after_the_last_day(
        coordinator, make_appointee, make_session):
    """A newcomer on the induction path whose end of term was entered ahead (they leave on
    March 10) is not mailed an invitation to the induction session of March 20: registering
    for it is refused to them."""
    person = make_appointee(zone="Africa/Nairobi")
    term, = person.appointments
    registry.end_appointment(term, reason="left_entity", ended_on=NOW.date()
                             + timedelta(days=9), actor=coordinator)
    # 09:00 in Nairobi, ten days after the last day.
    session = make_session(topic="induction", title_en="Induction (Africa)",
                           starts_in=timedelta(days=19, hours=-6))
    db.session.commit()
    refused("not_in_audience", registration.register, session, person, actor=None,
            notify=False, now=NOW)
    db.session.rollback()
    send_induction_mails(now=NOW)
    mails = outbox("induction_reminder")
    assert not any("Induction (Africa)" in mail.body_text for mail in mails)


def test_someone_booked_on_a_topic_is_not_invited_to_another_session_on_it(
        coordinator, documents, newcomer, make_session):
    day = datetime(2027, 3, 15, 6, tzinfo=UTC)  # 09:00 in Nairobi, the newcomer's zone
    booked = make_session(topic="induction", title_en="Induction, first run",
                          starts_in=day - NOW)
    registration.register(booked, newcomer, actor=None, notify=False, now=NOW)
    booked.registration_closes_at = NOW  # closed since: the booking still counts
    make_session(topic="induction", title_en="Induction, second run",
                 starts_in=day + timedelta(days=7) - NOW)
    db.session.commit()
    assert send_induction_mails(now=NOW + timedelta(minutes=1)).invited == 0
    assert not any("Induction, second run" in m.body_text
                   for m in outbox("induction_reminder"))


def test_a_session_is_offered_once_its_registration_opens(
        coordinator, documents, newcomer, make_session):
    day = datetime(2027, 3, 15, 6, tzinfo=UTC)
    session = make_session(topic="induction", title_en="Induction, opening later",
                           starts_in=day - NOW, registration_opens_at=NOW + timedelta(days=5))
    db.session.commit()
    assert send_induction_mails(now=NOW).invited == 0  # "Please register" would lead nowhere
    assert db.session.scalar(select(func.count()).select_from(InductionInvitation)) == 0
    assert send_induction_mails(now=NOW + timedelta(days=5)).invited == 1
    assert [i.session_id for i in db.session.scalars(select(InductionInvitation))] \
        == [session.id]


def test_nobody_is_mailed_once_they_hold_no_appointment_any_more(
        coordinator, documents, make_appointee, make_session):
    person = make_appointee()
    db.session.commit()
    assert send_induction_mails(now=NOW).reminded == 1  # the welcome
    appointment = db.session.scalars(select(Appointment).filter_by(person_id=person.id)).one()
    registry.end_appointment(appointment, reason="withdrawn", actor=coordinator)
    make_session(topic="induction", starts_in=timedelta(days=14, hours=-3))
    db.session.commit()
    for days in (7, 14, 21):
        outcome = send_induction_mails(now=NOW + timedelta(days=days))
        assert (outcome.invited, outcome.reminded) == (0, 0)
    assert len(outbox("induction_reminder")) == 1


def test_a_newcomer_whose_end_of_term_is_entered_ahead_is_on_the_path_until_their_last_day(
        coordinator, documents, make_appointee):
    """A new alternate leaves ahead: their term is marked ended at once, with its last day
    ten days on. They hold the role until then: they are mailed, and on the Office's list and
    count, as any newcomer; on their last day they have left."""
    person = make_appointee()
    appointment = db.session.scalars(select(Appointment).filter_by(person_id=person.id)).one()
    last = NOW.date() + timedelta(days=10)
    registry.end_appointment(appointment, reason="left_entity", ended_on=last,
                             actor=coordinator)
    db.session.commit()
    assert send_induction_mails(now=NOW).reminded == 1  # the welcome
    assert send_induction_mails(now=NOW + timedelta(days=7)).reminded == 1
    for today, held in ((last - timedelta(days=1), 1), (last, 0)):
        assert queries.overview(today=today).total == held
        assert db.session.scalar(queries.open_paths_count(today=today)) == held
    assert send_induction_mails(now=NOW + timedelta(days=14)).reminded == 0
    assert len(outbox("induction_reminder")) == 2


# --- the Office's overview --------------------------------------------------------------------

def test_the_overview_counts_each_state_and_filters(coordinator, documents, make_appointee):
    people = [make_appointee(given=g) for g in ("Ana", "Bea", "Chloe", "Dina")]
    services.record_opening(people[1], documents["eeg"], "en")
    path = queries.path_of_person(people[2])
    path.completed_at = NOW
    db.session.commit()
    overview = queries.overview()
    assert overview.counts == {"not_started": 2, "in_progress": 1, "completed": 1}
    assert overview.total == 4
    assert [r.path.person.given_name for r in queries.overview(state="in_progress").rows] \
        == ["Bea"]
    assert queries.overview(q="chlo").total == 1
    assert queries.overview(entity="UNICEF").total == 0


def test_the_overview_finds_a_name_whatever_its_accents_and_case(
        coordinator, documents, make_appointee):
    make_appointee(given="Lucía")
    make_appointee(given="Élodie")
    db.session.commit()
    assert queries.overview(q="lucia").total == 1
    assert queries.overview(q="Élodie").total == 1
    assert queries.overview(q="ELODIE").total == 1


def test_a_deleted_document_takes_its_openings_with_it(coordinator, make_appointee):
    """The terms of reference, opened by a newcomer, are deleted and a new document put at
    their address: the newcomer has not opened that one. Left behind, the opening went to the
    next resource given the deleted id (SQLite), or stopped the deletion (PostgreSQL)."""
    from gfp_portal.induction.models import InductionOpening
    from gfp_portal.resources import services as resources

    newcomer = make_appointee(language="en")
    terms = add_document("terms-of-reference", {"en": "Terms of reference (2023)"})
    db.session.commit()
    assert services.record_opening(newcomer, terms, "en")
    db.session.commit()
    assert queries.progress_of_person(newcomer).terms_step.opened
    terms_id = terms.id
    resources.delete_resource(terms, actor=coordinator)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(InductionOpening).where(
        InductionOpening.resource_id == terms_id)) == 0
    add_document("terms-of-reference", {"en": "Terms of reference (2025)"})
    db.session.commit()
    assert not queries.progress_of_person(newcomer).terms_step.opened
