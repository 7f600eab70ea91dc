"""Guests who attended a session evaluate it as the people registered do: asked once by the
evaluation run, through a personal link (no account), once, with the same questions; their
answers count in the session's results, and what they wrote goes when they are anonymised."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import refresh
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.attendance import evaluations
from gfp_portal.attendance import services as attendance
from gfp_portal.attendance.models import EvaluationAnswer, EvaluationResponse
from gfp_portal.core.errors import DomainError
from gfp_portal.core.tokens import digest
from gfp_portal.extensions import db
from gfp_portal.privacy.anonymise import anonymise_guests
from gfp_portal.programme import guest_evaluations, guests
from gfp_portal.sessions import registration
from gfp_portal.sessions.models import TrainingSession
from tests.helpers import NOW, login, outbox
from tests.markup import markup_problems
from tests.privacy.scan import where_found
from tests.programme.places import ANSWERS, answered_session, guest_place


def _requests(email):
    return [m for m in outbox() if m.recipient == email and m.template == "guest_evaluation"]


def _token(mail):
    return re.search(r"/guests/evaluation/([^\s?]+)", mail.body_text).group(1)


@pytest.fixture
def held(make_session, make_appointee, coordinator):
    """A session held yesterday: a person and a guest attended, another guest was absent."""
    session = make_session(starts_in=timedelta(hours=1))
    person = make_appointee()
    # An account: the evaluation run asks people who can sign in.
    db.session.add(User(email=person.email, person=person, is_active=True, locale="en",
                        password_hash="x"))
    registration.register(session, person, actor=None, now=NOW)
    came, absent = guest_place(session), guest_place(session, email="absent@example.org",
                                                           name="Tomasz Nowak")
    attendance.mark(registration.registration_of(session, person), "present",
                    actor=coordinator, now=session.ends_at)
    guests.mark_guest(came, "present", actor=coordinator, now=session.ends_at)
    guests.mark_guest(absent, "absent", actor=coordinator, now=session.ends_at)
    db.session.flush()
    return {"session": session, "person": person, "came": came, "absent": absent,
            "now": session.ends_at + timedelta(days=1)}


def test_a_guest_who_attended_is_asked_once_by_the_evaluation_run(held):
    now = held["now"]
    # One run counts both: the person and the guest who came.
    assert evaluations.send_reminders(now=now) == 2
    assert evaluations.send_reminders(now=now) == 0
    assert evaluations.send_reminders(now=now + timedelta(days=1)) == 0
    mail, = _requests(held["came"].guest.email)
    assert mail.locale == "es" and mail.is_secret
    assert "/guests/evaluation/" in mail.body_text
    assert "Le rogamos que no lo comparta." in mail.body_text.replace("\n", " ")
    assert _requests(held["absent"].guest.email) == []


def test_no_request_to_a_cancelled_place_nor_an_anonymised_guest(held, coordinator):
    guests.cancel_place(held["came"], actor=coordinator, now=held["now"])
    other = guest_place(held["session"], email="other@example.org")
    guests.mark_guest(other, "present", actor=coordinator, now=held["now"])
    anonymise_guests([other.guest], now=held["now"])
    assert evaluations.send_reminders(now=held["now"]) == 1  # the person only
    assert [m for m in outbox() if m.template == "guest_evaluation"] == []


def test_a_guest_evaluates_once_and_the_answers_count(held):
    evaluations.send_reminders(now=held["now"])
    token = _token(_requests(held["came"].guest.email)[0])
    guest_evaluations.submit(token, ANSWERS, now=held["now"])
    with pytest.raises(DomainError) as excinfo:
        guest_evaluations.submit(token, ANSWERS, now=held["now"])
    assert excinfo.value.code == "already_answered"
    answer, = db.session.scalars(select(EvaluationAnswer)).all()
    assert answer.session_id == held["session"].id and answer.rating == "good"
    # Nothing the database holds leads from the answer to the guest: the key of its erasure
    # is made with the application's secret.
    place = held["came"]
    assert answer.erasure_key == guest_evaluations.erasure_key(place)
    assert answer.erasure_key not in {digest(str(place.id)), digest(token), place.token_hash,
                                      place.evaluation_token_hash}
    assert evaluations.results([held["session"].id]).answers == 1
    # Answered: not asked again.
    assert evaluations.send_reminders(now=held["now"] + timedelta(days=1)) == 0


def test_a_guest_link_refuses_what_the_evaluation_refuses(held, coordinator):
    evaluations.send_reminders(now=held["now"])
    token = _token(_requests(held["came"].guest.email)[0])
    with pytest.raises(DomainError) as excinfo:
        guest_evaluations.submit(token, {**ANSWERS, "rating": "superb"}, now=held["now"])
    assert excinfo.value.code == "rating_required"
    with pytest.raises(DomainError) as excinfo:
        guest_evaluations.submit("not-a-token", ANSWERS, now=held["now"])
    assert excinfo.value.code == "unknown_link"
    closes = evaluations.window(held["session"])[1]
    with pytest.raises(DomainError) as excinfo:
        guest_evaluations.submit(token, ANSWERS, now=closes + timedelta(minutes=1))
    assert excinfo.value.code == "closed"
    # The mark corrected to absent since the request: not evaluated.
    guests.mark_guest(held["came"], "absent", actor=coordinator, now=held["now"])
    with pytest.raises(DomainError) as excinfo:
        guest_evaluations.submit(token, ANSWERS, now=held["now"])
    assert excinfo.value.code == "not_attended"
    assert db.session.scalars(select(EvaluationAnswer)).all() == []


def test_anonymising_the_guest_clears_what_they_wrote(held):
    evaluations.send_reminders(now=held["now"])
    token = _token(_requests(held["came"].guest.email)[0])
    guest_evaluations.submit(token, ANSWERS, now=held["now"])
    assert where_found(["bolivie mériterait"])
    anonymise_guests([held["came"].guest], now=held["now"])
    db.session.flush()
    assert where_found(["bolivie mériterait", "ximena", "university.example"]) == []
    answer, = db.session.scalars(select(EvaluationAnswer)).all()
    # The answer still counts; only what was written is gone.
    assert answer.rating == "good" and answer.comment is None
    with pytest.raises(DomainError) as excinfo:
        guest_evaluations.place_for_evaluation(token, now=held["now"])
    assert excinfo.value.code == "unknown_link"


def test_the_guest_evaluates_through_the_link_without_an_account(client, make_session,
                                                                 coordinator):
    now = datetime.now(UTC)
    session = make_session(starts_in=now - NOW - timedelta(days=1))
    place = guest_place(session)
    guests.mark_guest(place, "present", actor=coordinator, now=session.ends_at)
    evaluations.send_reminders(now=now)
    token = _token(_requests(place.guest.email)[0])
    db.session.commit()
    url = f"/guests/evaluation/{token}"
    page = client.get(url + "?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Evaluate the session" in html
    assert markup_problems(html) == []
    assert client.get("/guests/evaluation/wrong-token?lang=en").status_code == 404
    # A wrong answer: said on the page, nothing recorded.
    refused = client.post(url + "?lang=en", data={"applicable": "yes", "rating": "superb",
                                                   "belonging": "yes", "empowered": "no"})
    assert refused.status_code == 200
    assert db.session.scalars(select(EvaluationAnswer)).all() == []
    sent = client.post(url, data={"applicable": "yes", "rating": "fantastic",
                                  "belonging": "yes", "empowered": "no", "comment": "Merci"})
    assert sent.status_code == 302
    answer, = db.session.scalars(select(EvaluationAnswer)).all()
    assert answer.rating == "fantastic" and answer.comment == "Merci"
    # No place for a guest's answers in the person's record of who answered.
    assert db.session.scalars(select(EvaluationResponse)).all() == []
    again = client.get(url + "?lang=en").get_data(as_text=True)
    assert "You have already evaluated this session; thank you." in again
    assert client.post(url, data={"applicable": "yes", "rating": "poor", "belonging": "no",
                                  "empowered": "no"}).status_code in (200, 302)
    assert len(db.session.scalars(select(EvaluationAnswer)).all()) == 1


def test_the_guest_evaluation_page_reads_in_arabic(app, client, running):
    """Not open before the session ends: the page says so, right to left."""
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        place = guest_place(session, language="ar")
        place.attendance = "present"
        place.evaluation_token_hash = digest("the-guest-link")
        db.session.commit()
    html = client.get("/guests/evaluation/the-guest-link?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html and "تقييم الدورة" in html
    assert "The evaluation opens when the session ends." not in html
    assert markup_problems(html) == []
    assert 'name="rating"' not in html  # no form before the end


@pytest.fixture
def answered(make_session, make_appointee, coordinator):
    """A session that ended a day ago (real time): four people of the network attended and
    three answered, a fifth was absent; two guests attended and answered, a third was
    absent. Five answers from the six who attended, two of them from guests."""
    session, _people = answered_session(make_session, make_appointee, coordinator,
                                        started_ago=timedelta(days=1))
    return session


def test_the_response_counts_guests_apart_and_everyone_who_attended(answered):
    """The rate is over those who attended and may answer (people and guests), not over the
    registrations nor over the people alone."""
    response = evaluations.response(answered)
    assert (response.answers, response.from_guests, response.may_answer) == (5, 2, 6)
    assert response.rate == pytest.approx(5 / 6)


def test_the_results_of_a_session_without_guests_say_nothing_of_guests(
        client, make_session, make_appointee, coordinator):
    """Most sessions have no guest: their results neither count answers from guests nor say
    that the participants were guests too."""
    now = datetime.now(UTC)
    session = make_session(starts_in=now - NOW - timedelta(days=1))
    people = [make_appointee() for _ in range(4)]
    for person in people:
        row = registration.register(session, person, actor=None, by_coordinator=True,
                                    notify=False, now=session.starts_at - timedelta(days=1))
        attendance.mark(row, "present", actor=coordinator, now=session.ends_at)
    for person in people[:3]:
        evaluations.submit(session, person, ANSWERS, now=session.ends_at + timedelta(hours=1))
    db.session.commit()
    login(client, "coord@example.org")
    url = f"/sessions/{session.id}/evaluation"
    html = client.get(url).get_data(as_text=True)
    assert "3 answers." in html
    assert "came from guests" not in html and "and guests" not in html
    assert "Response rate: 75% of the 4 participants who attended." in html
    refresh()  # the test's application context holds the language of the first request
    arabic = client.get(url + "?lang=ar").get_data(as_text=True)
    assert "الضيوف" not in arabic
    assert "نسبة الاستجابة: 75% من 4 أشخاص سُجّل حضورهم." in arabic
    assert markup_problems(arabic) == []


def test_the_results_page_says_how_many_answers_came_from_guests(client, answered):
    login(client, "coord@example.org")
    url = f"/sessions/{answered.id}/evaluation"
    html = client.get(url).get_data(as_text=True)
    assert "5 answers." in html
    assert "Of these, 2 answers came from guests." in html
    assert "Response rate: 83% of the 6 participants who attended" in html
    assert markup_problems(html) == []
    refresh()  # the test's application context holds the language of the first request
    arabic = client.get(url + "?lang=ar").get_data(as_text=True)
    assert "من بينها إجابتان وردتا من الضيوف." in arabic
    assert "من شخصًا" not in arabic and "من 6 أشخاص سُجّل حضورهم" in arabic
    assert markup_problems(arabic) == []


def _place_link(place, token):
    place.token_hash = digest(token)
    place.token_expires_at = datetime.now(UTC) + timedelta(days=30)
    return f"/guests/place/{token}?lang=en"


def test_the_guest_place_page_speaks_of_the_evaluation(client, make_session, coordinator):
    now = datetime.now(UTC)
    session = make_session(starts_in=now - NOW - timedelta(days=1))
    place, absent = guest_place(session), guest_place(session, email="absent@example.org")
    guests.mark_guest(place, "present", actor=coordinator, now=session.ends_at)
    guests.mark_guest(absent, "absent", actor=coordinator, now=session.ends_at)
    url = _place_link(place, "the-place-link")
    absent_url = _place_link(absent, "the-absent-link")
    db.session.commit()
    coming = "a personal link to evaluate it will be sent to you by email"
    sent = "a personal link to evaluate it was sent to you by email"
    thanks = "You have already evaluated this session; thank you."
    html = client.get(url).get_data(as_text=True)
    assert coming in html and sent not in html
    evaluations.send_reminders(now=now)
    token = _token(_requests(place.guest.email)[0])
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert sent in html and coming not in html
    assert token not in html and "/guests/evaluation/" not in html  # the email is the way in
    assert markup_problems(html) == []
    guest_evaluations.submit(token, ANSWERS, now=now)
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert thanks in html and sent not in html
    absent_html = client.get(absent_url).get_data(as_text=True)
    assert not any(text in absent_html for text in (coming, sent, thanks))


def test_the_place_page_of_a_guest_who_attended_does_not_wait_for_their_attendance(
        client, make_session, coordinator):
    """Once the guest has attended, the page no longer says that their certificate will be
    there once they have attended: the link leads to the certificate they have."""
    now = datetime.now(UTC)
    session = make_session(starts_in=now - NOW - timedelta(days=1))
    place, absent = guest_place(session), guest_place(session, email="absent@example.org")
    url, absent_url = _place_link(place, "the-place-link"), _place_link(absent, "the-absent")
    waiting = "where your certificate will be once you have attended"
    assert waiting in client.get(url).get_data(as_text=True)
    guests.mark_guest(place, "present", actor=coordinator, now=session.ends_at)
    guests.mark_guest(absent, "absent", actor=coordinator, now=session.ends_at)
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "My certificate of attendance" in html
    assert waiting not in html
    assert "Keep this link: it leads back to this page and to your certificate." in html
    assert "My certificate of attendance" not in client.get(absent_url).get_data(as_text=True)


def test_the_place_says_nothing_of_an_evaluation_not_open(held, coordinator):
    place, session = held["came"], held["session"]
    assert guest_evaluations.place_notice(place, now=session.ends_at - timedelta(
        minutes=1)) is None
    assert guest_evaluations.place_notice(place, now=held["now"]) == "coming"
    evaluations.send_reminders(now=held["now"])
    assert guest_evaluations.place_notice(place, now=held["now"]) == "sent"
    closed = evaluations.window(session)[1] + timedelta(minutes=1)
    assert guest_evaluations.place_notice(place, now=closed) is None
    assert guest_evaluations.place_notice(held["absent"], now=held["now"]) is None
