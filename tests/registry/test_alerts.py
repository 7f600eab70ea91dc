"""Term alerts: each threshold once, the most urgent only, lapses, digests, languages."""
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from babel.dates import format_date
from flask import url_for
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import func, select

from gfp_portal.accounts.models import Role, User
from gfp_portal.accounts.services import (
    active_users_with_role,
    regenerate_calendar_token,
    set_roles,
)
from gfp_portal.core.jobs import JobState, run_periodic
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.registry import services
from gfp_portal.registry.alerts import send_term_alerts
from gfp_portal.registry.models import AppointmentAlert, AppointmentStatus, EndReason
from tests.helpers import entity

END = date(2026, 12, 31)


def appoint(person, unct, *, end=END, role="focal_point", acronym="UNDP"):
    return services.appoint(person, {"entity": entity(acronym), "unct": unct, "role": role,
                                     "start_date": date(2025, 1, 1), "end_date": end},
                            actor=None)


def coordinators():
    """Who the CLI and the daily job pass in for the digests."""
    return active_users_with_role(Role.coordinator)


def day(days_left, end=END):
    return end - timedelta(days=days_left)


def person_mails(person=None):
    stmt = select(OutboxMessage).where(OutboxMessage.template == "term_alert")
    if person is not None:
        stmt = stmt.where(OutboxMessage.recipient == person.email)
    return db.session.scalars(stmt.order_by(OutboxMessage.id)).all()


def digests(email=None):
    stmt = select(OutboxMessage).where(OutboxMessage.template == "term_alerts_digest")
    if email is not None:
        stmt = stmt.where(OutboxMessage.recipient == email)
    return db.session.scalars(stmt.order_by(OutboxMessage.id)).all()


def recorded(appointment):
    return sorted(db.session.scalars(select(AppointmentAlert.threshold).where(
        AppointmentAlert.appointment_id == appointment.id)))


def test_each_threshold_fires_once(make_person, kenya):
    person = make_person()
    appointment = appoint(person, kenya)
    sent = []
    for days_left in range(100, -3, -1):
        summary = send_term_alerts(coordinators=coordinators(), today=day(days_left))
        sent += [(days_left, t) for t, n in summary.sent.items() for _ in range(n)]
    assert sent == [(90, 90), (30, 30), (7, 7), (-1, 0)]
    assert recorded(appointment) == [0, 7, 30, 90]
    assert len(person_mails(person)) == 4


def test_an_end_date_corrected_later_is_announced_again(make_person, kenya):
    """The 30-day alert went out; the term's end is then corrected a year later: the alerts
    of the new end come in their turn, 90 days before it first."""
    appointment = appoint(make_person(), kenya)
    send_term_alerts(coordinators=[], today=day(25))
    assert recorded(appointment) == [30, 90]
    later = END + timedelta(days=365)
    services.correct_appointment(appointment, {"end_date": later}, actor=None)
    assert recorded(appointment) == []
    summary = send_term_alerts(coordinators=[], today=day(85, end=later))
    assert summary.sent.get(90) == 1 and recorded(appointment) == [90]


def test_running_twice_on_the_same_day_sends_each_alert_once(make_person, kenya):
    appointment = appoint(make_person(), kenya)
    first = send_term_alerts(coordinators=coordinators(), today=day(30))
    second = send_term_alerts(coordinators=coordinators(), today=day(30))
    assert first.sent[30] == 1 and second.total == 0 and second.digests == 0
    assert len(person_mails()) == 1 and len(digests()) == 1
    assert db.session.scalar(select(func.count()).select_from(AppointmentAlert)) == 2
    assert recorded(appointment) == [30, 90]


def test_skipping_to_five_days_left_sends_only_the_seven_day_alert(make_person, kenya):
    person = make_person()
    appointment = appoint(person, kenya)
    summary = send_term_alerts(coordinators=coordinators(), today=day(5))
    assert summary.sent == {90: 0, 30: 0, 7: 1, 0: 0}
    # The 90- and 30-day alerts are superseded, never sent afterwards.
    assert recorded(appointment) == [7, 30, 90]
    for days_left in (4, 3, 0):
        assert send_term_alerts(coordinators=coordinators(), today=day(days_left)).total == 0
    [mail] = person_mails(person)
    assert "in 5 days" in mail.body_text


def test_a_term_that_ends_today_is_still_active(make_person, kenya):
    appointment = appoint(make_person(), kenya)
    summary = send_term_alerts(coordinators=coordinators(), today=END)
    assert summary.sent[7] == 1 and summary.lapsed == 0
    assert appointment.status == AppointmentStatus.active
    assert "ends today" in person_mails()[0].body_text


def test_lapsed_term_becomes_ended_and_gets_the_lapse_alert_once(make_person, kenya):
    person = make_person()
    appointment = appoint(person, kenya, end=date(2026, 6, 30))
    summary = send_term_alerts(coordinators=coordinators(), today=date(2026, 7, 20))
    assert summary.lapsed == 1 and summary.sent[0] == 1 and summary.total == 1
    assert appointment.status == AppointmentStatus.ended
    assert appointment.end_reason == EndReason.term_ended
    assert appointment.ended_on == date(2026, 6, 30)
    assert recorded(appointment) == [0, 7, 30, 90]
    again = send_term_alerts(coordinators=coordinators(), today=date(2026, 7, 21))
    assert again.total == 0 and again.lapsed == 0
    [mail] = person_mails(person)
    with force_locale("en"):
        assert mail.subject == gettext(
            "Your appointment in the Gender Focal Point network has ended")
    assert "ended on June 30, 2026" in mail.body_text


def test_only_active_appointments_with_an_end_date_are_alerted(make_person, kenya):
    open_ended = appoint(make_person(), kenya, role="alternate")
    open_ended.end_date = None
    withdrawn = appoint(make_person(), kenya)
    services.end_appointment(withdrawn, reason="withdrawn", ended_on=date(2026, 3, 1),
                             actor=None)
    withdrawn.end_date = END
    db.session.flush()
    assert send_term_alerts(coordinators=coordinators(), today=day(5)).total == 0
    assert person_mails() == []


def test_thresholds_come_from_the_settings(make_person, kenya, coordinator):
    update_settings({"policy.alert_days": [60, 14]}, actor=coordinator)
    appointment = appoint(make_person(), kenya)
    assert send_term_alerts(coordinators=coordinators(), today=day(90)).total == 0
    assert send_term_alerts(coordinators=coordinators(),
                            today=day(60)).sent == {60: 1, 14: 0, 0: 0}
    assert send_term_alerts(coordinators=coordinators(),
                            today=day(7)).sent == {60: 0, 14: 1, 0: 0}
    assert recorded(appointment) == [14, 60]


@pytest.fixture
def other_accounts(ctx, reference, create_user):
    """Created before the test's own session writes (SQLite allows one writer at a time)."""
    create_user("admin@example.org", roles=["admin"])
    create_user("gone@example.org", roles=["coordinator"], active=False)
    return db.session.get(User, create_user("both@example.org",
                                            roles=["coordinator", "admin"]))


def test_coordinators_get_one_digest_per_run(other_accounts, make_person, kenya, coordinator):
    both = other_accounts
    soon = make_person(given="Amina", family="Diallo")
    later = make_person(given="Jean", family="Dupont")
    appoint(soon, kenya, end=date(2026, 6, 5))
    appoint(later, None, end=date(2026, 8, 20))
    summary = send_term_alerts(coordinators=coordinators(), today=date(2026, 6, 1))
    assert summary.total == 2 and summary.digests == 2
    assert {m.recipient for m in digests()} == {coordinator.email, both.email}
    [mail] = digests(coordinator.email)
    text = mail.body_text
    assert text.index("Amina Diallo") < text.index("Jean Dupont")  # most urgent first
    assert f"/registry/people/{soon.id}" in text and f"/registry/people/{later.id}" in text
    assert "UNDP" in text and kenya.name in text and "Headquarters" in text
    assert f"/registry/people/{soon.id}" in mail.body_html
    with force_locale("en"):
        assert mail.subject == ngettext(
            "Term alerts: %(num)s appointment ends soon or has ended",
            "Term alerts: %(num)s appointments end soon or have ended", 2)
    # Nothing due the next day: no digest at all.
    assert send_term_alerts(coordinators=coordinators(), today=date(2026, 6, 2)).digests == 0
    assert len(digests()) == 2


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_emails_are_in_the_recipients_language(make_person, kenya, coordinator, language):
    coordinator.locale = "es"
    person = make_person(preferred_language=language)
    appoint(person, kenya)
    send_term_alerts(coordinators=coordinators(), today=day(30))
    [mail] = person_mails(person)
    with force_locale(language):
        subject = gettext("Your appointment in the Gender Focal Point network ends soon")
    assert mail.locale == language and mail.subject == subject
    assert format_date(END, format="long", locale=language) in mail.body_text
    assert f'lang="{language}"' in mail.body_html
    [digest] = digests(coordinator.email)
    with force_locale("es"):
        subject = ngettext("Term alerts: %(num)s appointment ends soon or has ended",
                           "Term alerts: %(num)s appointments end soon or have ended", 1)
    assert digest.locale == "es" and digest.subject == subject
    assert format_date(END, format="long", locale="es") in digest.body_text


def test_person_email_names_role_scope_and_what_to_do(make_person, kenya):
    person = make_person(given="Amina", family="Diallo")
    appoint(person, kenya, role="alternate", acronym="UNICEF")
    send_term_alerts(coordinators=coordinators(), today=day(30))
    [mail] = person_mails(person)
    assert "Dear Amina Diallo," in mail.body_text
    assert "Alternate" in mail.body_text and "UNICEF" in mail.body_text
    assert kenya.name in mail.body_text and "in 30 days" in mail.body_text
    assert "Resident Coordinator" in mail.body_text
    assert "December 31, 2026" in mail.body_text


def test_the_details_of_the_text_part_follow_the_languages_punctuation(make_person, kenya):
    """French sets a no-break space before a colon: the details of the text part are written
    with the catalog's "%(label)s: %(value)s", as the coverage reminder's are."""
    person = make_person(preferred_language="fr")
    appoint(person, kenya)
    send_term_alerts(coordinators=[], today=day(30))
    [mail] = person_mails(person)
    assert "Rôle\u00a0: Point focal" in mail.body_text, mail.body_text
    with force_locale("fr"):
        labels = [gettext(label) for label in ("Role", "Entity", "Scope", "End of term")]
    assert all(f"\n{label}\u00a0: " in mail.body_text for label in labels), mail.body_text


def test_only_a_holder_who_signs_in_gets_the_link_to_their_profile(app, make_person, kenya):
    """A person may exist without an account (DESIGN §2), or with one they cannot sign in
    with (invited, not yet activated; deactivated): their alert names the Office's mailbox,
    not a page behind a sign-in they cannot pass."""
    holder, invited, nobody = (make_person(email=f"{name}@undp.org")
                               for name in ("holder", "invited", "nobody"))
    db.session.add_all([User(email=holder.email, person=holder, is_active=True),
                        User(email=invited.email, person=invited, is_active=False)])
    for person in (holder, invited, nobody):
        appoint(person, kenya, role="alternate")
    send_term_alerts(coordinators=[], today=day(30))
    profile, office = url_for("accounts.me", _external=True), app.config["ORGANIZER_EMAIL"]
    [mail] = person_mails(holder)
    assert profile in mail.body_text and profile in mail.body_html
    for person in (invited, nobody):
        [mail] = person_mails(person)
        assert profile not in mail.body_text and profile not in mail.body_html, mail.body_text
        assert office in mail.body_text and office in mail.body_html


def test_command_commits_and_prints_a_summary(app, runner, make_person, kenya):
    appoint(make_person(), kenya)
    appoint(make_person(), kenya, role="alternate", end=date(2026, 12, 1))
    db.session.commit()
    result = runner.invoke(args=["registry", "send-alerts", "--today", "2026-12-10"])
    assert result.exit_code == 0, result.output
    assert "Term alerts sent: 2 (90 days: 0, 30 days: 1, 7 days: 0, lapsed: 1)" in result.output
    assert "Terms lapsed: 1. Coordinator digests: 1." in result.output
    db.session.rollback()
    assert len(person_mails()) == 2
    again = runner.invoke(args=["registry", "send-alerts", "--today", "2026-12-10"])
    assert "Term alerts sent: 0" in again.output
    db.session.rollback()
    assert len(person_mails()) == 2


def _holder_with_feed(person, *, roles=("focal_point",), last_day):
    """`person`, with an account holding `roles` and a calendar feed, an alternate of UNDP
    since 2025 whose end was entered ahead on 1 March 2027: `last_day` is their last."""
    user = User(email=person.email, person=person, is_active=True, locale="en")
    db.session.add(user)
    set_roles(user, roles, [])
    term = services.appoint(person, {"entity": entity("UNDP"), "unct": None,
                                     "role": "alternate", "start_date": date(2025, 1, 1),
                                     "end_date": date(2027, 12, 31)},
                            actor=None)
    db.session.flush()
    regenerate_calendar_token(user, now=datetime(2027, 3, 1, tzinfo=UTC))
    services.end_appointment(term, reason="left_entity", ended_on=last_day, actor=None,
                             now=datetime(2027, 3, 1, tzinfo=UTC))
    return user


def feeds():
    """The people whose account holds a calendar feed, by email."""
    return set(db.session.scalars(select(User.email).where(
        User.calendar_token_hash.is_not(None))))


def test_the_daily_job_stops_the_feed_once_the_last_day_of_a_term_ended_ahead_has_passed(
        make_person, kenya):
    """The end was entered ahead: the feed goes on until the last day, and the daily run of
    the day after stops it, as ending the term that day would have. An account of the
    Office, which may hold a feed without an appointment, keeps its own."""
    last_day = date(2027, 3, 20)
    _holder_with_feed(make_person(email="leaving@undp.org"), last_day=last_day)
    _holder_with_feed(make_person(email="office@undp.org"), roles=("coordinator",),
                      last_day=last_day)
    db.session.commit()

    def run_on(day):
        run = run_periodic("registry.send-alerts", f"{day.isoformat()}T05:00",
                           now=datetime.combine(day, time(5), tzinfo=UTC))
        assert run.state == JobState.done, run.error
        db.session.rollback()

    run_on(last_day)
    assert feeds() == {"leaving@undp.org", "office@undp.org"}
    run_on(last_day + timedelta(days=1))
    assert feeds() == {"office@undp.org"}


def test_the_command_stops_the_feed_once_the_last_day_has_passed(app, runner, make_person,
                                                                 kenya):
    _holder_with_feed(make_person(email="leaving@undp.org"), last_day=date(2027, 3, 20))
    db.session.commit()
    result = runner.invoke(args=["registry", "send-alerts", "--today", "2027-03-20"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert feeds() == {"leaving@undp.org"}
    runner.invoke(args=["registry", "send-alerts", "--today", "2027-03-21"])
    db.session.rollback()
    assert feeds() == set()


def test_command_refuses_to_run_without_server_name(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    result = runner.invoke(args=["registry", "send-alerts"])
    assert result.exit_code != 0 and "SERVER_NAME" in result.output


DIGEST_SUBJECTS = {
    "fr": "Alertes d’échéance\u00a0: 2 désignations arrivent à échéance ou ont pris fin",
    "es": "Alertas de vencimiento: 2 designaciones vencen pronto o han vencido",
    "ar": "تنبيهات انتهاء المدة: تعيينان ينتهيان قريبًا أو انتهيا",
}


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_the_coordinator_digest_has_its_subject_in_the_coordinators_language(
        make_person, kenya, coordinator, language):
    coordinator.locale = language
    appoint(make_person(given="Amina", family="Diallo"), kenya, end=date(2026, 6, 5))
    appoint(make_person(given="Jean", family="Dupont"), None, end=date(2026, 8, 20))
    send_term_alerts(coordinators=coordinators(), today=date(2026, 6, 1))
    [digest] = digests(coordinator.email)
    assert digest.subject == DIGEST_SUBJECTS[language]
    with force_locale(language):
        heading = ngettext("%(num)s appointment ends soon or has ended:",
                           "%(num)s appointments end soon or have ended:", 2)
    assert heading != "2 appointments end soon or have ended:" and heading in digest.body_text
    if language == "ar":  # plain text has no dir="rtl": a line led by Latin reads left to right
        latin_first = re.compile(r"^[-\s]*[A-Za-z]")
        assert [line for line in digest.body_text.splitlines()
                if latin_first.match(line) and "://" not in line] == []


def test_the_arabic_digest_lists_with_the_arabic_comma_in_both_parts(make_person, kenya,
                                                                      coordinator):
    """The plain-text part read "جهة التنسيق: Amina Diallo، UNDP، كينيا" (the catalog's
    line); the HTML part of the same email wrote its own, with Latin commas."""
    coordinator.locale = "ar"
    appoint(make_person(given="Amina", family="Diallo"), kenya, end=date(2026, 6, 5))
    send_term_alerts(coordinators=coordinators(), today=date(2026, 6, 1))
    [digest] = digests(coordinator.email)
    assert "Amina Diallo، UNDP، كينيا" in digest.body_text
    assert re.search(r"جهة التنسيق: <a href=\"[^\"]+\">Amina Diallo</a>، UNDP، كينيا",
                     digest.body_html), digest.body_html
