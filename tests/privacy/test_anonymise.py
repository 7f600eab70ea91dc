"""Anonymising a person who left: their name and email are found nowhere in the database
afterwards (every text, JSON and binary column of every table is read), what they did is kept,
and every figure of the dashboard stays the same."""
import base64
import json
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from icalendar import Calendar
from sqlalchemy import func, select

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import AccountToken, TokenPurpose, User
from gfp_portal.attendance import certificates, evaluations
from gfp_portal.attendance import services as attendance
from gfp_portal.attendance.models import Attendance, Certificate, EvaluationAnswer
from gfp_portal.core import storage
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.outbox import MailStatus, OutboxMessage
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.main.dashboard import Dashboard
from gfp_portal.nominations import join
from gfp_portal.nominations import services as nominations
from gfp_portal.nominations.models import Nomination
from gfp_portal.practices import queries as practice_queries
from gfp_portal.practices import services as practices
from gfp_portal.practices.models import Practice
from gfp_portal.privacy import retention
from gfp_portal.privacy.anonymise import anonymise_person, what_is_erased
from gfp_portal.privacy.models import FormerAddress
from gfp_portal.privacy.personal_data import personal_data
from gfp_portal.programme import agenda
from gfp_portal.programme.models import Guest, GuestRegistration
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Appointment, EndReason, Person
from gfp_portal.registry.queries import RegistryFilter, people_query
from gfp_portal.sessions import registration as registrations
from gfp_portal.sessions.models import Registration
from tests.helpers import NOW, entity, outbox, pdf_upload, refused, unct
from tests.privacy import scan
from tests.privacy.asking import FAMILY, GIVEN, her_join_request, turned_down

EMAIL = "Zephyrine.Quill@wfp.org"
PHONE = "+254 711 987 654"
NEEDLES = ("zéphyrine", "z\\u00e9phyrine", "quillfeatherova", "zephyrine.quill@wfp.org",
           "711 987 654")


def where_found(needles=NEEDLES):
    return scan.where_found(needles)


def figures(app):
    with app.test_request_context():
        return Dashboard(today=NOW.date() + timedelta(days=40), now=NOW).figures()


@pytest.fixture
def story(app, ctx, reference, create_user, coordinator, make_session):
    """A Resident Coordinator nominates Zéphyrine Quillfeatherova; the Office approves; she
    activates her account, her record is corrected, she registers, attends, gets her
    certificate, evaluates the session; then she leaves the entity."""
    rc = db.session.get(User, create_user("rc.kenya@example.org",
                                          roles=["resident_coordinator"], uncts=["KEN"]))
    kenya = unct("KEN")
    kenya.members = [entity("WFP"), entity("UNDP")]
    # First she asked to join herself; the Office turned the request down.
    request = her_join_request(EMAIL, now=NOW - timedelta(days=20))
    memo = request.letter_key
    turned_down(request, f"The memo does not name {GIVEN} {FAMILY}.", actor=coordinator,
                now=NOW - timedelta(days=20))
    nomination = nominations.submit_nomination({
        "role": "alternate", "entity": entity("WFP"), "unct": kenya,
        "given_name": GIVEN, "family_name": FAMILY, "email": EMAIL,
        "position_title": "Programme officer",
        "justification": f"{GIVEN} {FAMILY} leads the gender team ({EMAIL})."},
        letter=pdf_upload(), actor=rc, now=NOW)
    letter = nomination.letter_key
    nominations.approve_nomination(nomination, actor=coordinator, now=NOW)
    db.session.commit()
    person = db.session.scalars(select(Person).filter_by(email=EMAIL)).one()
    user = db.session.scalars(select(User).filter_by(person_id=person.id)).one()
    raw = accounts.issue_token(user, TokenPurpose.password_reset, now=NOW)
    registry.update_person(person, {"phone": PHONE, "position_title": "Gender specialist"},
                           actor=coordinator, reason=f"{GIVEN} {FAMILY} asked", now=NOW)
    user.password_hash = "x"  # as activated
    user.is_active = True
    accounts.regenerate_calendar_token(user, now=NOW)
    session = make_session()
    registration = registrations.register(session, person, actor=user, now=NOW)
    ended = session.ends_at + timedelta(hours=1)
    attendance.mark(registration, "present", actor=coordinator, now=ended)
    certificates.certificate_for(session, person, now=ended)
    evaluations.submit(session, person, {"rating": "good", "applicable": True,
                                         "comment": f"{GIVEN} {FAMILY} found it useful."},
                       now=ended)
    appointment = db.session.scalars(select(Appointment).filter_by(person_id=person.id)).one()
    registry.end_appointment(appointment, reason=EndReason.left_entity,
                             ended_on=ended.date(), actor=coordinator, now=ended)
    db.session.commit()
    return {"person": person, "user": user, "coordinator": coordinator,
            "letters": [memo, letter],
            "raw": raw, "session": session}


@pytest.fixture
def files_in_the_database(app, monkeypatch):
    """Uploads, previews and exports kept in the database, whose bytes the scan reads."""
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "database")


def test_nothing_of_the_person_is_left_and_every_figure_stays(app, files_in_the_database,
                                                              story):
    person, coordinator = story["person"], story["coordinator"]
    # An import checked but not confirmed yet: its rows name her.
    preview = storage.keep_pending(f"given_name,family_name,email\n{GIVEN},{FAMILY},{EMAIL}\n"
                                   .encode(), suffix=".csv")
    db.session.commit()
    spread = {place for place, _needle in where_found()}
    # The story did spread the person everywhere the erasure has to reach.
    assert {"stored_file_chunks.data", "people.given_name", "people.email", "users.email",
            "nominations.justification",
            "nominations.decision_note", "nominations.given_name",
            "outbox_messages.recipient", "outbox_messages.body_text",
            "audit_events.changes", "audit_events.reason",
            "evaluation_answers.comment"} <= spread, spread
    assert all(storage.exists(key) for key in story["letters"])
    before = figures(app)
    counts = [db.session.scalar(select(func.count()).select_from(m))
              for m in (Appointment, Registration, Attendance, Certificate, EvaluationAnswer,
                        Nomination, AuditEvent)]
    assert what_is_erased(person)["registrations"] == 1

    keys = anonymise_person(person, actor=coordinator, now=NOW + timedelta(days=30))
    db.session.commit()
    for key in keys:
        storage.remove(key)

    assert where_found() == []
    assert figures(app) == before
    assert [db.session.scalar(select(func.count()).select_from(m))
            for m in (Appointment, Registration, Attendance, Certificate, EvaluationAnswer,
                      Nomination)] == counts[:-1]
    assert not any(storage.exists(key) for key in story["letters"])
    assert storage.pending(preview) is None
    person = db.session.get(Person, person.id)
    assert person.full_name == f"Anonymised person {person.id}"
    assert person.anonymised_at is not None and person.phone is None
    assert person.search_key == f"anonymised person {person.id}"
    user = db.session.get(User, story["user"].id)
    assert (user.is_active, user.password_hash, user.calendar_token_hash) == (False, None, None)
    assert db.session.scalar(select(func.count(AccountToken.id))) == 0
    # The record of what happened stays with the anonymised row.
    record = personal_data(person=person, now=NOW)
    assert [r["attendance"]["status"] for r in record["registrations"]] == ["present"]
    assert [a["end_reason"] for a in record["appointments"]] == ["left_entity"]
    # The event names each field erased, its value before hidden: an edit of the record
    # shown before finds it changed since (core.edits).
    event = db.session.scalars(select(AuditEvent).filter_by(action="person.anonymise")).one()
    assert (event.actor_id, event.object_id) == (coordinator.id, person.id)
    assert event.changes == {
        "given_name": [None, "Anonymised person"], "family_name": [None, str(person.id)],
        "email": [None, f"person-{person.id}@anonymised.invalid"], "phone": [None, None],
        "position_title": [None, None]}


def test_a_practice_that_named_the_person_is_no_longer_found_by_her_name(app, story):
    person, coordinator = story["person"], story["coordinator"]
    practice = practices.submit_practice({
        "entity": entity("WFP"), "year": 2026, "area": "flexible_working", "contacts": "",
        "language": "en", "title": "Flexible working in Nairobi", "summary": "",
        "body": "Core hours for every team.",
        "results": f"Led by {GIVEN} {FAMILY}: 54 % in 2024, 78 % in 2026."},
        actor=coordinator, now=NOW)
    practices.publish_practice(practice, actor=coordinator, now=NOW)
    db.session.commit()

    def found(q):
        return db.session.scalars(practice_queries.library_query(coordinator, q=q)).all()
    assert found(FAMILY) == [practice]

    anonymise_person(person, actor=coordinator, now=NOW + timedelta(days=30))
    db.session.commit()
    assert FAMILY not in db.session.get(Practice, practice.id).versions[0].results
    # Her name is no longer a way to find what it was written in, nor kept in a search key.
    assert found(FAMILY) == []
    assert where_found() == []


def test_only_a_person_who_left_is_anonymised_and_only_once(app, ctx, reference, make_person,
                                                            coordinator):
    person = make_person(given=GIVEN, family=FAMILY, email=EMAIL)
    registry.appoint(person, {"role": "alternate", "entity": entity("UNDP"), "unct": None},
                     actor=coordinator)
    db.session.commit()
    never = make_person(given="Never", family="Appointed", email="never@undp.org")

    def left():  # the registry's list of people who may be anonymised
        return [p.id for p in db.session.scalars(people_query(RegistryFilter(status="left")))]
    assert left() == []
    refused("still_appointed", anonymise_person, person, actor=coordinator)
    db.session.rollback()
    assert db.session.get(Person, person.id).email == EMAIL
    appointment = db.session.scalars(select(Appointment).filter_by(person_id=person.id)).one()
    registry.end_appointment(appointment, reason=EndReason.left_entity, actor=coordinator)
    assert left() == [person.id]
    anonymise_person(person, actor=coordinator)
    refused("already_anonymised", anonymise_person, person, actor=coordinator)
    assert left() == [] and never.anonymised_at is None


def test_a_person_whose_end_of_term_is_entered_ahead_is_not_anonymised_while_in_office(
        app, ctx, reference, make_person, coordinator):
    """The Office records on 1 March that the alternate leaves on 31 March: the term is
    ended at once, yet they serve until that day. They are not among the people who left,
    and their name is not erased, before that day; on it, as when a term is ended as of
    today (above), they may be."""
    person = make_person(given=GIVEN, family=FAMILY, email=EMAIL)
    term = registry.appoint(person, {"role": "alternate", "entity": entity("UNDP"),
                                     "unct": None, "start_date": date(2026, 3, 1)},
                            actor=coordinator, now=NOW)
    registry.end_appointment(term, reason=EndReason.left_entity, ended_on=date(2027, 3, 31),
                             actor=coordinator, now=NOW)
    db.session.commit()

    def left(today):
        return [p.id for p in db.session.scalars(people_query(RegistryFilter(status="left"),
                                                              today=today))]
    assert left(date(2027, 3, 1)) == [] and left(date(2027, 3, 30)) == []
    refused("still_appointed", anonymise_person, person, actor=coordinator, now=NOW)
    db.session.rollback()
    assert db.session.get(Person, person.id).email == EMAIL
    after = NOW.replace(day=31)
    assert left(after.date()) == [person.id]
    anonymise_person(db.session.get(Person, person.id), actor=coordinator, now=after)


def test_someone_else_sharing_a_given_name_keeps_it(app, ctx, reference, make_person,
                                                    coordinator):
    leaving = make_person(given="Amina", family=FAMILY, email=EMAIL)
    staying = make_person(given="Amina", family="Diallo", email="amina.diallo@undp.org")
    longer = make_person(given="Other", family="Person", email=f"x.{EMAIL}")
    db.session.commit()
    anonymise_person(leaving, actor=coordinator)
    db.session.commit()
    staying = db.session.get(Person, staying.id)
    assert (staying.full_name, staying.email) == ("Amina Diallo", "amina.diallo@undp.org")
    assert db.session.get(Person, longer.id).email == f"x.{EMAIL}"  # another address
    assert [e.changes["email"][1] for e in db.session.scalars(select(AuditEvent).filter_by(
        object_type="people", object_id=longer.id))] == [f"x.{EMAIL}"]
    events = db.session.scalars(select(AuditEvent).filter_by(object_id=staying.id,
                                                             object_type="people")).all()
    assert any("Amina" in json.dumps(e.changes) for e in events)


def test_an_account_still_working_for_the_office_is_not_anonymised(app, ctx, reference,
                                                                   coordinator, create_user):
    other = db.session.get(User, create_user("other.coord@example.org", roles=["coordinator"]))
    refused("account_in_use", anonymise_person, other.person, actor=coordinator)
    refused("account_in_use", anonymise_person, coordinator.person, actor=coordinator)
    db.session.rollback()
    accounts.deactivate_user(other, actor=coordinator)
    anonymise_person(other.person, actor=coordinator)
    assert other.person.anonymised_at is not None and coordinator.is_active


def test_a_place_in_a_coming_session_goes_to_the_next_person_waiting(app, ctx, reference,
                                                                       make_appointee,
                                                                       make_session, coordinator):
    """An anonymised person's seat in a session yet to come is freed for the first person
    waiting, and no later change of the session is written to the erased address."""
    leaving, waiting = make_appointee(), make_appointee()
    session = make_session(capacity=1)
    seat = registrations.register(session, leaving, actor=coordinator, now=NOW)
    queued = registrations.register(session, waiting, actor=coordinator, now=NOW)
    appointment = db.session.scalars(select(Appointment).filter_by(person_id=leaving.id)).one()
    registry.end_appointment(appointment, reason=EndReason.left_entity, actor=coordinator)
    db.session.commit()
    before = {m.id for m in outbox()}
    anonymise_person(leaving, actor=coordinator, now=NOW + timedelta(days=1))
    assert db.session.get(Registration, seat.id).status == "cancelled"
    assert db.session.get(Registration, queued.id).status == "registered"
    new = [m for m in outbox() if m.id not in before]
    assert [(m.recipient, m.template) for m in new] == [(waiting.email, "session_notice")]


def test_emails_still_waiting_for_the_person_are_withdrawn_not_sent(app, ctx, reference,
                                                                    make_appointee,
                                                                    coordinator):
    """An email queued to the person and not yet sent would go, empty, to the erased address:
    it is withdrawn, says why in every language, and cannot be queued again."""
    from gfp_portal.core.outbox import MailStatus, OutboxMessage, queue_email, retry_message

    leaving = make_appointee()
    context = {"user": {"display_name": leaving.full_name}, "login": "https://portal.test/login",
               "reset": "https://portal.test/reset"}
    waiting, sent = (queue_email(leaving.email, "account_reactivated", subject="Welcome",
                                 context=context) for _ in range(2))
    sent.status = MailStatus.sent
    appointment = db.session.scalars(select(Appointment).filter_by(person_id=leaving.id)).one()
    registry.end_appointment(appointment, reason=EndReason.left_entity, actor=coordinator)
    db.session.commit()
    anonymise_person(leaving, actor=coordinator)
    db.session.commit()
    waiting, sent = db.session.get(OutboxMessage, waiting.id), db.session.get(OutboxMessage,
                                                                               sent.id)
    assert sent.status == MailStatus.sent
    assert waiting.status == MailStatus.failed and waiting.recipient.endswith(".invalid")
    with force_locale("fr"):
        assert str(waiting.failure_reason).startswith("Retiré")
    assert waiting.is_withdrawn and not sent.is_withdrawn
    refused("withdrawn", retry_message, waiting, actor=coordinator)
    db.session.rollback()
    assert db.session.get(OutboxMessage, waiting.id).status == MailStatus.failed


def test_the_summary_lists_the_emails_sent_to_the_persons_address_whatever_its_case(
        make_person):
    """A request to join typed "Amina.Diallo@UNDP.org" is the registry's amina.diallo@undp.org:
    the summary found the request but not the email confirming it."""
    kenya = unct("KEN")
    kenya.members = [entity("UNDP"), entity("WFP")]
    person = make_person(email="amina.diallo@undp.org")
    db.session.commit()
    join.submit_join_request({
        "role": "alternate", "entity": entity("UNDP"), "unct": kenya,
        "given_name": "Amina", "family_name": "Diallo", "email": "Amina.Diallo@UNDP.org",
        "position_title": "Officer", "grade": "P-4", "preferred_language": "en",
        "start_date": date(2026, 10, 1), "time_share": 20, "tor_acknowledged": False,
        "replaces": None, "justification": ""}, now=NOW)
    db.session.commit()
    record = personal_data(person=person, now=NOW)
    assert len(record["nominations"]) == 1
    assert [e["kind"] for e in record["emails"]] == ["join_verify"]


def test_the_names_and_address_a_person_had_before_go_too(ctx, reference, make_person,
                                                          make_session, coordinator):
    """The registry changed her family name and her address; the history of her record holds
    the earlier ones, and an invitation still queued went to the earlier address. They go as
    her present ones do; an earlier address someone else holds now is theirs, and stays."""
    from gfp_portal.core.outbox import MailStatus, queue_email

    person = make_person(given=GIVEN, family=FAMILY, email="zq.old@undp.org")
    appointment = registry.appoint(person, {"role": "alternate", "entity": entity("UNDP"),
                                            "unct": None}, actor=coordinator)
    registrations.register(make_session(), person, actor=None)
    db.session.commit()
    registry.update_person(person, {"family_name": "Brightwaterson",
                                    "email": "zq.new@unicef.org"}, actor=coordinator)
    registry.update_person(person, {"email": "zq.newest@unicef.org"}, actor=coordinator)
    successor = make_person(given="Ana", family="Successor", email="zq.new@unicef.org")
    kept = queue_email("zq.new@unicef.org", "account_reactivated", subject="Welcome", context={
        "user": {"display_name": "Ana"}, "login": "https://portal.test/login",
        "reset": "https://portal.test/reset"})
    registry.end_appointment(appointment, reason=EndReason.left_entity, actor=coordinator)
    db.session.commit()
    anonymise_person(person, actor=coordinator)
    db.session.commit()
    needles = ("quillfeatherova", "brightwaterson", "zq.old@undp.org", "zq.newest@unicef.org")
    assert where_found(needles) == []
    invitations = [m for m in outbox("session_notice")]
    assert invitations and all(m.recipient.endswith(".invalid") and
                               m.status == MailStatus.failed for m in invitations)
    assert db.session.get(Person, successor.id).email == "zq.new@unicef.org"
    assert db.session.get(type(kept), kept.id).recipient == "zq.new@unicef.org"


def test_an_earlier_address_goes_once_the_audit_details_period_emptied_the_history(
        ctx, reference, make_person, make_session, coordinator):
    """She registered, and asked to join, under the address she had then; the registry
    changed it, and months later the audit details period emptied the history that said so.
    The emails sent to that address and the request are hers all the same: they go. The
    change itself left that address nowhere but in the outbox and the history."""
    old, new = "zq.old@wfp.org", "zq.new@wfp.org"
    request = her_join_request(old, now=NOW - timedelta(days=20), memo=False)
    turned_down(request, "No memo from the head of entity.", actor=coordinator,
                now=NOW - timedelta(days=20))
    person = make_person(given=GIVEN, family=FAMILY, email=old)
    term = registry.appoint(person, {"role": "alternate", "entity": entity("WFP"),
                                     "unct": None}, actor=coordinator, now=NOW)
    registrations.register(make_session(), person, actor=None, now=NOW)
    registry.update_person(person, {"email": new}, actor=coordinator, now=NOW)
    db.session.commit()
    assert [row.person_id for row in db.session.scalars(select(FormerAddress))] == [person.id]
    assert {place for place, _needle in where_found((old,))} == {
        "audit_events.changes", "nominations.email", "outbox_messages.parts",
        "outbox_messages.recipient"}
    registry.end_appointment(term, reason=EndReason.left_entity, ended_on=NOW.date(),
                             actor=coordinator, now=NOW)
    later = NOW + timedelta(days=100)
    update_settings({"privacy.audit_detail_days": 30}, actor=None, now=later)
    assert retention.empty_audit_details(now=later)
    db.session.commit()
    assert what_is_erased(person)["emails"] == len(
        [m for m in outbox() if m.recipient in (old, new)]) == 3

    anonymise_person(person, actor=coordinator, now=later)
    db.session.commit()
    assert where_found((old, new, "quillfeatherova")) == []
    # Nor is the digest of the address she had kept with the anonymised row.
    assert db.session.scalars(select(FormerAddress)).all() == []


def test_a_name_she_was_nominated_under_goes_once_the_history_is_emptied(
        ctx, reference, create_user, make_session, coordinator):
    """Nominated and appointed as Zéphyrine Quillfeatherova, she attended a session and an
    evaluation comment named her so; the registry then changed her family name, and the
    audit details period emptied the history that said so. The nomination still names her
    as she was: that name goes from the comment too."""
    rc = db.session.get(User, create_user("rc.kenya@example.org",
                                          roles=["resident_coordinator"], uncts=["KEN"]))
    kenya = unct("KEN")
    kenya.members = [entity("WFP")]
    nomination = nominations.submit_nomination({
        "role": "alternate", "entity": entity("WFP"), "unct": kenya, "given_name": GIVEN,
        "family_name": FAMILY, "email": EMAIL, "justification": "Leads the gender team."},
        actor=rc, now=NOW)
    nominations.approve_nomination(nomination, actor=coordinator, now=NOW)
    person = db.session.scalars(select(Person).filter_by(email=EMAIL)).one()
    session = make_session()
    registration = registrations.register(session, person, actor=None, now=NOW)
    ended = session.ends_at + timedelta(hours=1)
    attendance.mark(registration, "present", actor=coordinator, now=ended)
    evaluations.submit(session, person, {"rating": "good", "applicable": True,
                                         "comment": f"{GIVEN} {FAMILY} found it useful."},
                       now=ended)
    registry.update_person(person, {"family_name": "Brightwaterson"}, actor=coordinator,
                           now=ended)
    term = db.session.scalars(select(Appointment).filter_by(person_id=person.id)).one()
    registry.end_appointment(term, reason=EndReason.left_entity, ended_on=ended.date(),
                             actor=coordinator, now=ended)
    later = NOW + timedelta(days=100)
    update_settings({"privacy.audit_detail_days": 30}, actor=None, now=later)
    assert retention.empty_audit_details(now=later)
    db.session.commit()

    anonymise_person(person, actor=coordinator, now=later)
    db.session.commit()
    found = where_found(("quillfeatherova", "brightwaterson"))
    assert found == [], found


def test_the_summary_holds_what_was_written_to_an_address_the_person_had_before(
        ctx, reference, make_person, make_session, coordinator):
    """What is about her under the address she had before (the invitation sent to it, the
    request to join she made under it) is hers, in her summary as in what anonymising
    erases; once the audit details period has emptied the history, too. An earlier address
    someone else holds now is theirs: what is written to it is not in her summary."""
    old, new = "zq.old@wfp.org", "zq.new@wfp.org"
    her_join_request(old, now=NOW - timedelta(days=20), memo=False)
    person = make_person(given=GIVEN, family=FAMILY, email=old)
    registry.appoint(person, {"role": "alternate", "entity": entity("WFP"), "unct": None},
                     actor=coordinator, now=NOW)
    registrations.register(make_session(), person, actor=None, now=NOW)
    registry.update_person(person, {"email": new}, actor=coordinator, now=NOW)
    db.session.commit()

    def summary():
        record = personal_data(person=db.session.get(Person, person.id), now=NOW)
        return ([n["kind"] for n in record["nominations"]],
                sorted(e["kind"] for e in record["emails"]))
    assert summary() == (["self_registration"], ["join_verify", "session_notice"])
    later = NOW + timedelta(days=100)
    update_settings({"privacy.audit_detail_days": 30}, actor=None, now=later)
    assert retention.empty_audit_details(now=later)
    db.session.commit()
    assert summary() == (["self_registration"], ["join_verify", "session_notice"])
    make_person(given="Ana", family="Successor", email=old)
    assert summary() == ([], [])


@pytest.fixture
def coming_back(ctx, reference, create_user, coordinator, make_person):
    """Zéphyrine left the network a year ago; a Resident Coordinator now nominates her
    again (the nomination waits for the Office's decision)."""
    rc = db.session.get(User, create_user("rc.kenya@example.org",
                                          roles=["resident_coordinator"], uncts=["KEN"]))
    person = make_person(given=GIVEN, family=FAMILY, email=EMAIL)
    term = registry.appoint(person, {"role": "alternate", "entity": entity("WFP"),
                                     "unct": None}, actor=coordinator,
                            now=NOW - timedelta(days=800))
    registry.end_appointment(term, reason=EndReason.left_entity,
                             ended_on=NOW.date() - timedelta(days=400), actor=coordinator,
                             now=NOW - timedelta(days=400))
    kenya = unct("KEN")
    kenya.members = [entity("WFP")]
    nomination = nominations.submit_nomination({
        "role": "alternate", "entity": entity("WFP"), "unct": kenya, "given_name": GIVEN,
        "family_name": FAMILY, "email": EMAIL.lower(),
        "justification": "She is back in Nairobi and leads the gender team."},
        letter=pdf_upload(), actor=rc, now=NOW)
    db.session.commit()
    return person, nomination


def test_a_person_named_by_a_nomination_still_open_is_not_anonymised(coming_back,
                                                                     coordinator):
    """The retention period leaves her alone while the Office decides; so does the
    coordinator's anonymisation, which would erase the nomination the Office has still to
    decide on (its names, its justification, its letter)."""
    person, nomination = coming_back
    refused("coming_back", anonymise_person, person, actor=coordinator, now=NOW)
    db.session.rollback()
    nomination = db.session.get(Nomination, nomination.id)
    assert (nomination.given_name, nomination.email, nomination.justification,
            nomination.letter_key is not None) == (
        GIVEN, EMAIL.lower(), "She is back in Nairobi and leads the gender team.", True)
    assert db.session.get(Person, person.id).anonymised_at is None
    nominations.reject_nomination(nomination, "No vacancy.", actor=coordinator, now=NOW)
    anonymise_person(db.session.get(Person, person.id), actor=coordinator, now=NOW)
    assert db.session.get(Nomination, nomination.id).given_name != GIVEN


def test_a_person_asking_to_join_again_is_not_anonymised_while_the_request_is_open(
        ctx, reference, coordinator, make_person):
    """Her own request to join, made under her address (not yet confirmed), is open too."""
    person = make_person(given=GIVEN, family=FAMILY, email=EMAIL)
    term = registry.appoint(person, {"role": "alternate", "entity": entity("WFP"),
                                     "unct": None}, actor=coordinator,
                            now=NOW - timedelta(days=800))
    registry.end_appointment(term, reason=EndReason.left_entity,
                             ended_on=NOW.date() - timedelta(days=400), actor=coordinator,
                             now=NOW - timedelta(days=400))
    request = her_join_request(EMAIL.upper(), now=NOW, start=date(2027, 6, 1))
    db.session.commit()
    refused("coming_back", anonymise_person, person, actor=coordinator, now=NOW)
    db.session.rollback()
    assert db.session.get(Nomination, request.id).given_name == GIVEN
    # So while her address has changed since: the request is hers all the same.
    registry.update_person(db.session.get(Person, person.id), {"email": "zq@wfp.example"},
                           actor=coordinator, now=NOW)
    db.session.commit()
    refused("coming_back", anonymise_person, db.session.get(Person, person.id),
            actor=coordinator, now=NOW)


def _guest(session, name, email):
    guest = Guest(name=name, email=email, organisation="Universidad de Lima",
                  sector="academia", created_at=NOW)
    db.session.add(guest)
    db.session.add(GuestRegistration(session=session, guest=guest, status="registered",
                                     token_hash=f"{email}-link",
                                     token_expires_at=NOW + timedelta(days=90)))
    return guest


def test_a_guest_sharing_the_name_keeps_it_and_the_person_as_a_guest_does_not(
        ctx, reference, coordinator, make_person, make_session):
    """A guest of a session to come is someone else who shares her name (another address):
    their row keeps it. She was a guest herself once, under her own address: that row is
    hers, and is erased."""
    leaving = make_person(given="Amina", family="Diallo", email="amina.diallo@undp.org")
    term = registry.appoint(leaving, {"role": "alternate", "entity": entity("UNDP"),
                                      "unct": None}, actor=coordinator, now=NOW)
    coming = make_session(starts_in=timedelta(days=10))
    other = _guest(coming, "Amina Diallo", "a.diallo@univ-dakar.example")
    herself = _guest(make_session(starts_in=-timedelta(days=300)), "Amina Diallo",
                     "Amina.Diallo@undp.org")
    registry.end_appointment(term, reason=EndReason.left_entity, ended_on=NOW.date(),
                             actor=coordinator, now=NOW)
    db.session.commit()

    anonymise_person(leaving, actor=coordinator, now=NOW + timedelta(days=1))
    db.session.commit()
    other, herself = db.session.get(Guest, other.id), db.session.get(Guest, herself.id)
    assert (other.name, other.email, other.anonymised_at) == (
        "Amina Diallo", "a.diallo@univ-dakar.example", None)
    assert "Diallo" not in herself.name and "undp.org" not in (herself.email or "")
    assert herself.anonymised_at is not None
    assert where_found(("amina.diallo@undp.org",)) == []


def calendars_naming(name):
    """(recipient, status) of the emails whose calendar attachments name `name`, unfolded
    (RFC 5545) and unescaped as a calendar client reads them."""
    found = []
    for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        for part in message.parts or ():
            calendar = Calendar.from_ical(base64.b64decode(part["data"]))
            texts = [str(value) for component in calendar.walk()
                     for _name, value in component.property_items(recursive=False)]
            if any(name in text for text in texts):
                found.append((message.recipient, message.status))
                break
    return found


def test_a_presenter_who_left_is_not_named_in_the_invitations_of_others(
        ctx, reference, coordinator, make_person, make_appointee, make_session):
    """The invitations sent to everyone else carry the agenda, her name among its
    presenters, in their calendar attachments: one sent, one still to send. Both lose her
    name; the one still to send keeps a calendar that reads as before, but for it."""
    presenter = make_person(given=GIVEN, family=FAMILY, email=EMAIL)
    term = registry.appoint(presenter, {"role": "alternate", "entity": presenter.entity,
                                        "unct": None}, actor=coordinator, now=NOW)
    session = make_session()
    agenda.add_item(session, {"title_en": "Opening", "starts_at": session.starts_at},
                    [agenda.presenter(person=presenter)], actor=coordinator, now=NOW)
    first, second = make_appointee(), make_appointee()
    for attendee in (first, second):
        registrations.register(session, attendee, actor=coordinator, now=NOW)
    sent = db.session.scalars(select(OutboxMessage).filter_by(recipient=first.email)).one()
    sent.status, sent.sent_at = MailStatus.sent, NOW
    registry.end_appointment(term, reason=EndReason.left_entity, ended_on=NOW.date(),
                             actor=coordinator, now=NOW)
    db.session.commit()
    assert calendars_naming(f"{GIVEN} {FAMILY}") == [
        (first.email, MailStatus.sent), (second.email, MailStatus.queued)]
    waiting = db.session.scalars(select(OutboxMessage).filter_by(recipient=second.email)).one()
    before = Calendar.from_ical(base64.b64decode(waiting.parts[0]["data"]))

    anonymise_person(presenter, actor=coordinator, now=NOW + timedelta(days=1))
    db.session.commit()
    assert calendars_naming(FAMILY) == [] and calendars_naming(GIVEN) == []
    waiting = db.session.get(OutboxMessage, waiting.id)
    assert waiting.status == MailStatus.queued
    assert [part["data"] == waiting.parts[0]["data"] for part in waiting.parts] == [True, True]
    after = Calendar.from_ical(base64.b64decode(waiting.parts[0]["data"]))
    (old,), (new,) = before.walk("VEVENT"), after.walk("VEVENT")
    assert {key: new[key] for key in new if key != "DESCRIPTION"} == \
        {key: old[key] for key in old if key != "DESCRIPTION"}
    assert str(new["DESCRIPTION"]) == str(old["DESCRIPTION"]).replace(
        f"{GIVEN} {FAMILY}", f"Anonymised person {presenter.id}")


@pytest.mark.parametrize("given", ["Élodie", "ÉLODIE", "Öykü"])
def test_a_name_with_accented_capitals_goes_from_the_audit_details_too(
        ctx, reference, coordinator, make_person, make_session, given):
    """The audit details keep texts as JSON writes them, an accented capital escaped
    ("\\u00c9lodie"): the search for the lower-case name ("\\u00e9lodie") must find it."""
    person = make_person(given=given, family="Brightwaterova", email="eb@wfp.org")
    term = registry.appoint(person, {"role": "alternate", "entity": entity("WFP"),
                                     "unct": None}, actor=coordinator, now=NOW)
    make_session(description_en=f"With {given} Brightwaterova of WFP.")
    registry.end_appointment(term, reason=EndReason.left_entity, ended_on=NOW.date(),
                             actor=coordinator, now=NOW)
    db.session.commit()
    assert any("\\u00" in json.dumps(event.changes) and "Brightwaterova" in json.dumps(
        event.changes) for event in db.session.scalars(select(AuditEvent).filter_by(
            action="session.create")))

    anonymise_person(person, actor=coordinator, now=NOW + timedelta(days=1))
    db.session.commit()
    assert where_found((f"{given} brightwaterova".lower(),)) == []


def test_a_request_made_under_an_earlier_address_is_erased_with_its_memo(
        ctx, reference, coordinator):
    """She asked to join under the address she had then; the Office turned the request
    down, recorded her later, then changed her address. The request is hers: the page
    counts it among what is erased, and its names and memo go."""
    old, new = "zq.old@wfp.org", "zq.new@wfp.org"
    request = her_join_request(old, now=NOW - timedelta(days=20))
    memo = request.letter_key
    turned_down(request, "No memo from the head of entity.", actor=coordinator,
                now=NOW - timedelta(days=20))
    person = registry.create_person({"given_name": GIVEN, "family_name": FAMILY,
                                     "email": old, "entity": entity("WFP")},
                                    actor=coordinator, now=NOW - timedelta(days=10))
    term = registry.appoint(person, {"role": "alternate", "entity": entity("WFP"),
                                     "unct": None}, actor=coordinator,
                            now=NOW - timedelta(days=10))
    registry.update_person(person, {"email": new}, actor=coordinator,
                           now=NOW - timedelta(days=5))
    registry.end_appointment(term, reason=EndReason.left_entity, ended_on=NOW.date(),
                             actor=coordinator, now=NOW)
    db.session.commit()
    assert what_is_erased(person)["nominations"] == 1

    for key in anonymise_person(person, actor=coordinator, now=NOW + timedelta(days=1)):
        storage.remove(key)
    db.session.commit()
    request = db.session.get(Nomination, request.id)
    assert (request.given_name, request.family_name, request.email) == (
        "Anonymised person", str(person.id), f"person-{person.id}@anonymised.invalid")
    assert not storage.exists(memo)
    assert where_found(("quillfeatherova", old)) == []
