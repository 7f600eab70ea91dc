"""The policy settings page: admins change the policy; bad input changes nothing."""
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.admin import views as admin_views
from gfp_portal.admin.views import _erasures
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import utcnow
from gfp_portal.core.outbox import MailStatus, OutboxMessage
from gfp_portal.core.settings import Setting, update_settings
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import EndReason, Person
from gfp_portal.registry.policy import Policy
from tests.helpers import pdf_upload
from tests.markup import filled_form

TOR_CHECKED = re.compile(r'<input[^>]*\bchecked\b[^>]*id="require_terms_of_reference"')
VALID = {
    "default_term_years": "3",
    "alert_days": "14, 60,7",
    "min_grade": "P-3",
    "min_time_share": "30",
    # require_terms_of_reference unchecked: absent from the form data
    "grade_equivalence": "no-c = p-4\n\nFS-7 = P-4\n  NO-D=P-5  \n",
    "coverage_reminder_days": "30",
    "plan_reminder_days": "30, 7",
    "nominations_daily_digest": "y",
    "reminder_hours": "24", "check_in_opens_minutes": "15", "check_in_closes_minutes": "30",
    "present_percent": "75", "partial_percent": "25", "evaluation_days": "14",
    "parity_range_min": "47", "parity_range_max": "53", "messages_per_minute": "120",
    "unconfirmed_request_days": "30", "contact_data_days": "0", "guest_data_days": "0",
    "audit_detail_days": "0", "mail_body_days": "365",
    "induction_terms": "terms-of-reference",
    "induction_guidelines": "enabling-environment-guidelines, "
                            "field-specific-enabling-environment-guidelines",
    "induction_recent_days": "180",
}


def stored(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Setting)),
                db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.object_type == "settings")))


def test_page_shows_the_current_values(client, login_as):
    login_as("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="90, 30, 7"' in html
    assert "NO-C = P-4\nNO-D = P-5" in html
    assert '<option selected value="P-4">P-4</option>' in html
    assert TOR_CHECKED.search(html)
    assert "nobody has changed them yet" in html


def test_the_implementation_plan_reminders_are_a_setting(client, login_as, app):
    login_as("admin")
    assert 'value="30, 7"' in client.get("/admin/settings").get_data(as_text=True)
    client.post("/admin/settings", data={**VALID, "plan_reminder_days": "14, 60, 14"})
    with app.app_context():
        assert db.session.get(Setting, "plans.reminder_days").value == [60, 14]


def test_the_documents_of_the_induction_path_are_settings(client, login_as, app):
    login_as("admin")
    before = stored(app)
    response = client.post("/admin/settings", data={
        **VALID, "induction_guidelines": "Guide One, ../etc", "induction_terms": "a, b"})
    assert response.status_code == 200
    assert "is not the address of a resource" in response.get_data(as_text=True)
    assert "Enter one address only." in response.get_data(as_text=True)
    assert stored(app) == before
    client.post("/admin/settings", data={**VALID, "induction_terms": "",
                                         "induction_guidelines": "toolkit, toolkit, brief"})
    with app.app_context():
        assert db.session.get(Setting, "induction.terms_of_reference").value == ""
        assert db.session.get(Setting, "induction.key_guidelines").value == ["toolkit", "brief"]


def test_admin_changes_the_settings_and_the_policy_follows(client, login_as, app):
    login_as("admin")
    response = client.post("/admin/settings", data=VALID)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/settings"
    with app.app_context():
        policy = Policy.current()
        assert policy.default_term_years == 3
        assert policy.alert_days == (60, 14, 7)
        assert policy.min_grade == "P-3" and policy.min_time_share == 30
        assert policy.require_terms_of_reference is False
        assert policy.grade_equivalence == {"NO-C": "P-4", "FS-7": "P-4", "NO-D": "P-5"}
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "settings")).one()
        assert event.actor.email == "admin@example.org"
        assert set(event.changes) == {f"policy.{k}" for k in (
            "default_term_years", "alert_days", "min_grade", "min_time_share",
            "require_terms_of_reference", "grade_equivalence")} | {"nominations.daily_digest"}
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "Changed by admin@example.org" in html and "Settings changed" in html
    assert 'value="60, 14, 7"' in html and not TOR_CHECKED.search(html)


def test_saving_unchanged_values_records_nothing(client, login_as, app):
    login_as("admin")
    client.post("/admin/settings", data=VALID)
    response = client.post("/admin/settings", data=VALID, follow_redirects=True)
    assert "Nothing has changed." in response.get_data(as_text=True)
    assert stored(app)[1] == 1


def test_coordinator_is_refused(client, login_as, app):
    login_as("coordinator")
    assert client.get("/admin/settings").status_code == 403
    assert client.post("/admin/settings", data=VALID).status_code == 403
    assert stored(app) == (0, 0)


@pytest.mark.parametrize("field, value, messages", [
    ("alert_days", "90, thirty, -7", ["“thirty” is not a number of days",
                                      "“-7” is not a number of days"]),
    ("alert_days", " , ", ["Enter at least one number of days"]),
    ("alert_days", "90, 0", ["“0” is not a number of days"]),
    # A superscript is a digit to str.isdigit, not a number to int().
    ("alert_days", "90, 3²", ["“3²” is not a number of days"]),
    ("plan_reminder_days", "30, soon", ["“soon” is not a number of days"]),
    ("grade_equivalence", "NO-C = P-4\nFS-9 P-3\nNO-D = P-9\nP-3 = P-4\nno-c = P-5",
     ["Line 2 (“FS-9 P-3”)", "Line 3 (“NO-D = P-9”): P-9 is not a grade",
      "Line 4 (“P-3 = P-4”): P-3 is already a grade", "Line 5 (“no-c = P-5”): NO-C is listed"]),
    ("default_term_years", "11", ["Enter a term from 1 to 10 years."]),
    ("min_time_share", "120", ["Enter a percentage from 0 to 100."]),
    ("min_grade", "X-9", ["Not a valid choice"]),
    ("parity_range_max", "40", ["The highest share of the parity range must be above the "
                                "lowest."]),
    ("parity_range_max", "47", ["The highest share of the parity range must be above the "
                                "lowest."]),
    ("parity_range_min", "101", ["Enter a number from 0 to 100."]),
])
def test_bad_input_re_renders_with_errors_and_stores_nothing(client, login_as, app, field,
                                                             value, messages):
    login_as("admin")
    response = client.post("/admin/settings", data={**VALID, field: value})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for message in messages:
        assert message in html
    assert 'aria-invalid="true"' in html
    assert stored(app) == (0, 0)
    with app.app_context():
        assert Policy.current().alert_days == (90, 30, 7)


def test_bad_input_is_shown_back_as_typed(client, login_as):
    login_as("admin")
    html = client.post("/admin/settings", data={
        **VALID, "alert_days": "90, soon", "grade_equivalence": "NO-C = P-4\nFS-9 P-3"}
    ).get_data(as_text=True)
    assert 'value="90, soon"' in html
    assert "NO-C = P-4\nFS-9 P-3" in html


def test_dashboard_links_the_settings_for_admins_only(client, login_as, create_user):
    login_as("coordinator")
    assert "/admin/settings" not in client.get("/admin/").get_data(as_text=True)
    client.post("/logout")
    login_as("admin")
    assert "/admin/settings" in client.get("/admin/").get_data(as_text=True)


def test_attendance_thresholds_are_settings_and_checked(client, login_as, app):
    from gfp_portal.core.settings import get_setting

    login_as("admin")
    bad = dict(VALID, partial_percent="80", present_percent="70")
    html = client.post("/admin/settings", data=bad).get_data(as_text=True)
    assert "cannot be above the one for present" in html
    good = dict(VALID, present_percent="70", partial_percent="20", check_in_opens_minutes="30")
    assert client.post("/admin/settings", data=good).status_code == 302
    with app.app_context():
        assert get_setting("attendance.present_percent") == 70
        assert get_setting("attendance.check_in_opens_minutes") == 30


def test_a_transaction_reads_the_settings_once_and_sees_a_change_after_it(app, count_queries):
    """Pages read many settings and most keys fall back to their default: one query per
    transaction, not one per key; a change is read by the next transaction."""
    from gfp_portal.core.settings import get_setting, update_settings

    with app.app_context():
        with count_queries() as counter:
            assert get_setting("sessions.reminder_hours") == 24
            assert get_setting("attendance.present_percent") == 75
            assert get_setting("policy.min_grade") == "P-4"
        assert sum("settings" in statement for statement in counter.statements) == 1
        update_settings({"attendance.present_percent": 80}, actor=None)
        assert get_setting("attendance.present_percent") == 80
        db.session.commit()
        assert get_setting("attendance.present_percent") == 80
        db.session.execute(Setting.__table__.update().values(value=70))
        db.session.commit()
        assert get_setting("attendance.present_percent") == 70


def test_the_retention_periods_are_settings_and_zero_keeps_forever(client, login_as, app):
    login_as("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Keep the text of sent emails for (days)" in page and "0 keeps them forever" in page
    before = stored(app)
    for bad in ("-1", "36501", "ten", ""):
        response = client.post("/admin/settings", data={**VALID, "mail_body_days": bad})
        assert response.status_code == 200 and "invalid-feedback" in response.get_data(
            as_text=True)
    assert stored(app) == before
    client.post("/admin/settings", data={**VALID, "contact_data_days": "730",
                                         "guest_data_days": "365", "mail_body_days": "0"})
    with app.app_context():
        assert db.session.get(Setting, "privacy.contact_data_days").value == 730
        assert db.session.get(Setting, "privacy.guest_data_days").value == 365
        assert db.session.get(Setting, "privacy.mail_body_days").value == 0


def test_a_save_that_would_undo_a_setting_changed_since_the_page_was_shown_is_refused(
        client, login_as, create_user, app):
    login_as("admin")
    shown = filled_form(client.get("/admin/settings").get_data(as_text=True), "alert_days")
    other = create_user("other-admin@example.org", roles=["admin"])
    with app.app_context():  # meanwhile another administrator changes the alert days
        update_settings({"policy.alert_days": [60, 14]}, actor=db.session.get(User, other))
        db.session.commit()
    shown["min_time_share"] = "40"
    html = client.post("/admin/settings", data=shown).get_data(as_text=True)

    assert "While this page was open, \u2068other-admin@example.org\u2069 changed Alert days" \
        in html
    assert 'value="40"' in html  # the entries are kept
    with app.app_context():
        assert db.session.get(Setting, "policy.alert_days").value == [60, 14]
        assert db.session.get(Setting, "policy.min_time_share") is None  # nothing saved
    # Sent again once checked, the entries are saved.
    assert client.post("/admin/settings", data=filled_form(html, "alert_days")).status_code \
        == 302
    with app.app_context():
        assert db.session.get(Setting, "policy.min_time_share").value == 40
        # The page showed the entries as they were typed: the alert days as first shown.
        assert db.session.get(Setting, "policy.alert_days").value == [90, 30, 7]


def test_a_retention_period_that_would_anonymise_people_is_confirmed_with_their_number_first(
        app, client, login_as, reference):
    """Shortening the contact-data period anonymises, at the next daily run, everyone who left
    before it: the settings page says how many first, and saves only once confirmed."""
    with app.app_context():
        for n in (1, 2):
            person = registry.create_person({
                "given_name": f"Leaver{n}", "family_name": "Old", "email": f"old{n}@undp.org",
                "entity": db.session.scalar(select(Entity).filter_by(acronym="UNDP"))}, actor=None)
            appointment = registry.appoint(person, {
                "role": "alternate", "entity": person.entity, "unct": None,
                "start_date": date.today() - timedelta(days=800)}, actor=None)
            registry.end_appointment(appointment, reason=EndReason.left_entity,
                                     ended_on=date.today() - timedelta(days=400), actor=None)
        db.session.commit()
    login_as("admin")
    data = {**VALID, "contact_data_days": "365"}

    page = client.post("/admin/settings", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="confirmed"' in html
    assert "2 people who left more than 365 days ago are anonymised" in html
    with app.app_context():
        assert db.session.get(Setting, "privacy.contact_data_days") is None  # not yet saved
        assert db.session.scalar(select(func.count()).select_from(Person).where(
            Person.anonymised_at.is_not(None))) == 0

    assert client.post("/admin/settings", data={**data, "confirmed": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Setting, "privacy.contact_data_days").value == 365
    # Lengthening it again, or saving it unchanged, anonymises nobody more: no question.
    assert client.post("/admin/settings", data={**data, "contact_data_days": "700"}) \
        .status_code == 302


def test_a_period_whose_next_daily_run_anonymises_someone_is_confirmed_at_any_hour(
        app, client, login_as, reference, monkeypatch):
    """At 20:00 UTC, a period of 30 days: the person whose last day was 30 days before is
    anonymised by the next morning's run (04:15 UTC). The page asks first, saying when."""
    today = utcnow().date()
    monkeypatch.setattr(admin_views, "utcnow",
                        lambda: datetime.combine(today, time(20), tzinfo=UTC))
    with app.app_context():
        person = registry.create_person({
            "given_name": "Leaver", "family_name": "Edge", "email": "edge@undp.org",
            "entity": db.session.scalar(select(Entity).filter_by(acronym="UNDP"))}, actor=None)
        registry.record_past_appointment(person, {
            "role": "alternate", "entity": person.entity, "unct": None, "status": "ended",
            "start_date": today - timedelta(days=700), "end_date": today - timedelta(days=30)},
            actor=None)
        db.session.commit()
    login_as("admin")
    page = client.post("/admin/settings", data={**VALID, "contact_data_days": "30"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="confirmed"' in html
    assert "1 person who left more than 30 days ago is anonymised" in html
    assert re.search(r"The next daily run is on [^<]*4:15", html)
    with app.app_context():
        assert db.session.get(Setting, "privacy.contact_data_days") is None  # not yet saved


@pytest.mark.parametrize("field, key, said", [
    ("audit_detail_days", "privacy.audit_detail_days",
     "3 entries of the audit log older than 30 days lose their changed values"),
    ("mail_body_days", "privacy.mail_body_days",
     "3 emails sent more than 30 days ago lose their text and attachments"),
])
def test_a_shorter_period_that_would_empty_audit_details_or_mail_texts_is_confirmed_first(
        app, client, login_as, field, key, said):
    """Emptying the details of old audit entries, or the text of old emails, is as final as
    anonymising people: the number is said first, and the period saved once confirmed."""
    with app.app_context():
        old = utcnow() - timedelta(days=200)
        for n in range(3):
            db.session.add(AuditEvent(action="person.update", object_type="people",
                                      object_id=n + 1, changes={"phone": ["1", "2"]},
                                      created_at=old))
            db.session.add(OutboxMessage(
                recipient=f"p{n}@example.org", sender="portal@example.org", subject="Hi",
                body_text="Hello.", template="welcome", message_id=f"<m{n}@example.org>",
                status=MailStatus.sent, sent_at=old, created_at=old))
        db.session.commit()
    login_as("admin")
    page = client.post("/admin/settings", data={**VALID, field: "30"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="confirmed"' in html and said in html
    with app.app_context():
        assert db.session.get(Setting, key) is None
    assert client.post("/admin/settings", data={**VALID, field: "30", "confirmed": "1"}) \
        .status_code == 302
    with app.app_context():
        assert db.session.get(Setting, key).value == 30


@pytest.mark.parametrize("field, said", [
    ("audit_detail_days",
     "3 entries of the audit log older than 1 day lose their changed values"),
    ("mail_body_days", "3 emails sent more than 1 day ago lose their text and attachments"),
])
def test_a_period_of_one_day_is_said_in_the_singular(app, client, login_as, field, said):
    with app.app_context():
        old = utcnow() - timedelta(days=200)
        for n in range(3):
            db.session.add(AuditEvent(action="person.update", object_type="people",
                                      object_id=n + 1, changes={"phone": ["1", "2"]},
                                      created_at=old))
            db.session.add(OutboxMessage(
                recipient=f"p{n}@example.org", sender="portal@example.org", subject="Hi",
                body_text="Hello.", template="welcome", message_id=f"<m{n}@example.org>",
                status=MailStatus.sent, sent_at=old, created_at=old))
        db.session.commit()
    login_as("admin")
    html = client.post("/admin/settings", data={**VALID, field: "1"}).get_data(as_text=True)
    assert "1 days" not in html and said in html


PERIODS = ("privacy.contact_data_days", "privacy.guest_data_days",
           "privacy.audit_detail_days", "privacy.mail_body_days")


@pytest.mark.parametrize("lang, days, said, never", [
    ("en", 1, "than 1 day", "1 days"),
    ("ar", 1, "أكثر من يوم واحد", "عدد الأيام"),
    ("ar", 2, "أكثر من يومين", "عدد الأيام"),
    ("ar", 11, "أكثر من 11 يومًا", "عدد الأيام"),
])
def test_what_a_shorter_period_erases_counts_its_days_in_each_languages_plural(
        ctx, lang, days, said, never):
    """Each retention period is a number of days the Office chooses, from 1: the sentences
    that ask before a shorter one erases something name it as the language counts days
    ("1 day", in Arabic "يوم واحد", "يومين", "11 يومًا")."""
    with force_locale(lang):
        sentences = _erasures(dict.fromkeys(PERIODS, 2), dict.fromkeys(PERIODS, days))
    assert len(sentences) == len(PERIODS)
    for sentence in sentences:
        assert said in sentence and never not in sentence, sentence


def test_a_shorter_period_for_unconfirmed_requests_is_confirmed_with_their_number_first(
        app, client, login_as, reference):
    """Shortening "Keep requests to join never confirmed for (days)" deletes, at the next
    daily run, requests whose confirmation links still work, with their memos: the page says
    how many first, and saves the period once confirmed."""
    from gfp_portal.nominations import join

    with app.app_context():
        for n in (1, 2):
            join.submit_join_request({
                "role": "alternate", "entity": db.session.scalars(
                    select(Entity).filter_by(acronym="WFP")).one(), "unct": None,
                "given_name": "Chikondi", "family_name": f"Banda{n}",
                "email": f"c.banda{n}@wfp.org", "start_date": date(2027, 1, 1),
                "replaces": None}, memo=pdf_upload("memo.pdf"),
                now=utcnow() - timedelta(days=3))
        db.session.commit()
    login_as("admin")
    data = {**VALID, "unconfirmed_request_days": "1"}
    page = client.post("/admin/settings", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="confirmed"' in html
    assert "2 requests to join never confirmed, made more than 1 day ago, are deleted" in html
    with app.app_context():
        assert db.session.get(Setting, "privacy.unconfirmed_request_days") is None
    assert client.post("/admin/settings", data={**data, "confirmed": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Setting, "privacy.unconfirmed_request_days").value == 1


def test_alert_days_beyond_the_default_term_are_refused_and_nothing_saved(client, login_as, app):
    """A first alert 400 days before the end of a 1-year term would alert every new holder
    on their first day."""
    login_as("admin")
    before = stored(app)
    response = client.post("/admin/settings", data={**VALID, "default_term_years": "1",
                                                    "alert_days": "400, 30, 7"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Each alert must fall within the default term: fewer than 365 days" in html
    assert 'value="400, 30, 7"' in html  # what was typed is kept
    assert stored(app) == before
    assert client.post("/admin/settings", data={**VALID, "default_term_years": "2",
                                                "alert_days": "400, 30, 7"}).status_code == 302
