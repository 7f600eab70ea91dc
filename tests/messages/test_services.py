"""Messages to the network: the audience built from its filters in one statement, the preview's
counts per language, drafts, the confirmed sending and the newsletter opt-out."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.accounts.services import set_roles
from gfp_portal.attendance.models import Attendance, AttendanceSource, AttendanceStatus
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import utcnow
from gfp_portal.core.jobs import Job
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.messages import queries, services
from gfp_portal.messages.models import MessageStatus, NetworkMessage, NewsletterOptOut
from gfp_portal.parity.imports import apply_figures
from gfp_portal.privacy.anonymise import anonymise_person
from gfp_portal.reference.models import Unct
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import AppointmentStatus, EndReason, Person
from gfp_portal.registry.signals import people_signing_in
from gfp_portal.sessions import registration
from tests.helpers import NOW, entity, outbox, refused, refused_rollback

LANGS = ("en", "fr", "es", "ar")
TODAY = NOW.date()


def draft(actor, audience=None, kind="notice", **texts):
    data = {"kind": kind, "subject_en": "Network update", "body_en": "Dear colleagues,",
            "audience": audience or {}, **texts}
    return services.save_draft(None, data, actor=actor, now=NOW)


def ids(message):
    return [row.id for row in queries.recipients(message)]


def test_preview_counts_each_language_and_who_gets_english(coordinator, make_network):
    make_network(8, languages=LANGS)
    message = draft(coordinator, subject_fr="Nouvelles du réseau", body_fr="Chers collègues,")
    counts = queries.preview(message)
    assert counts.by_language == {"en": 2, "fr": 2, "es": 2, "ar": 2}
    assert counts.total == 8 and counts.fallback == 4 and counts.opted_out == 0
    assert [row.language for row in queries.recipients(message)] == list(LANGS * 2)


def test_the_account_language_comes_before_the_registry_one(coordinator, make_network):
    person_id = make_network(1, languages=("fr",))[0]
    db.session.add(User(email="member@example.org", person_id=person_id, locale="ar"))
    db.session.flush()
    message = draft(coordinator)
    assert [(row.id, row.language) for row in queries.recipients(message)] == \
        [(person_id, "ar")]
    # A language the portal does not speak reads as English.
    db.session.scalars(select(User).filter_by(email="member@example.org")).one().locale = "zh"
    assert queries.recipients(message)[0].language == "en"


def test_a_message_to_former_holders_leaves_out_whoever_still_serves(
        coordinator, make_network, make_appointee):
    """A renewal ends the previous term: its holder, serving still, is no former focal point.
    Someone who left UNDP for UNICEF (their last day there was yesterday) is a former holder
    of UNDP's appointments."""
    former = make_network(1, status=AppointmentStatus.ended)
    renewed = make_appointee()
    registry.renew(renewed.appointments[0], actor=coordinator)
    moved = make_appointee(role="focal_point")  # of another entity now
    today = utcnow().date()
    undp_term = registry.appoint(moved, {"role": "alternate", "entity": entity("UNDP"),
                                         "unct": None,
                                         "start_date": today - timedelta(days=100)},
                                 actor=None)
    registry.end_appointment(undp_term, reason=EndReason.left_entity,
                             ended_on=today - timedelta(days=1), actor=coordinator)
    db.session.flush()
    assert ids(draft(coordinator, {"status": "ended"})) == sorted(former)
    assert ids(draft(coordinator, {"status": "ended", "entity": str(entity("UNDP").id)})) == \
        sorted([*former, moved.id])


def test_a_holder_whose_end_is_entered_ahead_is_reached_until_their_last_day(
        coordinator, make_person):
    """A notice to the active alternates, sent on 1 March, reaches the alternate whose last
    day, entered ahead, is 31 March: they hold the role all month. A message to the former
    alternates does not name them yet; the preview and the sending count them alike."""
    person = make_person()
    term = registry.appoint(person, {"role": "alternate", "entity": entity("UNDP"),
                                     "unct": None, "start_date": TODAY - timedelta(days=400)},
                            actor=coordinator, now=NOW)
    registry.end_appointment(term, reason=EndReason.left_entity,
                             ended_on=TODAY + timedelta(days=30), actor=coordinator, now=NOW)
    db.session.flush()
    active = draft(coordinator, {"role": "alternate"})
    services.send_message(active, actor=coordinator, expected=1, now=NOW)
    assert active.recipient_count == 1
    assert services.deliver_message(active, now=NOW) == 1
    assert queries.preview(active, today=TODAY).total == 1
    former = draft(coordinator, {"role": "alternate", "status": "ended"})
    assert queries.recipients(former, today=TODAY) == []
    # Once the last day has passed, the person is a former alternate.
    after = TODAY + timedelta(days=31)
    assert queries.preview(active, today=after).total == 0
    assert [row.id for row in queries.recipients(former, today=after)] == [person.id]


def test_filters_combine_on_the_same_appointment(coordinator, make_network):
    alternates = make_network(3, languages=("en", "fr"))
    focal_points = make_network(1, role="focal_point", acronym="UNICEF")
    in_kenya = make_network(2, acronym="WFP", unct="KEN")
    ended = make_network(2, status=AppointmentStatus.ended)
    assert ids(draft(coordinator)) == sorted(alternates + focal_points + in_kenya)
    assert ids(draft(coordinator, {"role": "focal_point"})) == focal_points
    assert ids(draft(coordinator, {"status": "ended"})) == ended
    assert ids(draft(coordinator, {"entity": str(entity("UNICEF").id)})) == focal_points
    assert ids(draft(coordinator, {"unct": "KEN"})) == in_kenya
    assert ids(draft(coordinator, {"unct": "HQ", "role": "alternate"})) == alternates
    assert ids(draft(coordinator, {"region": "africa"})) == in_kenya
    assert ids(draft(coordinator, {"language": "fr"})) == [alternates[1]]
    assert ids(draft(coordinator, {"entity_type": "fund_programme", "unct": "KEN"})) == \
        in_kenya
    # Role of one appointment, entity of another: nobody.
    assert ids(draft(coordinator, {"role": "focal_point", "unct": "KEN"})) == []


def test_below_parity_names_the_entities_below_the_range(coordinator, make_network):
    undp = make_network(2)
    wfp = make_network(2, acronym="WFP")
    apply_figures([(entity("UNDP").id, 2026, 2, "P-4", "HQ", "", 30, 70),
                   (entity("WFP").id, 2026, 2, "P-4", "HQ", "", 50, 50)],
                  "p.csv", "a" * 64, actor=coordinator)
    # WFP is within the range: its people are left out.
    assert ids(draft(coordinator, {"below_parity": True})) == undp
    assert ids(draft(coordinator, {"entity_type": "fund_programme"})) == sorted(undp + wfp)


def test_not_attended_leaves_out_who_was_present_on_the_topic(coordinator, make_network,
                                                              make_session):
    trained, untrained = make_network(2)
    session = make_session()
    row = registration.register(session, db.session.get(Person, trained), actor=None,
                                notify=False)
    db.session.add(Attendance(registration_id=row.id, status=AttendanceStatus.present,
                              source=AttendanceSource.manual))
    db.session.flush()
    assert ids(draft(coordinator, {"not_attended": "enabling_environment"})) == [untrained]
    assert ids(draft(coordinator, {"not_attended": "anti_racism"})) == [trained, untrained]


def test_newsletters_skip_those_who_opted_out_notices_do_not(coordinator, make_network):
    staying, leaving = make_network(2, languages=("en", "es"))
    assert services.set_newsletter(db.session.get(Person, leaving), False, actor=coordinator)
    newsletter = draft(coordinator, kind="newsletter")
    notice = draft(coordinator, kind="notice")
    assert ids(newsletter) == [staying] and ids(notice) == [staying, leaving]
    counts = queries.preview(newsletter)
    assert counts.total == 1 and counts.opted_out == 1 and counts.by_language["es"] == 0
    assert queries.preview(notice).total == 2
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "newsletter.opt_out")).one()
    assert (event.object_type, event.object_id) == ("people", leaving)
    # Saying the same again changes nothing; opting back in removes the row.
    assert not services.set_newsletter(db.session.get(Person, leaving), False, actor=None)
    assert services.set_newsletter(db.session.get(Person, leaving), True, actor=None)
    assert db.session.scalar(select(func.count()).select_from(NewsletterOptOut)) == 0


def test_anonymised_people_are_in_no_audience(coordinator, make_network):
    erased, former = make_network(2, status=AppointmentStatus.ended)
    anonymise_person(db.session.get(Person, erased), actor=coordinator)
    # A message to the former focal points: the anonymised one has no address left to write to.
    message = draft(coordinator, {"status": "ended"})
    assert ids(message) == [former]
    assert queries.preview(message).total == 1


@pytest.mark.parametrize(("data", "code", "field"), [
    ({"subject_en": "  "}, "no_subject", "subject_en"),
    ({"body_en": ""}, "no_body", "body_en"),
    ({"audience": {"entity": "999999"}}, "bad_filter", "entity"),
    ({"audience": {"entity": "UNDP"}}, "bad_filter", "entity"),
    ({"audience": {"entity": "1²"}}, "bad_filter", "entity"),
    ({"audience": {"entity": "99999999999999999999"}}, "bad_filter", "entity"),
    ({"audience": {"unct": "XXX"}}, "bad_filter", "unct"),
    ({"audience": {"role": "boss"}}, "bad_filter", "role"),
    ({"audience": {"language": "de"}}, "bad_filter", "language"),
    ({"subject_fr": "Objet"}, "half_language", "body_fr"),
    ({"body_ar": "نص الرسالة"}, "half_language", "subject_ar"),
])
def test_bad_drafts_are_refused(coordinator, data, code, field):
    base = {"kind": "notice", "subject_en": "S", "body_en": "B", "audience": {}}
    error = refused_rollback(code, services.save_draft, None, {**base, **data},
                             actor=coordinator)
    assert error.field == field
    assert db.session.scalar(select(func.count()).select_from(NetworkMessage)) == 0


def test_a_draft_keeps_every_text_and_filter(coordinator):
    message = draft(coordinator, {"role": "alternate", "unct": "HQ", "below_parity": True,
                                  "entity": "", "language": None},
                    subject_ar="تحديث", body_ar="الزملاء الأعزاء")
    assert (message.text("subject", "ar"), message.text("body", "es")) == \
        ("تحديث", "Dear colleagues,")
    assert message.text_language("body", "es") == "en"
    changed = services.save_draft(message, {"kind": "newsletter", "subject_en": "Update 2",
                                            "body_en": "Hello", "subject_ar": "",
                                            "audience": message.audience}, actor=coordinator)
    assert changed is message and message.kind.value == "newsletter"
    assert message.audience == {"role": "alternate", "unct": "HQ", "below_parity": True}
    assert (message.subject_en, message.subject_ar, message.body_ar) == ("Update 2", None, None)


def test_sending_freezes_the_message_queues_a_job_and_is_audited(coordinator, make_network,
                                                                  app, monkeypatch):
    make_network(3, languages=LANGS)
    message = draft(coordinator)
    refused("audience_changed", services.send_message, message, actor=coordinator,
            expected=2, now=NOW)
    assert message.status == MessageStatus.draft
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    job = services.send_message(message, actor=coordinator, expected=3, now=NOW)
    assert job.kind == "messages.send" and job.params == {"message_id": message.id}
    assert message.status == MessageStatus.sending and message.recipient_count == 3
    assert message.counts == {"en": 1, "fr": 1, "es": 1, "ar": 0, "fallback": 2,
                              "opted_out": 0}
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "message.send")).one()
    assert event.changes["recipients"] == [None, 3]
    refused("not_draft", services.send_message, message, actor=coordinator)
    refused("not_draft", services.save_draft, message, {"subject_en": "x", "body_en": "y"},
            actor=coordinator)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_an_empty_audience_is_not_sent(coordinator, make_network):
    make_network(2)
    message = draft(coordinator, {"role": "focal_point"})
    refused("no_recipients", services.send_message, message, actor=coordinator)


def test_the_unsubscribe_token_names_one_person_and_cannot_be_forged(coordinator,
                                                                     make_network):
    person_id = make_network(1)[0]
    token = services.unsubscribe_token(person_id)
    assert services.person_of_token(token).id == person_id
    assert services.person_of_token(token[:-2] + "xy") is None
    assert services.person_of_token("") is None
    assert services.person_of_token("abc.def") is None


def test_a_message_confirmed_twice_at_once_is_sent_once(coordinator, make_network, app,
                                                         monkeypatch):
    make_network(2)
    message = draft(coordinator)
    db.session.commit()
    assert message.status == MessageStatus.draft  # as this request read it
    # Another request confirmed it first: its change is in the database, not in this session.
    with app.app_context():
        other = db.session.get(NetworkMessage, message.id)
        other.status = MessageStatus.sending
        db.session.commit()
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    refused("not_draft", services.send_message, message, actor=coordinator)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_the_sending_rate_setting_spaces_the_batches_a_minute_apart(coordinator, make_network,
                                                                    app, monkeypatch):
    make_network(25, languages=LANGS)
    update_settings({"messages.per_minute": 10}, actor=coordinator)
    message = draft(coordinator, kind="newsletter")
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    services.send_message(message, actor=coordinator, now=NOW)
    reports = []
    with app.test_request_context():
        assert services.deliver_message(message, now=NOW, progress=lambda done, total:
                                        reports.append((done, total))) == 25
    due = sorted(db.session.scalars(select(OutboxMessage.next_attempt_at)).all())
    assert [due.count(NOW + timedelta(minutes=n)) for n in range(3)] == [10, 10, 5]
    assert reports[0] == (0, 25) and reports[-1] == (25, 25) and len(reports) == 26
    assert message.status == MessageStatus.sent


def test_a_recipient_whose_account_cannot_open_the_archive_is_not_pointed_to_it(
        coordinator, make_network, app, monkeypatch):
    """An alternate whose account holds only a Resident Coordinator's role (the Office
    appointed them in the registry, not through a nomination, which gives the focal-point
    role): the archive refuses them, so their copy leaves out the line that points to it. A
    colleague whose account holds the focal-point role, or the Office's, is pointed to it."""
    reader, office, team_head = (db.session.get(Person, person_id)
                                 for person_id in make_network(3))
    accounts = {person.id: User(email=person.email, person=person, is_active=True)
                for person in (reader, office, team_head)}
    db.session.add_all(accounts.values())
    set_roles(accounts[reader.id], ["focal_point"], [])
    set_roles(accounts[office.id], ["coordinator"], [])
    set_roles(accounts[team_head.id], ["resident_coordinator"],
              [db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()])
    db.session.flush()
    message = draft(coordinator)
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    services.send_message(message, actor=coordinator, now=NOW)
    with app.test_request_context():
        assert services.deliver_message(message, now=NOW) == 3
    mails = {mail.recipient: mail for mail in outbox("network_message")}
    link = f"/messages/{message.id}"
    for person in (reader, office):
        assert link in mails[person.email].body_text
    assert link not in mails[team_head.email].body_text
    assert link not in mails[team_head.email].body_html
    assert "Dear colleagues," in mails[team_head.email].body_text


def test_only_a_recipient_who_signs_in_is_pointed_to_the_archive(coordinator, make_network,
                                                                  app, monkeypatch):
    """A person may exist without an account (DESIGN §2), or have one they cannot sign in
    with (invited, not yet activated; deactivated): the archive is behind a sign-in they
    cannot pass, so their copy leaves out the line that points to it. Each batch is asked
    about at once, not person by person."""
    member, invited, nobody = (db.session.get(Person, person_id)
                               for person_id in make_network(3))
    account = User(email=member.email, person=member, is_active=True)
    set_roles(account, ["focal_point"], [])
    db.session.add_all([account, User(email=invited.email, person=invited, is_active=False)])
    update_settings({"messages.per_minute": 2}, actor=coordinator)
    message = draft(coordinator)
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    services.send_message(message, actor=coordinator, now=NOW)
    asked = []

    def ask(_sender, *, person_ids, **_extra):
        asked.append(person_ids)
        return set()
    with app.test_request_context(), people_signing_in.connected_to(ask):
        assert services.deliver_message(message, now=NOW) == 3
    mails = {mail.recipient: mail for mail in outbox("network_message")}
    link = f"/messages/{message.id}"
    assert link in mails[member.email].body_text and link in mails[member.email].body_html
    for person in (invited, nobody):
        mail = mails[person.email]
        assert link not in mail.body_text and link not in mail.body_html, mail.body_text
        assert "archive" not in mail.body_text and "archive" not in mail.body_html
        assert "Dear colleagues," in mail.body_text
    assert len(asked) == 2  # two batches of two
