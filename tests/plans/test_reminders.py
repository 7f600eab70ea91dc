"""Deadline reminders: sent to the responsible focal points of plans not yet submitted, once per
plan and threshold, in each recipient's language."""
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.core.jobs import JobState, run_periodic
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.plans import services
from gfp_portal.plans.models import PlanReminder, PlanStatus
from gfp_portal.plans.reminders import send_deadline_reminders
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import EndReason, Person
from tests.helpers import entity, outbox
from tests.plans.conftest import DEADLINE, appoint_alternate, leave_and_anonymise

ISOLATES = set("\u2066\u2067\u2068\u2069")


def _run(days_before):
    today = DEADLINE - timedelta(days=days_before)
    return send_deadline_reminders(today=today,
                                   now=datetime.combine(today, datetime.min.time(), tzinfo=UTC))


def test_each_threshold_is_sent_once(plan):
    assert _run(31) == 0
    assert _run(30) == 1
    assert _run(30) == 0 and _run(20) == 0
    assert _run(7) == 1
    assert _run(1) == 0 and _run(0) == 0
    mails = outbox("plan_reminder")
    assert [m.recipient for m in mails] == ["fp.undp@example.org"] * 2
    assert "30 days" in mails[0].body_text and "7 days" in mails[1].body_text
    assert "/plans/" in mails[0].body_text
    assert sorted(db.session.scalars(select(PlanReminder.threshold))) == [7, 30]


def test_a_late_first_run_sends_only_the_most_urgent_reminder(plan):
    assert _run(5) == 1
    assert _run(4) == 0
    assert len(outbox("plan_reminder")) == 1
    assert sorted(db.session.scalars(select(PlanReminder.threshold))) == [7, 30]


def test_submitted_updated_and_past_plans_are_not_reminded(plan, coordinator, period):
    services.change_status(plan, "submitted", actor=coordinator)
    updated = services.create_plan(entity("UNICEF"), period, actor=coordinator,
                                   responsible=plan.responsible)
    services.change_status(updated, "updated", actor=coordinator)
    assert _run(7) == 0
    assert _run(-1) == 0  # the deadline has passed: the plan is overdue, not reminded
    assert outbox("plan_reminder") == []


def test_a_plan_without_responsible_people_records_nothing(plan, coordinator):
    services.set_responsible(plan, [], actor=coordinator)
    assert _run(7) == 0
    services.set_responsible(plan, [*plan.responsible], actor=coordinator)
    assert db.session.scalars(select(PlanReminder)).all() == []


def test_an_anonymised_person_is_written_to_no_more(plan, coordinator, make_fp, responsible):
    """A responsible person who left and was anonymised since has no address left: the
    reminder goes to the others, and a plan left with nobody to write to records nothing."""
    other = make_fp("fp2.undp@example.org").person
    services.set_responsible(plan, [*plan.responsible, other], actor=coordinator)
    leave_and_anonymise(other, coordinator)
    assert _run(30) == 1
    assert [m.recipient for m in outbox("plan_reminder")] == ["fp.undp@example.org"]
    assert db.session.scalars(select(PlanReminder.recipients)).all() == [1]
    leave_and_anonymise(responsible.person, coordinator)
    assert _run(7) == 0
    services.add_note(plan, "Please send the plan.", actor=coordinator)
    assert outbox("plan_note") == []


def test_only_a_focal_point_who_signs_in_gets_the_link_to_the_plan(app, plan, coordinator):
    """A responsible focal point may exist without an account (DESIGN §2), or have one they
    cannot sign in with (invited, not yet activated; deactivated): the plan's page is behind a
    sign-in they cannot pass, so their reminder and the Office's notes name its mailbox."""
    invited, nobody = (Person(given_name="Test", family_name=name, email=f"{name}@example.org",
                              preferred_language="en", entity=entity("UNDP"))
                       for name in ("invited", "nobody"))
    db.session.add_all([invited, nobody, User(email=invited.email, person=invited,
                                              is_active=False)])
    db.session.flush()
    for person in (invited, nobody):
        appoint_alternate(person, "UNDP")
    services.set_responsible(plan, [*plan.responsible, invited, nobody], actor=coordinator)
    _run(7)
    services.add_note(plan, "Please update the targets.", actor=coordinator)
    link, office = f"/plans/{plan.id}", app.config["ORGANIZER_EMAIL"]
    for template in ("plan_reminder", "plan_note"):
        mails = {m.recipient: m for m in outbox(template)}
        mail = mails["fp.undp@example.org"]
        assert link in mail.body_text and link in mail.body_html
        for person in (invited, nobody):
            mail = mails[person.email]
            assert link not in mail.body_text and link not in mail.body_html, mail.body_text
            assert office in mail.body_text and office in mail.body_html


def test_reminders_go_in_each_recipients_language(plan, coordinator, make_fp):
    people = [make_fp(f"{code}@example.org", locale=code).person for code in ("fr", "es", "ar")]
    services.set_responsible(plan, [*plan.responsible, *people], actor=coordinator)
    _run(7)
    mails = {m.recipient: m for m in outbox("plan_reminder")}
    assert {code: mails[f"{code}@example.org"].locale for code in ("fr", "es", "ar")} == \
        {"fr": "fr", "es": "es", "ar": "ar"}
    assert "plan de mise en œuvre" in mails["fr@example.org"].body_text
    assert "plan de aplicación" in mails["es@example.org"].body_text
    assert "خطة التنفيذ" in mails["ar@example.org"].body_text
    assert mails["fp.undp@example.org"].locale == "en"


def test_a_reminder_in_plain_text_names_the_period_without_isolate_marks(plan, coordinator,
                                                                        make_fp):
    """Plain text leaves out the marks that keep "2022–2024" in order on a page (mail
    programs show them as stray boxes); the HTML part keeps them."""
    people = [make_fp(f"{code}@example.org", locale=code).person for code in ("fr", "ar")]
    services.set_responsible(plan, [*plan.responsible, *people], actor=coordinator)
    _run(7)
    for mail in outbox("plan_reminder"):
        assert "2022–2024" in mail.body_text and not ISOLATES.intersection(mail.body_text)
        assert "\u20662022–2024\u2069" in mail.body_html


def test_the_thresholds_are_a_setting(plan, coordinator):
    update_settings({"plans.reminder_days": [10]}, actor=coordinator)
    assert _run(30) == 0
    assert _run(10) == 1
    assert db.session.scalars(select(PlanReminder.threshold)).all() == [10]


def test_the_daily_job_sends_the_reminders_due(app, reference, create_user):
    office_id = create_user("office@example.org", roles=["coordinator"])
    fp_id = create_user("fp.job@example.org", roles=["focal_point"], locale="es")
    minute = datetime(2027, 3, 1, 5, 30, tzinfo=UTC)
    with app.app_context():
        office, fp = db.session.get(User, office_id), db.session.get(User, fp_id)
        appoint_alternate(fp.person, "UNDP")
        period = services.create_period({"name": "2025–2027", "first_year": 2025,
                                         "last_year": 2027,
                                         "deadline": minute.date() + timedelta(days=7)},
                                        actor=office)
        plan = services.create_plan(entity("UNDP"), period, responsible=[fp.person],
                                    actor=office)
        assert plan.status == PlanStatus.not_started
        db.session.commit()
        engine = app.extensions["jobs"]
        assert engine.schedules["plans.remind"].next_run(minute - timedelta(minutes=1)) == minute
        run = run_periodic("plans.remind", "2027-03-01T05:30", now=minute)
        assert run.state == JobState.done and run.result == {"reminders": 1}
        assert run_periodic("plans.remind", "2027-03-01T05:30", now=minute) is None
        mails = outbox("plan_reminder")
        assert [(m.recipient, m.locale) for m in mails] == [("fp.job@example.org", "es")]
        assert "plan de aplicación" in mails[0].body_text


def test_the_daily_job_takes_off_a_plan_whose_holder_s_last_day_has_passed(app, reference,
                                                                           create_user):
    """A responsible alternate whose end of term was entered ahead stays on the plan until
    their last day; the first daily run after it takes them off, and reminds nobody."""
    office_id = create_user("office@example.org", roles=["coordinator"])
    fp_id = create_user("fp.job@example.org", roles=["focal_point"])
    minute = datetime(2027, 3, 1, 5, 30, tzinfo=UTC)
    with app.app_context():
        office, fp = db.session.get(User, office_id), db.session.get(User, fp_id)
        term = registry.appoint(fp.person, {"role": "alternate", "entity": entity("UNDP"),
                                            "unct": None, "start_date": date(2026, 3, 1)},
                                actor=office, now=minute)
        registry.end_appointment(term, reason=EndReason.left_entity,
                                 ended_on=minute.date() - timedelta(days=1), actor=office,
                                 now=minute - timedelta(days=20))
        period = services.create_period({"name": "2025–2027", "first_year": 2025,
                                         "last_year": 2027,
                                         "deadline": minute.date() + timedelta(days=7)},
                                        actor=office)
        plan = services.create_plan(entity("UNDP"), period, responsible=[fp.person],
                                    actor=office)
        db.session.commit()
        run = run_periodic("plans.remind", "2027-03-01T05:30", now=minute)
        assert run.state == JobState.done and run.result == {"reminders": 0}
        assert db.session.get(type(plan), plan.id).responsible == []
        assert outbox("plan_reminder") == []
