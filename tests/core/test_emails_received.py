"""The emails a focal point receives over a season, read from the recipient's side: each one in
the language of their account (its subject too), right to left in Arabic, with a plain-text
part a person can read, links that lead to the portal's own address, and only their own
address in its headers."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.attendance import evaluations, register
from gfp_portal.core.transports import build_mime
from gfp_portal.extensions import db
from gfp_portal.messages import services as messages
from gfp_portal.registry.alerts import send_term_alerts
from gfp_portal.sessions import registration
from gfp_portal.sessions import services as sessions
from tests.helpers import NOW, outbox

ARABIC = re.compile(r"[\u0600-\u06FF]")
LINK = re.compile(r"""(?:href=["']|\b)(https?://[^\s"'<>]+)""")


def _arabic_focal_point(make_appointee, given="O'Brien & <Co>"):
    """A focal point whose account reads Arabic (and who can sign in), with a name that HTML
    would escape."""
    person = make_appointee(language="ar", given=given)
    db.session.add(User(email=person.email, person=person, is_active=True, locale="ar",
                        time_zone="Asia/Amman", password_hash="x"))
    db.session.flush()
    return person


@pytest.fixture
def season(app, coordinator, make_session, make_appointee):
    """A season of a focal point's emails: invited, reminded, the session moved, a
    withdrawal, a cancelled session, an evaluation to give, a term ending, a notice to the
    network, a password reset, the account deactivated and reactivated. Returns the person."""
    person = _arabic_focal_point(make_appointee)
    title = "Women, Peace & Security <basics>"
    soon = make_session(starts_in=timedelta(hours=20), title_en=title, title_fr=None)
    row = registration.register(soon, person, actor=None, now=NOW)
    sessions.send_reminders(now=NOW)
    week = timedelta(days=7)
    sessions.update_session(soon, {"starts_at": soon.starts_at + week,
                                   "ends_at": soon.ends_at + week},
                            actor=coordinator, now=NOW + timedelta(hours=1))
    registration.cancel(row, actor=None, now=NOW + timedelta(hours=2))
    later = make_session(starts_in=timedelta(days=20), title_en=title)
    registration.register(later, person, actor=None, now=NOW)
    sessions.cancel_session(later, reason="The trainer is ill & away", actor=coordinator,
                            now=NOW + timedelta(hours=3))
    held = make_session(starts_in=timedelta(days=1), title_en=title)
    registration.register(held, person, actor=None, now=NOW)
    register.mark_all_present(held, actor=coordinator, now=held.ends_at)
    evaluations.send_reminders(now=held.ends_at + timedelta(days=1))
    appointment = person.appointments[0]
    appointment.end_date = NOW.date() + timedelta(days=20)
    send_term_alerts(today=NOW.date(), coordinators=[], now=NOW)
    notice = messages.save_draft(None, {"kind": "notice", "subject_en": "Network update",
                                        "body_en": "Dear colleagues,",
                                        "subject_ar": "أخبار الشبكة",
                                        "body_ar": "الزملاء الأعزاء"}, actor=coordinator)
    messages.freeze_message(notice, actor=coordinator, now=NOW)
    messages.deliver_message(notice, now=NOW)
    accounts.request_password_reset(person.email, now=NOW)
    user = db.session.scalars(select(User).filter_by(person_id=person.id)).one()
    accounts.deactivate_user(user, actor=coordinator, now=NOW)
    accounts.reactivate_user(user, actor=coordinator, now=NOW)
    db.session.flush()
    return person


def _theirs(person):
    return [m for m in outbox() if m.recipient == person.email]


def test_the_season_is_what_the_person_expects(season):
    kinds = [(m.template, m.subject) for m in _theirs(season)]
    templates = [template for template, _ in kinds]
    assert templates.count("session_notice") == 7  # 3 invitations, a reminder, an update, 2 cancels
    for template in ("evaluation_reminder", "term_alert", "network_message", "reset_password",
                     "account_reactivated"):
        assert template in templates, kinds


def test_every_email_is_in_arabic_subject_and_all(season):
    for mail in _theirs(season):
        assert mail.locale == "ar", mail.template
        assert ARABIC.search(mail.subject), (mail.template, mail.subject)
        assert ARABIC.search(mail.body_text), mail.template
        assert re.search(r'<html lang="ar" dir="rtl"', mail.body_html), mail.template


def test_the_plain_text_part_is_there_and_reads_as_text(season):
    for mail in _theirs(season):
        mime = build_mime(mail)
        plain = [part for part in mime.walk() if part.get_content_type() == "text/plain"]
        assert plain, mail.template
        text = plain[0].get_content()
        assert text.strip(), mail.template
        assert not re.search(r"&(amp|lt|gt|quot|#\d+|#x[0-9a-f]+);", text, re.I), \
            (mail.template, text)
        assert "<" not in text.replace("<Co>", "").replace("<basics>", ""), \
            (mail.template, text)


def test_every_link_leads_to_the_portal(season):
    for mail in _theirs(season):
        for body in (mail.body_text, mail.body_html):
            for url in LINK.findall(body):
                if "meet.example.org" in url:  # the session's own join link
                    continue
                assert url.startswith("http://portal.test/"), (mail.template, url)


def test_each_email_names_its_one_recipient_and_nobody_else(season, make_appointee,
                                                            coordinator):
    for _ in range(5):
        make_appointee()
    notice = messages.save_draft(None, {"kind": "notice", "subject_en": "To all",
                                        "body_en": "Dear colleagues,"}, actor=coordinator)
    messages.freeze_message(notice, actor=coordinator, now=NOW)
    messages.deliver_message(notice, now=NOW)
    for mail in outbox():
        mime = build_mime(mail)
        assert mime["To"] is not None and "," not in mime["To"], mime["To"]
        assert mime["Cc"] is None and mime["Bcc"] is None


def test_a_link_mailed_from_a_request_names_the_portal_not_the_host_asked(app, client,
                                                                         create_user):
    """A reset asked through a request naming another host (a forged Host header) still
    links to the portal's SERVER_NAME: the link is never handed to another site."""
    create_user("amina@example.org", locale="ar")
    response = client.post("/password/reset", data={"email": "amina@example.org"},
                           headers={"Host": "evil.example"})
    response.close()  # the link is written once the answer has gone
    with app.app_context():
        mail, = outbox("reset_password")
        assert mail.locale == "ar" and ARABIC.search(mail.subject)
        urls = LINK.findall(mail.body_text)
        assert urls and all(url.startswith("http://portal.test/") for url in urls), urls
