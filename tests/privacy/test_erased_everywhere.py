"""A person who used every part of the portal, changed address on the way, then left; the
retention periods emptied the details of the audit events and the text of the emails sent
long ago. Once anonymised (by the Office, or by the contact data period), neither her names
nor any address she had are stored anywhere: no column of any table, no stored file."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.attendance import certificates, evaluations
from gfp_portal.attendance import services as attendance
from gfp_portal.attendance.models import Attendance, Certificate, EvaluationAnswer
from gfp_portal.core import storage
from gfp_portal.core.jobs import Job
from gfp_portal.core.outbox import MailStatus, OutboxMessage
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.messages import services as messages
from gfp_portal.nominations import services as nominations
from gfp_portal.nominations.models import Nomination
from gfp_portal.plans import services as plans
from gfp_portal.practices import services as practices
from gfp_portal.privacy import retention
from gfp_portal.privacy.anonymise import anonymise_person
from gfp_portal.privacy.personal_data import export_own_data
from gfp_portal.programme import agenda
from gfp_portal.registry import exports
from gfp_portal.registry import services as registry
from gfp_portal.registry.alerts import send_term_alerts
from gfp_portal.registry.imports import previewed
from gfp_portal.registry.models import Appointment, EndReason
from gfp_portal.registry.queries import RegistryFilter
from gfp_portal.sessions import registration as registrations
from gfp_portal.sessions.models import Registration
from tests.helpers import NOW, csv_bytes, entity, pdf_upload, unct
from tests.privacy.asking import FAMILY, GIVEN, her_join_request, turned_down
from tests.privacy.scan import where_found

OLD, NEW = "Zephyrine.Quill@wfp.org", "z.quillfeatherova@wfp.org"
PHONE = "+254 711 987 654"
NEEDLES = ("zéphyrine", "z\\u00e9phyrine", "quillfeatherova", OLD.lower(), NEW.lower(),
           "711 987 654")
LEFT = NOW + timedelta(days=30)  # her last day
PERIODS = NOW + timedelta(days=100)  # the daily run that empties the details and texts


def sent(now):
    """The emails still waiting are sent, at `now`."""
    for message in db.session.scalars(select(OutboxMessage).filter_by(
            status=MailStatus.queued)):
        message.status, message.sent_at = MailStatus.sent, now


@pytest.fixture
def everything(app, ctx, reference, create_user, coordinator, make_session, make_appointee,
               monkeypatch):
    """Zéphyrine asks to join; the Office turns the request down, then records her itself
    and opens her account; she takes a calendar feed, registers, presents, attends, gets her
    certificate and evaluates. The registry changes her address; a Resident Coordinator
    nominates her for a second role; she is sent a message to the network, opts out of the
    newsletter, is named by a practice and an award, downloads her data, is listed in a
    registry export, registers again; then she leaves."""
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "database")  # files are scanned too
    rc = db.session.get(User, create_user("rc.kenya@example.org",
                                          roles=["resident_coordinator"], uncts=["KEN"]))
    kenya = unct("KEN")
    kenya.members = [entity("WFP"), entity("UNDP")]
    turned_down(her_join_request(OLD, now=NOW - timedelta(days=20)),
                f"The memo does not name {GIVEN} {FAMILY}.", actor=coordinator,
                now=NOW - timedelta(days=20))
    person = registry.create_person({"given_name": GIVEN, "family_name": FAMILY,
                                     "email": OLD, "entity": entity("WFP"), "phone": PHONE},
                                    actor=coordinator, now=NOW - timedelta(days=10))
    registry.appoint(person, {"role": "alternate", "entity": entity("WFP"), "unct": None},
                     actor=coordinator, now=NOW - timedelta(days=10))
    user = accounts.create_account(person, roles=["focal_point"], actor=coordinator,
                                   now=NOW - timedelta(days=10))
    accounts.send_activation(user, now=NOW - timedelta(days=10))
    user.password_hash, user.is_active = "x", True  # as activated
    accounts.regenerate_calendar_token(user, now=NOW)
    registry.update_person(person, {"position_title": "Gender specialist"},
                           actor=coordinator, reason=f"{GIVEN} {FAMILY} asked", now=NOW)
    colleague = make_appointee()
    attended = make_session()
    registration = registrations.register(attended, person, actor=user, now=NOW)
    presented = make_session(starts_in=timedelta(days=12))
    agenda.add_item(presented, {"title_en": "Opening", "starts_at": presented.starts_at},
                    [agenda.presenter(person=person)], actor=coordinator, now=NOW)
    registrations.register(presented, colleague, actor=coordinator, now=NOW)
    sent(NOW)
    ended = attended.ends_at + timedelta(hours=1)
    attendance.mark(registration, "present", actor=coordinator, now=ended)
    certificates.certificate_for(attended, person, now=ended)
    evaluations.submit(attended, person, {"rating": "good", "applicable": True,
                                          "comment": f"{GIVEN} {FAMILY} found it useful."},
                       now=ended)
    # The registry changes her address; the emails sent to the earlier one stay in the outbox.
    registry.update_person(person, {"email": NEW}, actor=coordinator, now=ended)
    nomination = nominations.submit_nomination({
        "role": "alternate", "entity": entity("UNDP"), "unct": kenya,
        "given_name": GIVEN, "family_name": FAMILY, "email": NEW,
        "position_title": "Programme officer",
        "justification": f"{GIVEN} {FAMILY} leads the gender team ({NEW})."},
        letter=pdf_upload(), actor=rc, now=ended)
    nominations.approve_nomination(nomination, actor=coordinator, now=ended)
    notice = messages.save_draft(None, {"kind": "notice", "subject_en": "Network update",
                                        "body_en": "Dear colleagues,", "audience": {}},
                                 actor=coordinator, now=ended)
    messages.send_message(notice, actor=coordinator, now=ended)
    messages.set_newsletter(person, False, actor=user, now=ended)
    practice = practices.submit_practice({
        "entity": entity("WFP"), "year": 2026, "area": "flexible_working", "contacts": NEW,
        "language": "en", "title": "Flexible working in Nairobi", "summary": "",
        "body": "Core hours for every team.",
        "results": f"Led by {GIVEN} {FAMILY}: 54 % in 2024, 78 % in 2026."},
        actor=coordinator, now=ended)
    practices.publish_practice(practice, actor=coordinator, now=ended)
    practices.create_award({"year": 2026, "event": "Global Annual Meeting",
                            "name": "Champion of parity", "entity": entity("WFP"),
                            "recipients": NEW,
                            "citations": {"en": f"{GIVEN} {FAMILY} doubled parity."}},
                           actor=coordinator, now=ended)
    export_own_data(user, now=ended)
    exports.queue_export(RegistryFilter(q=f"{GIVEN} {FAMILY}"), "csv", today=ended.date(),
                         actor=coordinator, now=ended)
    registrations.register(make_session(starts_in=timedelta(days=20)), person, actor=user,
                           now=ended)
    period = plans.create_period({"name": "2025–2027", "first_year": 2025, "last_year": 2027,
                                  "deadline": date(2027, 3, 31)}, actor=coordinator, now=ended)
    plan = plans.create_plan(entity("WFP"), period, responsible=[person], actor=coordinator,
                             now=ended)
    plans.add_note(plan, f"{GIVEN} {FAMILY} sends the targets by March.", actor=coordinator,
                   now=ended)
    db.session.commit()  # the jobs run: the message's emails, the export
    # A registry import corrects her title: its check and its confirmation are jobs whose
    # reports name her.
    check = previewed.start_preview(csv_bytes([{
        "given_name": GIVEN, "family_name": FAMILY, "email": NEW, "entity": "WFP",
        "position_title": "Senior gender specialist"}]), "wfp.csv", actor=coordinator,
        language="en", now=ended)
    db.session.commit()
    db.session.get(Job, check.id).finished_at = ended  # checked then, by the job's clock
    previewed.start_apply(check.id, actor=coordinator, language="en", now=ended)
    db.session.commit()
    # Her term in Kenya ends soon: she and the coordinators are told.
    kenya_term = db.session.scalars(select(Appointment).filter_by(
        person_id=person.id, unct_id=kenya.id)).one()
    kenya_term.end_date = LEFT.date()
    assert send_term_alerts(today=LEFT.date() - timedelta(days=6), coordinators=[coordinator],
                            now=LEFT - timedelta(days=6)).total == 1
    sent(ended)
    for term in db.session.scalars(select(Appointment).filter_by(person_id=person.id)):
        registry.end_appointment(term, reason=EndReason.left_entity, ended_on=LEFT.date(),
                                 actor=coordinator, now=LEFT)
    db.session.commit()
    # What she did in the network spread her names and both addresses.
    spread = set(where_found(NEEDLES))
    assert {("outbox_messages.recipient", OLD.lower()), ("outbox_messages.parts", OLD.lower()),
            ("outbox_messages.recipient", NEW.lower()), ("people.email", NEW.lower()),
            ("users.email", NEW.lower()), ("nominations.email", OLD.lower()),
            ("nominations.justification", "quillfeatherova"),
            ("audit_events.changes", OLD.lower()),
            ("evaluation_answers.comment", "quillfeatherova"),
            ("stored_file_chunks.data", "quillfeatherova"),
            ("practice_versions.results", "quillfeatherova"),
            ("award_citations.text", "quillfeatherova"), ("jobs.result", "quillfeatherova"),
            ("plan_notes.text", "quillfeatherova")} <= spread, spread
    # Months later, the periods empty the details of the audit events and the emails' texts.
    update_settings({"privacy.audit_detail_days": 30, "privacy.mail_body_days": 30},
                    actor=None, now=PERIODS)
    counts, _keys = retention.apply_retention(now=PERIODS)
    assert counts["audit_details"] and counts["mail_bodies"]
    db.session.commit()
    return {"person": person, "coordinator": coordinator}


def _kept():
    return [db.session.scalar(select(func.count()).select_from(model))
            for model in (Appointment, Registration, Attendance, Certificate, EvaluationAnswer,
                          Nomination)]


def test_the_office_anonymising_her_leaves_nothing_of_her(everything):
    person, coordinator = everything["person"], everything["coordinator"]
    kept = _kept()
    keys = anonymise_person(person, actor=coordinator, now=PERIODS + timedelta(days=1))
    db.session.commit()
    for key in keys:
        storage.remove(key)
    found = where_found(NEEDLES)
    assert found == [], "\n".join(map(str, found))
    assert _kept() == kept


def test_the_contact_data_period_anonymising_her_leaves_nothing_of_her(everything):
    update_settings({"privacy.contact_data_days": 60}, actor=None, now=PERIODS)
    kept = _kept()
    counts, keys = retention.apply_retention(now=PERIODS + timedelta(days=1))
    db.session.commit()
    for key in keys:
        storage.remove(key)
    assert counts["contact_data"] == 1
    found = where_found(NEEDLES)
    assert found == [], "\n".join(map(str, found))
    assert _kept() == kept
