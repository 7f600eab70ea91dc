"""Retention periods: each kind removes what is older than its period and nothing at the
boundary; 0 keeps forever; the daily job reports exact counts, on its page and in the audit."""
import base64
from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.core import storage
from gfp_portal.core.audit import AuditEvent, log_action
from gfp_portal.core.jobs import JobState, run_periodic
from gfp_portal.core.outbox import MailStatus, OutboxMessage, make_part
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.main.dashboard import Dashboard
from gfp_portal.messages import services as messages
from gfp_portal.nominations import join
from gfp_portal.nominations import services as nominations
from gfp_portal.nominations.models import Nomination
from gfp_portal.privacy import retention
from gfp_portal.privacy.anonymise import anonymise_person
from gfp_portal.programme import agenda
from gfp_portal.programme.models import AgendaItem, AgendaPresenter, Guest, GuestRegistration
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Appointment, EndReason, Person
from gfp_portal.sessions import registration as registrations
from gfp_portal.sessions.models import TrainingSession
from tests.helpers import NOW, entity, link_token, login, outbox, pdf_upload, unct
from tests.privacy.test_anonymise import calendars_naming

SECOND = timedelta(seconds=1)


def periods(**days):
    values = {f"privacy.{key}_days": 0 for key in ("unconfirmed_request", "contact_data",
                                                   "guest_data", "audit_detail", "mail_body")}
    values.update({f"privacy.{key}_days": value for key, value in days.items()})
    update_settings(values, actor=None, now=NOW - timedelta(days=400))
    db.session.commit()


@pytest.fixture
def join_request(ctx, reference):
    kenya = unct("KEN")
    kenya.members = [entity("WFP")]

    def _submit(email, now):
        request, _old = join.submit_join_request({
            "role": "alternate", "entity": entity("WFP"), "unct": kenya,
            "given_name": "Chikondi", "family_name": "Banda", "email": email,
            "start_date": date(2027, 1, 1), "replaces": None}, memo=pdf_upload("memo.pdf"),
            now=now)
        db.session.commit()
        return request
    return _submit


def test_requests_never_confirmed_go_after_their_period(join_request):
    periods(unconfirmed_request=3)
    old = join_request("old@wfp.org", NOW)
    recent = join_request("recent@wfp.org", NOW + timedelta(days=1))
    at_boundary = NOW + timedelta(days=3)
    assert retention.purge_unconfirmed_requests(now=at_boundary) == (0, [])
    removed, keys = retention.purge_unconfirmed_requests(now=at_boundary + SECOND)
    db.session.commit()
    assert (removed, keys) == (1, [old.letter_key])
    assert db.session.scalars(select(Nomination.email)).all() == ["recent@wfp.org"]
    assert [m.recipient for m in outbox("join_verify")] == ["recent@wfp.org"]
    assert recent.id


@pytest.fixture
def leavers(ctx, reference, coordinator, make_person):
    """Four people whose appointments ended on NOW's day, a day later, not at all, and one of
    the Office (with an account) whose appointment ended long ago; and one never appointed."""
    def appointed(given, email, *, ended_days=None):
        person = make_person(given=given, family="Leaver", email=email)
        appointment = registry.appoint(person, {
            "role": "alternate", "entity": entity("UNDP"), "unct": None,
            "start_date": NOW.date() - timedelta(days=400)}, actor=coordinator, now=NOW)
        if ended_days is not None:
            registry.end_appointment(appointment, reason=EndReason.left_entity,
                                     ended_on=NOW.date() + timedelta(days=ended_days),
                                     actor=coordinator, now=NOW)
        return person
    people = {"first": appointed("First", "first@undp.org", ended_days=0),
              "second": appointed("Second", "second@undp.org", ended_days=1),
              "active": appointed("Active", "active@undp.org"),
              "office": appointed("Office", "office@undp.org", ended_days=-300),
              "never": make_person(given="Never", email="never@undp.org")}
    coordinator.person = people["office"]
    db.session.commit()
    return people


def test_people_who_left_are_anonymised_after_the_period_and_the_figures_stay(app, leavers):
    periods(contact_data=30)
    with app.test_request_context():
        before = Dashboard(today=NOW.date() + timedelta(days=40), now=NOW).figures()
    at_boundary = NOW + timedelta(days=30)  # the first left exactly 30 days before
    assert retention.clear_contact_data(now=at_boundary) == (0, [])
    assert retention.clear_contact_data(now=at_boundary + timedelta(days=1)) == (1, [])
    db.session.commit()
    names = {key: db.session.get(Person, person.id).full_name for key, person in leavers.items()}
    assert names == {"first": f"Anonymised person {leavers['first'].id}",
                     "second": "Second Leaver", "active": "Active Leaver",
                     "office": "Office Leaver", "never": "Never Diallo"}
    assert retention.clear_contact_data(now=at_boundary + timedelta(days=2)) == (1, [])
    assert db.session.scalar(select(func.count(Appointment.id))) == 4
    with app.test_request_context():
        assert Dashboard(today=NOW.date() + timedelta(days=40), now=NOW).figures() == before


def test_a_leaver_asking_to_come_back_is_kept_while_the_request_is_open(app, leavers,
                                                                       join_request):
    """Her request (her name, address and the memo she attached) waits for the Office: the
    period erased it, and her, before anyone could decide on it."""
    periods(contact_data=30)
    request = join_request("First@UNDP.org", NOW + timedelta(days=20))
    later = NOW + timedelta(days=40)
    assert retention.clear_contact_data(now=later) == (1, [])  # the second leaver
    db.session.commit()
    assert db.session.get(Person, leavers["first"].id).full_name == "First Leaver"
    assert request.given_name == "Chikondi"
    request.state = "withdrawn"
    db.session.commit()
    assert retention.clear_contact_data(now=later)[0] == 1


def test_a_leaver_whose_open_request_was_made_under_an_earlier_address_is_kept(
        app, leavers, join_request, coordinator):
    """The registry changed her address since she asked to come back under the one she had:
    the request is hers all the same, and anonymising her would erase it."""
    periods(contact_data=30)
    request = join_request("first@undp.org", NOW + timedelta(days=20))
    registry.update_person(leavers["first"], {"email": "first.new@undp.org"},
                           actor=coordinator, now=NOW + timedelta(days=21))
    db.session.commit()
    later = NOW + timedelta(days=40)
    assert leavers["first"] not in retention.people_past_contact_retention(later)
    assert retention.clear_contact_data(now=later) == (1, [])  # the second leaver
    db.session.commit()
    assert db.session.get(Nomination, request.id).given_name == "Chikondi"


@pytest.fixture
def guests_of(ctx, coordinator, make_session):
    """Guests of a session that ended at NOW and of one that ends 20 days later: one with a
    place at the first (and an email, an audit reason and a description that name her), one
    presenting at the second too, one known by a single name; and one recorded long ago with
    neither place nor presentation."""
    ended, later = make_session(), make_session()
    for session, end in ((ended, NOW), (later, NOW + timedelta(days=20))):
        session.starts_at, session.ends_at = end - timedelta(hours=2), end

    def guest(name, email, *places, created_at=NOW):
        one = Guest(name=name, email=email, organisation="Universidad de Lima",
                    sector="academia", created_at=created_at)
        db.session.add(one)
        for session in places:
            db.session.add(GuestRegistration(
                session=session, guest=one, status="registered", attendance="present",
                token_hash=f"{email or name}-link", token_expires_at=NOW + timedelta(days=90)))
        return one
    found = {"placed": guest("Ana Guest Example", "ana@uni.example", ended),
             "presenting": guest("Ben Presenter", "ben@uni.example", ended),
             "one_name": guest("Ximena", "ximena@uni.example", ended),
             "recorded": guest("Old Request", None, created_at=NOW - timedelta(days=400))}
    item = AgendaItem(session=later, starts_at=later.starts_at, title_en="Opening")
    item.presenters.append(AgendaPresenter(guest=found["presenting"]))
    db.session.add(item)
    ended.description_en = "With Ana Guest Example and Ximena of the Universidad de Lima."
    db.session.add(OutboxMessage(recipient="ana@uni.example", sender="p@example.org",
                                 subject="Your place, Ana Guest Example", body_text="Dear Ana",
                                 template="guest_place_link", message_id="<ana@uni.example>",
                                 status=MailStatus.sent, sent_at=NOW))
    db.session.flush()
    log_action("guest_place.cancel", found["placed"], actor=None, now=NOW,
               reason="Ana Guest Example asked to leave")
    db.session.commit()
    return found


def test_guests_are_anonymised_once_their_last_session_is_past_the_period(guests_of):
    periods(guest_data=30)
    ids = {key: one.id for key, one in guests_of.items()}
    at_boundary = NOW + timedelta(days=30)  # the first session ended exactly 30 days before
    assert retention.clear_guest_data(now=at_boundary)[0] == 1  # the one recorded long ago
    assert retention.clear_guest_data(now=at_boundary + SECOND)[0] == 2
    db.session.commit()
    rows = {key: db.session.get(Guest, ids[key]) for key in ids}
    assert {key: (one.name, one.email) for key, one in rows.items()} == {
        "placed": (f"Anonymised guest {ids['placed']}", None),
        "presenting": ("Ben Presenter", "ben@uni.example"),
        "one_name": (f"Anonymised guest {ids['one_name']}", None),
        "recorded": (f"Anonymised guest {ids['recorded']}", None)}
    assert rows["presenting"].anonymised_at is None
    assert rows["placed"].organisation == "Universidad de Lima"
    # Their places and attendance stay, so the sessions' figures do not change; links go.
    places = db.session.scalars(select(GuestRegistration).where(
        GuestRegistration.guest_id == ids["placed"])).all()
    assert [(p.status, p.attendance, p.token_hash) for p in places] == [
        ("registered", "present", None)]
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.recipient == f"guest-{ids['placed']}@anonymised.invalid"
    assert mail.subject == f"Your place, Anonymised guest {ids['placed']}"
    assert mail.body_text == ""
    reason = db.session.scalars(select(AuditEvent.reason).where(
        AuditEvent.action == "guest_place.cancel")).one()
    assert reason == f"Anonymised guest {ids['placed']} asked to leave"
    # A full name is erased everywhere; a single word only from the guest's own row.
    description = db.session.scalars(select(TrainingSession.description_en).where(
        TrainingSession.description_en.is_not(None))).one()
    assert description == (f"With Anonymised guest {ids['placed']} and Ximena of the "
                           "Universidad de Lima.")
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "guest.anonymise", AuditEvent.reason == "retention")) == 3
    # The presenter goes once the later session is past the period too.
    assert retention.clear_guest_data(now=NOW + timedelta(days=50) + SECOND)[0] == 1
    db.session.commit()
    assert db.session.get(Guest, ids["presenting"]).name == \
        f"Anonymised guest {ids['presenting']}"


def test_audit_details_are_emptied_after_the_period_and_the_events_kept(ctx, reference):
    periods(audit_detail=10)
    db.session.execute(AuditEvent.__table__.delete())
    changes = {"status": ["active", "ended"]}
    boundary = log_action("x.a", None, object_type="system", actor=None, changes=changes,
                          now=NOW - timedelta(days=10))
    old = log_action("x.b", None, object_type="system", actor=None, changes=changes,
                     now=NOW - timedelta(days=10) - SECOND)
    reason_only = log_action("x.c", None, object_type="system", actor=None, reason="why",
                             now=NOW - timedelta(days=99))
    empty = log_action("x.d", None, object_type="system", actor=None,
                       now=NOW - timedelta(days=99))
    db.session.commit()
    assert retention.empty_audit_details(now=NOW) == 2
    db.session.commit()
    details = {e.action: (e.changes, e.reason) for e in db.session.scalars(select(AuditEvent))}
    assert details == {"x.a": (changes, None), "x.b": ({}, None), "x.c": ({}, None),
                       "x.d": ({}, None)}
    assert retention.empty_audit_details(now=NOW) == 0
    assert {boundary.id, old.id, reason_only.id, empty.id}


def test_sent_emails_lose_their_text_after_the_period(ctx, reference):
    periods(mail_body=5)
    old = NOW - timedelta(days=5)
    mails = [OutboxMessage(recipient=f"{n}@example.org", sender="portal@example.org",
                           subject=f"Subject {n}", body_text="Dear colleague", body_html="<p>x</p>",
                           parts=[make_part("BEGIN:VCALENDAR", content_type="text/calendar")],
                           template="t", message_id=f"<{n}@example.org>", status=status,
                           sent_at=sent_at, created_at=old - timedelta(days=1))
             for n, status, sent_at in [
                 ("boundary", MailStatus.sent, old), ("old", MailStatus.sent, old - SECOND),
                 ("queued", MailStatus.queued, None), ("failed", MailStatus.failed, None)]]
    db.session.add_all(mails)
    db.session.commit()
    assert retention.clear_mail_bodies(now=NOW) == 1
    db.session.commit()
    kept = {m.recipient: (m.body_text, m.body_html, len(m.parts), m.subject)
            for m in db.session.scalars(select(OutboxMessage))}
    assert kept == {"boundary@example.org": ("Dear colleague", "<p>x</p>", 1, "Subject boundary"),
                    "old@example.org": ("", None, 0, "Subject old"),
                    "queued@example.org": ("Dear colleague", "<p>x</p>", 1, "Subject queued"),
                    "failed@example.org": ("Dear colleague", "<p>x</p>", 1, "Subject failed")}
    assert retention.clear_mail_bodies(now=NOW) == 0  # already cleared: not counted again


def test_zero_keeps_everything_forever(app, leavers):
    periods()
    db.session.add(OutboxMessage(recipient="a@example.org", sender="p@example.org",
                                 subject="s", body_text="text", template="t",
                                 message_id="<a@example.org>", status=MailStatus.sent,
                                 sent_at=NOW - timedelta(days=9000)))
    db.session.commit()
    counts, keys = retention.apply_retention(now=NOW + timedelta(days=9000))
    assert (counts, keys) == ({kind: 0 for kind in retention.KINDS}, [])
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "privacy.retention")) == 0
    assert db.session.scalars(select(OutboxMessage.body_text)).all() == ["text"]


def test_the_daily_job_reports_exact_counts_on_its_page_and_in_the_audit(app, client, leavers,
                                                                        join_request):
    join_request("old@wfp.org", NOW - timedelta(days=40))
    db.session.add(OutboxMessage(recipient="a@example.org", sender="p@example.org",
                                 subject="s", body_text="text", template="t",
                                 message_id="<a@example.org>", status=MailStatus.sent,
                                 sent_at=NOW - timedelta(days=400)))
    log_action("x.old", None, object_type="system", actor=None, reason="why",
               now=NOW - timedelta(days=500))
    preview = storage.keep_pending(b"given_name,family_name\nFirst,Leaver\n", suffix=".csv")
    db.session.commit()
    periods(unconfirmed_request=30, contact_data=60, audit_detail=365, mail_body=90)
    now = NOW + timedelta(days=61)  # the first leaver left 61 days ago, the second 60
    old_details = sum(1 for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.created_at < now - timedelta(days=365))) if e.changes or e.reason)
    run = run_periodic("privacy.apply-retention", "2027-05-01", now=now)
    expected = {"unconfirmed_requests": 1, "contact_data": 1, "mail_bodies": 1,
                "audit_details": old_details}
    assert run.state == JobState.done and run.result == {**expected, "guest_data": 0}
    assert old_details >= 2  # the old event and the settings change of long ago
    assert run_periodic("privacy.apply-retention", "2027-05-01", now=now) is None
    assert storage.pending(preview) is None  # it may have named the person anonymised
    event = db.session.scalars(select(AuditEvent).filter_by(action="privacy.retention")).one()
    assert event.changes == {kind: [None, count] for kind, count in expected.items()}
    assert db.session.get(Person, leavers["office"].id).anonymised_at is None  # the Office
    db.session.commit()
    coordinator = db.session.scalars(select(User).filter_by(email="coord@example.org")).one()
    assert coordinator.is_active
    login(client, "coord@example.org")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "1 person who left anonymised." in page
    assert "1 request to join never confirmed deleted." in page
    # The audit says why in words (translated), not by the code the job wrote.
    page = client.get("/admin/audit/?object_type=people").get_data(as_text=True)
    assert "Personal data anonymised" in page
    assert "Under the retention periods" in page and "<bdi>retention</bdi>" not in page


def test_the_command_applies_the_periods_and_says_what_it_removed(app, runner, leavers,
                                                                  coordinator):
    coordinator.person = None  # the one who left before today is no longer of the Office
    periods(contact_data=1)
    result = runner.invoke(args=["privacy", "apply-retention"])
    assert result.exit_code == 0, result.output
    assert "People who left anonymised: 1." in result.output
    assert "Sent emails whose text was cleared: 0." in result.output


def test_a_shorter_period_counts_only_who_it_adds_to_the_next_run(guests_of, leavers):
    """What the settings page asks to confirm: the people and guests the new periods would
    anonymise that those in force would not; nothing for a longer period or for 0. Counted
    at the next daily run, a quarter of an hour later."""
    now = datetime.combine(NOW.date() + timedelta(days=31), time(4), tzinfo=UTC)
    periods()  # both kept forever
    assert retention.newly_erased({"privacy.contact_data_days": 30,
                                       "privacy.guest_data_days": 30}, now=now) == {
        "privacy.contact_data_days": 1, "privacy.guest_data_days": 3}
    periods(contact_data=30, guest_data=30)
    # One day: the leaver of a day later, and the presenter whose session ended 11 days ago.
    assert retention.newly_erased({"privacy.contact_data_days": 1,
                                       "privacy.guest_data_days": 1}, now=now) == {
        "privacy.contact_data_days": 1, "privacy.guest_data_days": 1}
    assert retention.newly_erased({"privacy.contact_data_days": 60,
                                       "privacy.guest_data_days": 0}, now=now) == {}
    assert retention.newly_erased({"privacy.contact_data_days": 30,
                                       "privacy.guest_data_days": 20}, now=now) == {}


# An evening at the Office, after the day's run (04:15 UTC), and the run of the next morning.
EVENING = datetime.combine(NOW.date() + timedelta(days=30), time(20), tzinfo=UTC)
NEXT_RUN = EVENING + timedelta(hours=8, minutes=15)


def test_a_shorter_period_counts_who_the_next_daily_run_anonymises_not_who_it_would_now(
        leavers):
    """The settings page is used at any hour; the daily run anonymises who is past the period
    at its own hour. At 20:00, a period of 30 days counts the person whose last day was 30 days
    before: the next morning's run anonymises them."""
    periods()
    counted = retention.newly_erased({"privacy.contact_data_days": 30}, now=EVENING)
    periods(contact_data=30)
    assert retention.clear_contact_data(now=NEXT_RUN) == (1, [])
    assert counted == {"privacy.contact_data_days": 1}


@pytest.mark.parametrize("key, erase", [
    ("privacy.audit_detail_days", retention.empty_audit_details),
    ("privacy.mail_body_days", retention.clear_mail_bodies)])
def test_a_shorter_period_counts_the_details_and_texts_that_age_past_it_before_the_next_run(
        ctx, reference, key, erase):
    """An audit entry and an email of 30 days ago less an hour are not past a period of 30
    days at 20:00, but are at the next morning's run: the confirmation counts them."""
    periods()
    db.session.execute(AuditEvent.__table__.delete())
    written = EVENING - timedelta(days=30) + timedelta(hours=1)
    log_action("x.a", None, object_type="system", actor=None,
               changes={"status": ["active", "ended"]}, now=written)
    db.session.add(OutboxMessage(recipient="a@example.org", sender="portal@example.org",
                                 subject="Hi", body_text="Dear colleague", template="t",
                                 message_id="<a@example.org>", status=MailStatus.sent,
                                 sent_at=written, created_at=written))
    db.session.commit()
    counted = retention.newly_erased({key: 30}, now=EVENING)
    update_settings({key: 30}, actor=None, now=EVENING)
    assert erase(now=NEXT_RUN) == 1
    assert counted == {key: 1}


def test_a_shorter_period_counts_the_unconfirmed_requests_it_adds_to_the_next_run(
        join_request):
    """Shortening the period of requests never confirmed deletes, at the next run, requests
    whose confirmation links may still work: the settings page asks first, with their
    number, as it does for the other periods. Counted at the next daily run, a quarter of an
    hour later."""
    now = datetime.combine(NOW.date() + timedelta(days=3), time(4), tzinfo=UTC)
    join_request("old@wfp.org", NOW)
    join_request("recent@wfp.org", NOW + timedelta(days=1))
    periods(unconfirmed_request=30)
    assert retention.newly_erased({"privacy.unconfirmed_request_days": 1}, now=now) == {
        "privacy.unconfirmed_request_days": 2}
    assert retention.newly_erased({"privacy.unconfirmed_request_days": 2}, now=now) == {
        "privacy.unconfirmed_request_days": 1}
    periods(unconfirmed_request=2)
    assert retention.newly_erased({"privacy.unconfirmed_request_days": 1}, now=now) == {
        "privacy.unconfirmed_request_days": 1}
    assert retention.newly_erased({"privacy.unconfirmed_request_days": 30}, now=now) == {}


def test_a_guest_sharing_the_name_of_a_guest_anonymised_keeps_it(ctx, coordinator,
                                                                 make_session):
    """Two guests of one name, of two sessions: the one of the session long over is
    anonymised, the other (another person, with another address) keeps the name."""
    past, coming = make_session(starts_in=-timedelta(days=100)), make_session()

    def guest(session, email):
        one = Guest(name="Ana Lucía Pérez", email=email, organisation="Universidad de Lima",
                    sector="academia", created_at=NOW - timedelta(days=120))
        db.session.add(one)
        db.session.add(GuestRegistration(session=session, guest=one, status="registered"))
        return one
    old, other = guest(past, "ana.perez@uni-lima.example"), guest(coming, "alp@mujer.example")
    periods(guest_data=30)
    assert retention.clear_guest_data(now=NOW)[0] == 1
    db.session.commit()
    assert db.session.get(Guest, old.id).name == f"Anonymised guest {old.id}"
    assert db.session.get(Guest, other.id).name == "Ana Lucía Pérez"


def test_a_guest_presenter_anonymised_is_not_named_in_the_invitations_of_others(
        ctx, coordinator, make_appointee, make_session):
    session = make_session()
    guest = agenda.add_guest_presenter("Benedikt Presenterson", "Universidad de Lima",
                                       "academia", actor=coordinator, now=NOW)
    agenda.add_item(session, {"title_en": "Opening", "starts_at": session.starts_at},
                    [agenda.presenter(guest=guest)], actor=coordinator, now=NOW)
    attendee = make_appointee()
    registrations.register(session, attendee, actor=coordinator, now=NOW)
    periods(guest_data=30, mail_body=365)
    assert calendars_naming("Benedikt Presenterson") == [(attendee.email, MailStatus.queued)]

    assert retention.clear_guest_data(now=session.ends_at + timedelta(days=31))[0] == 1
    db.session.commit()
    assert calendars_naming("Presenterson") == []
    message = db.session.scalars(select(OutboxMessage)).one()
    assert f"(Anonymised guest {guest.id})" in "".join(
        str(event["DESCRIPTION"]) for event in Calendar.from_ical(
            base64.b64decode(message.parts[0]["data"])).walk("VEVENT"))


def test_an_earlier_address_goes_after_the_audit_details_were_emptied(
        ctx, reference, coordinator, create_user):
    """The registry changed her address; a message to the network and her nomination went
    to the old one. The audit details period later empties the history that held it; her
    nomination and the message's delivery, both linked to her, still say it was hers: once
    she is anonymised, the outbox (whose pages list every recipient) no longer shows it."""
    old, new = "zq.old@wfp.org", "zq.new@unicef.org"
    long_ago = NOW - timedelta(days=400)
    rc = db.session.get(User, create_user("rc.kenya@example.org",
                                          roles=["resident_coordinator"], uncts=["KEN"]))
    kenya = unct("KEN")
    kenya.members = [entity("WFP")]
    nomination = nominations.submit_nomination({
        "role": "alternate", "entity": entity("WFP"), "unct": kenya,
        "given_name": "Zéphyrine", "family_name": "Quillfeatherova", "email": old,
        "justification": "Leads the gender team."}, letter=pdf_upload(), actor=rc,
        now=long_ago)
    nominations.approve_nomination(nomination, actor=coordinator, now=long_ago)
    message = messages.save_draft(None, {"kind": "notice", "subject_en": "Network update",
                                         "body_en": "Dear colleagues,", "audience": {}},
                                  actor=coordinator, now=long_ago)
    messages.freeze_message(message, actor=coordinator, now=long_ago)
    messages.deliver_message(message, now=long_ago)
    for mail in db.session.scalars(select(OutboxMessage)):
        mail.status, mail.sent_at = MailStatus.sent, long_ago
    person = db.session.scalars(select(Person).filter_by(email=old)).one()
    registry.update_person(person, {"email": new}, actor=coordinator, now=long_ago)
    db.session.commit()
    assert "Network update" in [m.subject for m in db.session.scalars(
        select(OutboxMessage).filter_by(recipient=old))]
    periods(audit_detail=180, mail_body=365)
    retention.empty_audit_details(now=NOW)
    term = db.session.scalars(select(Appointment).filter_by(person_id=person.id)).one()
    registry.end_appointment(term, reason=EndReason.left_entity, ended_on=NOW.date(),
                             actor=coordinator, now=NOW)
    db.session.commit()

    anonymise_person(person, actor=coordinator, now=NOW + timedelta(days=1))
    db.session.commit()
    assert [(m.subject, m.template) for m in db.session.scalars(select(OutboxMessage))
            if m.recipient.lower() == old] == []


def test_a_guest_known_by_one_name_leaves_it_in_none_of_their_own_audit_events(
        ctx, coordinator, make_session):
    """A guest presenter known by one name: the events about their own row (their
    recording) lose it once the period anonymises them; a text about anything else that
    holds the word keeps it (it may be anyone's)."""
    session = make_session(starts_in=-timedelta(days=60),
                           description_en="Wangari Maathai's legacy, with a guest.")
    guest = agenda.add_guest_presenter("Wangari", "Green Belt Movement", "civil_society",
                                       actor=coordinator, now=NOW - timedelta(days=90))
    agenda.add_item(session, {"title_en": "Opening", "starts_at": session.starts_at},
                    [agenda.presenter(guest=guest)], actor=coordinator,
                    now=NOW - timedelta(days=90))
    periods(guest_data=30)
    assert retention.clear_guest_data(now=NOW)[0] == 1
    db.session.commit()
    own = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "guests", AuditEvent.object_id == guest.id)
        .order_by(AuditEvent.id)).all()
    assert [e.action for e in own] == ["guest.create", "guest.anonymise"]
    assert [e for e in own if "Wangari" in repr(e.changes) or "Wangari" in (e.reason or "")] \
        == []
    assert own[0].changes["name"] == [None, f"Anonymised guest {guest.id}"]
    assert db.session.get(TrainingSession, session.id).description_en.startswith("Wangari")


def test_the_email_about_a_request_never_confirmed_goes_with_it_beside_an_earlier_one(
        ctx, reference, coordinator):
    """The Office turned down a request from this address two years ago; a new one from it
    is never confirmed. The new one goes after its period, with the email about it (its
    names, its post and its link); the email about the earlier request stays with it."""
    kenya = unct("KEN")
    kenya.members = [entity("WFP")]

    def submit(given, position, now):
        request, _old = join.submit_join_request({
            "role": "alternate", "entity": entity("WFP"), "unct": kenya, "given_name": given,
            "family_name": "Banda", "email": "chikondi.banda@wfp.org",
            "position_title": position, "start_date": date(2027, 1, 1), "replaces": None},
            memo=pdf_upload("memo.pdf"), now=now)
        db.session.commit()
        return request
    first = submit("Chikondi", "Programme officer", NOW - timedelta(days=700))
    link = link_token(outbox("join_verify")[-1], "/join/verify/")
    join.verify(link, now=NOW - timedelta(days=700))
    nominations.reject_nomination(first, "No memo from the head of entity.",
                                  actor=coordinator, now=NOW - timedelta(days=699))
    second = submit("Chikondi Grace", "Senior gender adviser", NOW - timedelta(days=40))
    # Sent again (the same request, a new link) a day later.
    submit("Chikondi Grace", "Senior gender adviser", NOW - timedelta(days=39))
    assert len(outbox("join_verify")) == 3
    periods(unconfirmed_request=30)

    removed, _keys = retention.purge_unconfirmed_requests(now=NOW)
    db.session.commit()
    assert removed == 1 and db.session.get(Nomination, second.id) is None
    assert [m.created_at for m in outbox("join_verify")] == [NOW - timedelta(days=700)]
