"""Guests holding a place at a session are reminded of it as the people registered are: by the
same daily run, once, not when their place or the session is cancelled, in their language,
with the times in the session's zone (a guest gives none) and the join link or the venue."""
from datetime import timedelta

from gfp_portal.extensions import db
from gfp_portal.privacy.anonymise import anonymise_guests
from gfp_portal.programme import guests
from gfp_portal.programme.models import GuestPlaceStatus
from gfp_portal.sessions import registration, services
from tests.helpers import NOW, outbox
from tests.programme.places import guest_place


def _reminded(email):
    return [m for m in outbox("session_notice") if m.recipient == email and not m.parts]


def test_a_guest_is_reminded_once_with_the_people_registered(app, make_session,
                                                             make_appointee):
    session = make_session(starts_in=timedelta(hours=20), venue="Palais des Nations, Room XX",
                           format="hybrid")
    person = make_appointee()
    registration.register(session, person, actor=None, now=NOW)
    place = guest_place(session)
    db.session.commit()
    # One run counts both: the person and the guest.
    assert services.send_reminders(now=NOW) == 2
    db.session.commit()
    assert services.send_reminders(now=NOW) == 0
    assert services.send_reminders(now=NOW + timedelta(hours=1)) == 0
    mail, = _reminded(place.guest.email)
    assert mail.locale == "es" and mail.subject.startswith("Recordatorio")
    # The join link and the venue; the times in the session's zone, named.
    assert "https://meet.example.org/gfp" in mail.body_text
    assert "Palais des Nations, Room XX" in mail.body_text
    assert "Zúrich" in mail.body_text or "Zurich" in mail.body_text
    # No account to sign in with: the Office's mailbox to write to.
    assert app.config["ORGANIZER_EMAIL"] in mail.body_text
    assert place.reminder_sent_at == NOW


def test_no_reminder_to_a_cancelled_or_unconfirmed_place_nor_at_a_cancelled_session(
        make_session, coordinator):
    session = make_session(starts_in=timedelta(hours=20))
    cancelled = guest_place(session, email="cancelled@example.org")
    guests.cancel_place(cancelled, actor=coordinator, now=NOW)
    pending = guest_place(session, email="pending@example.org",
                           status=GuestPlaceStatus.pending)
    kept = guest_place(session, email="kept@example.org", language="fr")
    assert services.send_reminders(now=NOW) == 1
    assert _reminded(cancelled.guest.email) == [] and _reminded(pending.guest.email) == []
    assert len(_reminded(kept.guest.email)) == 1

    other = make_session(starts_in=timedelta(hours=20))
    told = guest_place(other, email="told@example.org")
    services.cancel_session(other, reason="The trainer is ill", actor=coordinator, now=NOW)
    assert services.send_reminders(now=NOW) == 0
    assert _reminded(told.guest.email) == []


def test_a_guest_is_reminded_only_within_the_reminder_period(make_session):
    session = make_session(starts_in=timedelta(hours=30))
    place = guest_place(session)
    assert services.send_reminders(now=NOW) == 0
    assert services.send_reminders(now=NOW + timedelta(hours=7)) == 1
    assert len(_reminded(place.guest.email)) == 1


def test_a_session_moved_reminds_its_guests_of_the_new_start(make_session, coordinator):
    session = make_session(starts_in=timedelta(hours=20))
    place = guest_place(session)
    assert services.send_reminders(now=NOW) == 1
    services.update_session(session, {"starts_at": session.starts_at + timedelta(hours=2),
                                      "ends_at": session.ends_at + timedelta(hours=2)},
                            actor=coordinator, now=NOW)
    assert place.reminder_sent_at is None
    assert services.send_reminders(now=NOW) == 1
    assert len(_reminded(place.guest.email)) == 2


def test_an_anonymised_guest_is_not_reminded(make_session):
    session = make_session(starts_in=timedelta(hours=20))
    place = guest_place(session)
    anonymise_guests([place.guest], now=NOW)
    assert services.send_reminders(now=NOW) == 0
    assert outbox("session_notice") == []
