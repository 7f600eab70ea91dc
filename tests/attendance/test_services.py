"""The register, self check-in, evaluations and certificates."""
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from gfp_portal.accounts.models import User
from gfp_portal.admin.settings_forms import SettingsForm
from gfp_portal.attendance import certificates, evaluations, queries, records, register, services
from gfp_portal.attendance.models import (
    Attendance,
    AttendanceImport,
    AttendanceSource,
    Certificate,
    CheckInCode,
    EvaluationAnswer,
    EvaluationResponse,
)
from gfp_portal.core.audit import events_for
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.privacy.anonymise import anonymise_person
from gfp_portal.reference.models import Entity
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import EndReason
from gfp_portal.sessions import registration
from gfp_portal.sessions import services as sessions
from gfp_portal.sessions.models import RegistrationStatus
from tests.helpers import NOW, outbox, refused


def reg(session, person):
    return registration.registration_of(session, person)


# --- register -------------------------------------------------------------------------------

@pytest.mark.parametrize("by_coordinator", [True, False])
def test_a_registration_whose_attendance_is_recorded_cannot_be_cancelled(
        held, coordinator, by_coordinator):
    """The register lists only registrations not cancelled: a mark left behind a removed one
    could no longer be corrected, and would still earn its certificate. Its person cannot
    withdraw it (checked in before the start), nor the Office remove it; the mark is
    corrected instead. A registration without a mark still goes."""
    session, people = held
    services.mark(reg(session, people["Amina"]), "present", actor=coordinator)
    amina, actor = reg(session, people["Amina"]), coordinator if by_coordinator else None
    if by_coordinator:  # refused at the first click, before the confirmation
        refused("attendance_recorded", registration.removal_preview, amina)
    else:
        refused("attendance_recorded", registration.check_cancellable, amina)
    refused("attendance_recorded", registration.cancel, amina, actor=actor,
            by_coordinator=by_coordinator, now=NOW)
    assert amina.status == RegistrationStatus.registered
    registration.cancel(reg(session, people["Jonas"]), actor=actor,
                        by_coordinator=by_coordinator, now=NOW)
    assert reg(session, people["Jonas"]).status == RegistrationStatus.cancelled


def test_everyone_present_then_the_exceptions(held, coordinator):
    session, people = held
    assert register.mark_all_present(session, actor=coordinator) == 4
    services.mark(reg(session, people["Li"]), "excused", actor=coordinator)  # same hour: no reason
    statuses = {a.registration.person.given_name: a.status.value
                for a in db.session.scalars(select(Attendance))}
    assert statuses == {"Amina": "present", "Jonas": "present", "Li": "excused",
                        "Fatou": "present"}


def test_a_later_correction_needs_a_reason_and_is_audited(held, coordinator):

    session, people = held
    row = reg(session, people["Amina"])
    first = session.ends_at
    services.mark(row, "absent", actor=coordinator, now=first)
    later = first + timedelta(days=2)
    refused("reason_required", services.mark, row, "present", actor=coordinator, now=later)
    attendance = services.mark(row, "present", actor=coordinator, now=later,
                               reason="She joined by phone")
    event = events_for("attendances", attendance.id)[0]
    assert event.reason == "She joined by phone"
    assert event.changes["status"] == ["absent", "present"]


def test_a_walk_in_from_the_waiting_list_is_added_as_registered(held, coordinator):
    session, people = held
    row = reg(session, people["Zoe"])
    assert row.status == "waitlisted"
    services.mark(row, "present", actor=coordinator, now=session.starts_at)
    assert row.status == "registered"


def test_before_the_session_nobody_waiting_is_seated_by_a_mark(held, coordinator):
    """Ten days ahead, marking Zoe (waiting) present would seat her beyond the capacity,
    ahead of the list and without an invitation: refused; once it is under way, she is a
    walk-in."""
    session, people = held
    row = reg(session, people["Zoe"])
    refused("waitlisted_before_start", services.mark, row, "present", actor=coordinator,
            now=session.starts_at - timedelta(days=10))
    assert row.status == "waitlisted" and services.attendance_of(row) is None
    assert registration.registered_count(session) == session.capacity
    services.mark(row, "present", actor=coordinator,
                  now=session.starts_at - timedelta(minutes=5))
    assert row.status == "registered"


def _page_of(session):
    """The register as its page shows it now: its rows, and each mark as the page shows it."""
    rows, marks = queries.register_rows(session)
    return rows, {row.id: register.shown_mark(marks.get(row.id)) for row in rows}


def test_a_register_saved_from_an_older_page_leaves_the_marks_changed_since(held, coordinator):
    """The page showed everyone present; a colleague then corrected Amina to absent. Saving
    the page with Jonas changed records Jonas and leaves Amina as the colleague left her (she
    was put back to present, her certificate valid again)."""
    session, people = held
    held_at = session.ends_at
    register.mark_all_present(session, actor=coordinator, now=held_at)
    rows, shown = _page_of(session)
    amina, jonas = reg(session, people["Amina"]), reg(session, people["Jonas"])
    services.mark(amina, "absent", minutes=0, actor=None, now=held_at + timedelta(minutes=5))
    sent = dict(shown) | {jonas.id: ("partial", "30")}
    assert register.mark_register(session, rows, sent, shown=shown, actor=coordinator,
                                  now=held_at + timedelta(minutes=10)) == 1
    assert (services.attendance_of(amina).status, services.attendance_of(jonas).status) == \
        ("absent", "partial")


def test_a_register_shown_before_everyone_was_marked_present_leaves_them_present(
        held, coordinator):
    """A colleague marked everyone present while the page still showed nobody marked: the
    rows left empty stay present; the one the host changed is refused, its mark changed
    since (the button marks only the rows without a mark, so it undoes nothing itself)."""
    session, people = held
    rows, shown = _page_of(session)
    register.mark_all_present(session, actor=None, now=session.ends_at)
    jonas = reg(session, people["Jonas"])
    sent = dict(shown) | {jonas.id: ("excused", "")}
    refused("crossed", register.mark_register, session, rows, sent, shown=shown,
            actor=coordinator, now=session.ends_at)
    del sent[jonas.id]
    assert register.mark_register(session, rows, sent, shown=shown, actor=coordinator,
                                  now=session.ends_at) == 0
    assert {a.status.value for a in db.session.scalars(select(Attendance))} == {"present"}


@pytest.mark.parametrize("meanwhile", ["corrected", "checked_in"])
def test_changing_a_mark_changed_since_the_page_was_shown_is_refused(held, coordinator,
                                                                   meanwhile):
    """The host changes Li, whose mark changed since their page was shown (a colleague's
    correction, or Li checking herself in): refused, naming her row, and nothing is recorded,
    Jonas's change neither. The same mark typed by both is no conflict."""
    session, people = held
    held_at = session.starts_at + timedelta(minutes=5)
    li, jonas = reg(session, people["Li"]), reg(session, people["Jonas"])
    if meanwhile == "corrected":
        services.mark(li, "present", minutes=90, actor=coordinator, now=held_at)
    rows, shown = _page_of(session)
    if meanwhile == "corrected":
        services.mark(li, "excused", actor=None, now=held_at + timedelta(minutes=1))
    else:
        services.check_in(session, people["Li"], services.check_in_code(session), now=held_at)
    sent = dict(shown) | {li.id: ("absent", "0"), jonas.id: ("partial", "30")}
    error = refused("crossed", register.mark_register, session, rows, sent, shown=shown,
                    actor=coordinator, now=held_at + timedelta(minutes=2))
    assert error.crossed == [li.id]
    assert services.attendance_of(jonas) is None
    assert services.attendance_of(li).status == ("excused" if meanwhile == "corrected"
                                                 else "present")
    sent[li.id] = register.shown_mark(services.attendance_of(li))  # as recorded since
    assert register.mark_register(session, rows, sent, shown=shown, actor=coordinator,
                                  now=held_at + timedelta(minutes=3)) == 1
    assert services.attendance_of(jonas).status == "partial"


# --- check-in -------------------------------------------------------------------------------

def test_check_in_with_the_code_inside_the_window(held):
    session, people = held
    code = services.check_in_code(session)
    during = session.starts_at + timedelta(minutes=5)
    attendance = services.check_in(session, people["Jonas"], code.lower(), now=during)
    assert attendance.status == "present" and attendance.source == AttendanceSource.self_check_in


def test_a_session_with_attendance_recorded_before_its_new_start_cannot_be_moved_later(
        held, coordinator):
    """People checked in at the first slot did not attend a session moved to next week: the
    mark would earn them its certificate. A start put back by a few minutes, within the
    check-in margin, still saves."""
    session, people = held
    during = session.starts_at + timedelta(minutes=5)
    services.check_in(session, people["Jonas"], services.check_in_code(session), now=during)
    starts, ends = session.starts_at, session.ends_at
    refused("attendance_before_start", sessions.update_session, session,
            {"starts_at": starts + timedelta(days=7), "ends_at": ends + timedelta(days=7)},
            actor=coordinator, now=during)
    assert attendance_of_jonas(session, people).status == "present"
    sessions.update_session(session, {"starts_at": starts + timedelta(minutes=10),
                                      "ends_at": ends + timedelta(minutes=10)},
                            actor=coordinator, now=during)
    assert session.starts_at == starts + timedelta(minutes=10)


def attendance_of_jonas(session, people):
    return services.attendance_of(reg(session, people["Jonas"]))


@pytest.mark.parametrize("when, code_ok, who, error", [
    (timedelta(minutes=-16), True, "Jonas", "outside_window"),
    (timedelta(minutes=90 + 31), True, "Jonas", "outside_window"),
    (timedelta(minutes=5), False, "Jonas", "wrong_code"),
    (timedelta(minutes=5), True, "Zoe", "not_registered"),  # waitlisted, not registered
])
def test_check_in_refusals_have_distinct_codes(held, when, code_ok, who, error):
    session, people = held
    code = services.check_in_code(session)
    refused(error, services.check_in, session, people[who], code if code_ok else "WRONG1",
            now=session.starts_at + when)


def test_a_code_typed_with_other_scripts_is_refused_as_wrong(held):
    session, people = held
    for typed in ("ÄBCDEF", "٢٣٤٥٦٧", "ＸＹＺ"):
        refused("wrong_code", services.check_in, session, people["Jonas"], typed,
                now=session.starts_at)


@pytest.mark.parametrize("typed", ["ab ٢٣ cd", "ＡＢ２３ＣＤ", "AB۲۳CD"])
def test_a_code_typed_with_arabic_or_wide_digits_is_the_code(held, typed):
    session, people = held
    db.session.add(CheckInCode(session_id=session.id, code="AB23CD", created_at=utcnow()))
    attendance = services.check_in(session, people["Jonas"], typed, now=session.starts_at)
    assert attendance.status == "present"


def test_a_rotated_code_replaces_the_old_one(held, coordinator):
    session, people = held
    old = services.check_in_code(session)
    new = services.rotate_code(session, actor=coordinator)
    assert new != old
    refused("wrong_code", services.check_in, session, people["Jonas"], old,
            now=session.starts_at)


# --- evaluations ----------------------------------------------------------------------------

ANSWER = {"applicable": True, "rating": "good", "belonging": True, "empowered": False,
          "comment": "Useful."}


def test_only_people_who_attended_evaluate_and_once(held, coordinator):
    session, people = held
    services.mark(reg(session, people["Amina"]), "present", actor=coordinator)
    services.mark(reg(session, people["Li"]), "absent", actor=coordinator)
    after = session.ends_at + timedelta(hours=1)
    refused("not_open_yet", evaluations.submit, session, people["Amina"], ANSWER,
            now=session.ends_at - timedelta(minutes=1))
    refused("not_attended", evaluations.submit, session, people["Li"], ANSWER, now=after)
    evaluations.submit(session, people["Amina"], ANSWER, now=after)
    refused("already_answered", evaluations.submit, session, people["Amina"], ANSWER,
            now=after)
    refused("closed", evaluations.submit, session, people["Amina"], ANSWER,
            now=session.ends_at + timedelta(days=15))


def test_an_evaluation_whose_request_fails_later_leaves_nothing_behind(held, coordinator):
    """A request that fails after its answers were recorded (an error further on) is undone
    whole: the person can answer again. On SQLite the savepoint that records who answered was
    the request's whole transaction when nothing had been written before it; its release then
    committed "answered" alone, and the person was refused for good with no answer kept."""
    session, people = held
    services.mark(reg(session, people["Amina"]), "present", actor=coordinator)
    db.session.commit()
    after = session.ends_at + timedelta(hours=1)
    evaluations.submit(session, people["Amina"], ANSWER, now=after)
    db.session.rollback()  # what the request's failure does
    assert db.session.scalar(select(func.count()).select_from(EvaluationResponse)) == 0
    evaluations.submit(session, people["Amina"], ANSWER, now=after)


def test_answers_are_kept_apart_from_who_gave_them():
    columns = {c.name for c in inspect(EvaluationAnswer).columns}
    # erasure_key: a key made with the application's secret (a guest's comment, erased with
    # the guest), which the database alone does not link to anyone.
    assert columns == {"id", "session_id", "applicable", "rating", "belonging", "empowered",
                       "comment", "erasure_key"}
    assert "person_id" not in columns and "submitted_on" in {
        c.name for c in inspect(EvaluationResponse).columns}


def test_results_appear_from_five_answers_with_the_right_percentages(make_session, make_appointee,
                                                                     coordinator):
    session = make_session(capacity=10)
    people = [make_appointee() for _ in range(5)]
    for person in people:
        registration.register(session, person, actor=None, now=session.starts_at -
                              timedelta(days=1), by_coordinator=True, notify=False)
    register.mark_all_present(session, actor=coordinator)
    after = session.ends_at + timedelta(hours=2)
    ratings = ["fantastic", "fantastic", "good", "fair", "good"]
    for n, person in enumerate(people[:4]):
        evaluations.submit(session, person, {"applicable": n != 3, "rating": ratings[n],
                                             "belonging": n < 2, "empowered": True},
                           now=after)
    assert not evaluations.results([session.id]).shown
    evaluations.submit(session, people[4], {"applicable": True, "rating": "good",
                                            "belonging": True, "empowered": False}, now=after)
    results = evaluations.results([session.id])
    assert results.shown and results.answers == 5
    assert results.shares == {"applicable": 0.8, "belonging": 0.6, "empowered": 0.8}
    assert results.ratings == {"poor": 0, "fair": 0.2, "good": 0.4, "fantastic": 0.4}


def _signing_in(*people, active=True):
    """An account for each of `people`: one they sign in with (or one invited, not yet
    activated)."""
    db.session.add_all(User(email=person.email, person=person, is_active=active,
                            locale=person.preferred_language, time_zone=person.time_zone)
                       for person in people)
    db.session.flush()


def test_evaluation_reminders_go_once_to_those_who_did_not_answer(app, held, coordinator):
    session, people = held
    _signing_in(*people.values())
    register.mark_all_present(session, actor=coordinator)
    after = session.ends_at + timedelta(days=1)
    evaluations.submit(session, people["Amina"], ANSWER, now=after)
    with app.test_request_context():
        assert evaluations.send_reminders(now=after) == 3
        assert evaluations.send_reminders(now=after) == 0
    assert len(outbox("evaluation_reminder")) == 3


def test_only_those_who_can_sign_in_to_evaluate_are_reminded_with_its_link(
        app, held, coordinator):
    """The evaluation is answered on its page, behind the sign-in: a reminder that sends there
    someone with no account (Li), or one they cannot sign in with yet (Jonas, invited), would
    ask what they cannot do. They are not reminded, until they can: Li, given an account
    within the evaluation's days, is reminded on the next day's run."""
    session, people = held
    _signing_in(people["Amina"])
    _signing_in(people["Jonas"], active=False)
    register.mark_all_present(session, actor=coordinator)
    after = session.ends_at + timedelta(days=1)
    with app.test_request_context():
        assert evaluations.send_reminders(now=after) == 1
        mail, = outbox("evaluation_reminder")
        assert mail.recipient == people["Amina"].email
        assert f"/sessions/{session.id}/evaluation" in mail.body_text
        _signing_in(people["Li"])
        assert evaluations.send_reminders(now=after + timedelta(days=1)) == 1
    assert [m.recipient for m in outbox("evaluation_reminder")] == [
        people["Amina"].email, people["Li"].email]


def test_the_title_inside_a_reminders_sentence_keeps_its_own_direction(app, held, coordinator):
    """An English title inside an Arabic sentence (or the reverse) is isolated, so that its
    punctuation and numbers do not reorder the sentence around it."""
    session, people = held
    session.title_en = "UN-SWAP 2.0: the basics"
    people["Jonas"].preferred_language = "ar"
    _signing_in(people["Jonas"])
    register.mark_all_present(session, actor=coordinator)
    with app.test_request_context():
        evaluations.send_reminders(now=session.ends_at + timedelta(days=1))
    mail, = [m for m in outbox("evaluation_reminder") if m.recipient.startswith("jonas")]
    assert '<span lang="en" dir="ltr">UN-SWAP 2.0: the basics</span>' in mail.body_html


def test_a_reminder_says_when_the_evaluation_closes_in_the_readers_language_and_zone(
        app, held, coordinator):
    """Reminded the day after the session, Jonas (French, Paris) reads until when he may
    answer: fourteen days after its end (11:30 UTC on 29 March 2027), at the offset Paris has
    then (the clocks moved forward on 28 March), not the one of the day he is reminded."""
    session, people = held
    people["Jonas"].preferred_language, people["Jonas"].time_zone = "fr", "Europe/Paris"
    _signing_in(people["Jonas"])
    register.mark_all_present(session, actor=coordinator)
    with app.test_request_context():
        evaluations.send_reminders(now=session.ends_at + timedelta(days=1))
    mail, = [m for m in outbox("evaluation_reminder") if m.recipient.startswith("jonas")]
    assert "L’évaluation sera close le 29/03/2027 13:30 Paris (UTC+2)." in mail.body_text
    assert "L’évaluation sera close le 29/03/2027 13:30 Paris (\u2066UTC+2\u2069)." in \
        mail.body_html


def _checked_in_then_cancelled(app, session, people, coordinator):
    """Amina and Jonas check in a few minutes before the start; the Office then cancels the
    session (the speaker could not connect)."""
    code = services.check_in_code(session)
    for given in ("Amina", "Jonas"):
        services.check_in(session, people[given], code,
                          now=session.starts_at - timedelta(minutes=5))
    with app.test_request_context():
        sessions.cancel_session(session, reason="The speaker could not connect",
                                actor=coordinator, now=session.starts_at + timedelta(minutes=10))
    db.session.flush()


def test_a_cancelled_session_is_neither_evaluated_nor_certified(app, held, coordinator):
    """Checked in before the cancellation, nobody is reminded of an evaluation, may answer
    one or earn a certificate: the session was not held."""
    session, people = held
    _checked_in_then_cancelled(app, session, people, coordinator)
    after = session.ends_at + timedelta(hours=1)
    with app.test_request_context():
        assert evaluations.send_reminders(now=session.ends_at + timedelta(days=1)) == 0
    assert outbox("evaluation_reminder") == []
    assert not evaluations.can_answer(session, people["Amina"], after)
    refused("cancelled", evaluations.submit, session, people["Amina"], ANSWER, now=after)
    refused("cancelled", certificates.certificate_for, session, people["Amina"], now=after)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_no_attendance_is_recorded_for_a_cancelled_session(app, held, coordinator):
    """Cancelled while its register was open, a session records no mark: one by one, everyone
    present, or the register's save (a cancelled session trained nobody)."""
    session, people = held
    rows = queries.register_rows(session)[0]
    with app.test_request_context():
        sessions.cancel_session(session, reason="The speaker could not connect",
                                actor=coordinator, now=NOW)
    amina = reg(session, people["Amina"])
    refused("cancelled", services.mark, amina, "present", actor=coordinator,
            now=session.starts_at)
    refused("cancelled", register.check_all_present, session)
    refused("cancelled", register.mark_all_present, session, actor=coordinator,
            now=session.starts_at)
    refused("cancelled", register.mark_register, session, rows, {amina.id: ("present", "")},
            actor=coordinator, now=session.starts_at)
    assert db.session.scalars(select(Attendance)).all() == []


def test_no_evaluation_reminder_goes_to_someone_anonymised_since(app, held, coordinator):
    session, people = held
    _signing_in(people["Amina"], people["Jonas"])
    for given in ("Amina", "Jonas"):
        services.mark(reg(session, people[given]), "present", minutes=90, actor=coordinator,
                      now=session.ends_at)
    amina = people["Amina"]
    for appointment in amina.appointments:
        registry.end_appointment(appointment, reason=EndReason.left_entity, actor=coordinator)
    anonymise_person(amina, actor=coordinator, now=session.ends_at + timedelta(hours=2))
    db.session.flush()
    with app.test_request_context():
        assert evaluations.send_reminders(now=session.ends_at + timedelta(days=1)) == 1
    assert [m.recipient for m in outbox("evaluation_reminder")] == ["jonas.berg@example.org"]


def test_the_attendance_figures_leave_out_a_cancelled_session(held, make_session,
                                                              make_appointee, coordinator):
    """Registrations at a session cancelled before it was held trained nobody: neither the
    figures per entity nor those per session count them."""
    session, people = held
    cancelled = make_session()
    registration.register(cancelled, make_appointee(), actor=None, now=NOW)
    sessions.cancel_session(cancelled, reason="The speaker is ill", actor=coordinator, now=NOW)
    db.session.flush()
    header, *rows = records.figures("entity")
    assert {row[0]: row[1] for row in rows} == {"UNDP": 4}
    assert [s.id for s in db.session.scalars(records.trained_sessions())] == [session.id]


# --- certificates ---------------------------------------------------------------------------

def test_certificates_for_people_present_verified_and_revoked(held, coordinator):
    session, people = held
    after = session.ends_at
    services.mark(reg(session, people["Amina"]), "present", actor=coordinator)
    services.mark(reg(session, people["Jonas"]), "partial", actor=coordinator)
    refused("not_present", certificates.certificate_for, session, people["Jonas"], now=after)
    certificate = certificates.certificate_for(session, people["Amina"], now=after)
    assert certificates.certificate_for(session, people["Amina"], now=after) == certificate
    assert certificates.find(certificate.code.lower()) == certificate
    refused("reason_required", certificates.revoke, certificate, "", actor=coordinator)
    certificates.revoke(certificate, "Marked present by mistake", actor=coordinator)
    assert certificate.is_revoked
    assert db.session.scalar(select(func.count()).select_from(EvaluationAnswer)) == 0


def test_no_certificate_before_the_session_has_ended(held, coordinator):
    session, people = held
    row = reg(session, people["Amina"])
    before = session.starts_at - timedelta(minutes=3)
    services.check_in(session, people["Amina"], services.check_in_code(session), now=before)
    assert services.attendance_of(row).status == "present"
    refused("not_ended", certificates.certificate_for, session, people["Amina"], now=before)
    refused("not_ended", certificates.certificate_for, session, people["Amina"],
            now=session.ends_at - timedelta(minutes=1))
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    assert certificates.certificate_for(session, people["Amina"], now=session.ends_at)


def test_no_certificate_for_minutes_below_the_present_threshold(held, coordinator):
    session, people = held  # 90 minutes; present from 75 % = 67.5 minutes
    after = session.ends_at + timedelta(hours=1)
    services.mark(reg(session, people["Amina"]), "present", minutes=60, actor=coordinator)
    services.mark(reg(session, people["Jonas"]), "present", minutes=68, actor=coordinator)
    refused("below_threshold", certificates.certificate_for, session, people["Amina"],
            now=after)
    assert certificates.certificate_for(session, people["Jonas"], now=after)


@pytest.mark.parametrize("status, minutes", [("absent", None), ("partial", 45),
                                             ("present", 30)])
def test_a_certificate_no_longer_earned_after_a_correction_is_revoked(
        held, coordinator, status, minutes):
    session, people = held
    row = reg(session, people["Amina"])
    services.mark(row, "present", minutes=90, actor=coordinator, now=session.ends_at)
    certificate = certificates.certificate_for(session, people["Amina"], now=session.ends_at)
    later = session.ends_at + timedelta(days=2)
    services.mark(row, status, minutes=minutes, actor=coordinator, now=later,
                  reason="She left after the opening")
    # The public verification page no longer calls it valid.
    assert certificates.find(certificate.code).is_revoked
    assert certificate.revoked_at == later


def test_a_mark_corrected_back_makes_its_certificate_valid_again_but_not_a_revoked_one(
        held, coordinator):
    """The correction revoked the certificate; correcting it back to present undoes that,
    with the same code. A certificate a coordinator revoked stays revoked whatever the
    marks."""
    session, people = held
    later = session.ends_at + timedelta(days=2)
    for given in ("Amina", "Jonas"):
        services.mark(reg(session, people[given]), "present", minutes=90, actor=coordinator,
                      now=session.ends_at)
    amina = certificates.certificate_for(session, people["Amina"], now=session.ends_at)
    jonas = certificates.certificate_for(session, people["Jonas"], now=session.ends_at)
    certificates.revoke(jonas, "Signed in for a colleague", actor=coordinator, now=later)
    for status in ("absent", "present"):
        for given in ("Amina", "Jonas"):
            services.mark(reg(session, people[given]), status, minutes=90, actor=coordinator,
                          now=later, reason="Register misread")
    assert not amina.is_revoked and certificates.find(amina.code) is amina
    assert certificates.certificate_for(session, people["Amina"], now=later) is amina
    assert jonas.is_revoked and jonas.revoked_reason == "Signed in for a colleague"


def test_a_correction_that_still_earns_the_certificate_keeps_it(held, coordinator):
    session, people = held
    row = reg(session, people["Amina"])
    services.mark(row, "present", minutes=90, actor=coordinator, now=session.ends_at)
    certificate = certificates.certificate_for(session, people["Amina"], now=session.ends_at)
    services.mark(row, "present", minutes=70, actor=coordinator,
                  now=session.ends_at + timedelta(days=2))
    assert not certificate.is_revoked


def test_learning_record_and_figures(held, coordinator):

    session, people = held
    services.mark(reg(session, people["Amina"]), "present", minutes=90, actor=coordinator)
    services.mark(reg(session, people["Jonas"]), "partial", minutes=30, actor=coordinator)
    services.mark(reg(session, people["Li"]), "absent", actor=coordinator)
    certificates.certificate_for(session, people["Amina"], now=session.ends_at)
    line, = records.learning_record(people["Amina"])
    assert (line.attendance.status, line.attendance.minutes) == ("present", 90)
    assert line.certificate is not None and not line.evaluated
    header, *rows = records.figures("session")
    assert rows == [[session.title_en, session.starts_at.date(), 4, 2, 1, 2, 120]]
    header, *rows = records.session_figures([session])
    assert rows == [[session, session.starts_at.date(), 4, 2, 1, 2, 120]]
    header, *rows = records.figures("entity")
    assert sum(row[2] for row in rows) == 2
    header, *rows = records.figures("region")
    assert rows == [["Headquarters", 4, 2, 1, 2, 120]]


def test_a_present_mark_without_minutes_counts_the_whole_session_in_the_figures(
        held, coordinator):
    """A self check-in (or a register left without minutes) marks present with no minutes:
    as the certificate rule does, the figures count the scheduled time, not 0 minutes. A
    partial mark without minutes adds nothing, its time unknown."""
    session, people = held
    services.mark(reg(session, people["Amina"]), "present", actor=coordinator)
    services.mark(reg(session, people["Jonas"]), "present", minutes=30, actor=coordinator)
    services.mark(reg(session, people["Li"]), "partial", actor=coordinator)
    full = session.duration_minutes + 30
    header, *rows = records.figures("session")
    assert rows == [[session.title_en, session.starts_at.date(), 4, 3, 0, 3, full]]
    header, *rows = records.session_figures([session])
    assert rows[0][-1] == full
    for by in ("region", "unct"):
        header, *rows = records.figures(by)
        assert rows == [["Headquarters", 4, 3, 0, 3, full]], by
    header, *rows = records.figures("entity")
    assert sum(row[-1] for row in rows) == full


def test_the_learning_record_is_read_in_one_query_with_what_came_of_each_session(
        held, make_session, coordinator, count_queries):

    session, people = held
    amina = people["Amina"]
    services.mark(reg(session, amina), "present", minutes=90, actor=coordinator)
    certificates.certificate_for(session, amina, now=session.ends_at)
    evaluations.submit(session, amina, ANSWER, now=session.ends_at + timedelta(hours=1))
    later = make_session(starts_in=timedelta(days=200))
    registration.register(later, amina, actor=None, now=NOW)
    db.session.commit()
    db.session.expire_all()
    assert amina.id  # the person read again before counting: only the record is counted
    with count_queries() as counted:
        newest, held_line = records.learning_record(amina)
        seen = [(line.session.id, line.registration.status, line.evaluated,
                 line.attendance and line.attendance.status,
                 line.certificate is not None) for line in (newest, held_line)]
    assert counted.count == 1
    assert seen == [(later.id, "registered", False, None, False),
                    (session.id, "registered", True, "present", True)]


def test_sessions_with_the_same_title_are_counted_apart(held, make_session, coordinator):

    session, people = held
    repeat = make_session(starts_in=timedelta(days=200))
    registration.register(repeat, people["Amina"], actor=None, now=NOW,
                          by_coordinator=True, notify=False)
    services.mark(reg(session, people["Amina"]), "present", minutes=90, actor=coordinator)
    db.session.flush()
    assert repeat.title_en == session.title_en
    header, *rows = records.figures("session")
    assert [row[2:4] for row in rows] == [[1, 0], [4, 1]]
    assert [row[1] for row in rows] == [repeat.starts_at.date(), session.starts_at.date()]
    newest_first = db.session.scalars(records.trained_sessions()).all()
    assert newest_first == [repeat, session]


def test_marking_with_a_status_that_does_not_exist_is_refused(held, coordinator):
    session, people = held
    row = session.registrations[0]
    with pytest.raises(DomainError) as excinfo:
        services.mark(row, "bogus", actor=coordinator)
    assert excinfo.value.code == "bad_status"


def test_the_check_in_margin_bound_is_the_settings_page_bound():
    """A session further away than this bound is decided closed without reading the settings:
    the settings page must not allow a longer margin."""
    for name in ("check_in_opens_minutes", "check_in_closes_minutes"):
        bounds = [v for v in getattr(SettingsForm, name).kwargs["validators"]
                  if hasattr(v, "max")]
        assert bounds and bounds[0].max == services.CHECK_IN_MARGIN_MINUTES


def test_two_terms_in_one_region_count_a_registration_once_there(held, coordinator):
    """Amina is also UNICEF's alternate at headquarters: her seat and her 90 minutes count
    once in the headquarters row, as on the roster, not once per appointment."""
    session, people = held
    unicef = db.session.scalars(select(Entity).filter_by(acronym="UNICEF")).one()
    registry.appoint(people["Amina"], {"role": "alternate", "entity": unicef, "unct": None},
                     actor=coordinator)
    services.mark(reg(session, people["Amina"]), "present", minutes=90, actor=coordinator)
    services.mark(reg(session, people["Jonas"]), "partial", minutes=30, actor=coordinator)
    services.mark(reg(session, people["Li"]), "absent", actor=coordinator)
    header, *rows = records.figures("session")
    assert rows == [[session.title_en, session.starts_at.date(), 4, 2, 1, 2, 120]]
    for by in ("region", "unct"):
        header, *rows = records.figures(by)
        assert rows == [["Headquarters", 4, 2, 1, 2, 120]]


def test_a_deleted_draft_takes_its_check_in_code_and_meeting_reports_with_it(
        make_session, coordinator):
    """A draft's register once drew a new code and imported a report (nobody registered:
    no line matched, the import was still recorded). Left behind, they went to the next
    session given the draft's id (SQLite), or stopped the deletion (PostgreSQL)."""

    draft = make_session(publish=False)
    db.session.add(CheckInCode(session_id=draft.id, code="ABCDEF", created_at=NOW))
    db.session.add(AttendanceImport(session_id=draft.id, filename="report.tsv", sha256="0" * 64,
                                    report_format="teams", imported_by_id=coordinator.id))
    db.session.commit()
    draft_id = draft.id
    sessions.delete_draft(draft, actor=coordinator)
    db.session.commit()
    for model in (CheckInCode, AttendanceImport):
        assert db.session.scalar(select(func.count()).select_from(model).where(
            model.session_id == draft_id)) == 0, model.__tablename__


@pytest.mark.parametrize("status, code", [("draft", "draft"), ("cancelled", "cancelled")])
def test_no_new_check_in_code_is_drawn_for_a_session_not_held(held, coordinator, status,
                                                               code):
    session, _people = held
    session.status = status
    before = services.check_in_code(session)
    refused(code, services.rotate_code, session, actor=coordinator)
    assert db.session.get(CheckInCode, session.id) is None
    assert services.check_in_code(session) == before
