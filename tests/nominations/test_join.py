"""Requests to join: confirmation, duplicates, expiry, review beside nominations, purge."""
import json
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from gfp_portal.accounts.models import Role, User
from gfp_portal.accounts.services import deactivate_user
from gfp_portal.core import storage
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.errors import DomainError
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.induction.models import InductionPath
from gfp_portal.nominations import join, queries, services
from gfp_portal.nominations.models import Nomination, NominationKind, NominationState
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import AppointmentStatus, EndReason, Person
from tests.helpers import (
    entity,
    link_token,
    meet_first,
    outbox,
    pdf_upload,
    refused_rollback,
    run_together,
    unct,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def join_data(teams):
    def _data(**overrides):
        data = {"role": "alternate", "entity": entity("WFP"), "unct": teams[0],
                "given_name": "Chikondi", "family_name": "Banda",
                "email": "chikondi.banda@wfp.org", "position_title": "Programme Policy Officer",
                "grade": "NO-B", "preferred_language": "fr", "start_date": date(2026, 10, 1),
                "time_share": 15, "tor_acknowledged": False, "replaces": None}
        data.update(overrides)
        return data
    return _data


def submit(data, now=NOW, memo=None):
    request, _old = join.submit_join_request(data, memo=memo or pdf_upload("memo.pdf"), now=now)
    db.session.commit()
    return request


def verify(request, now=NOW):
    token = link_token(outbox("join_verify")[-1], "/join/verify/")
    result = join.verify(token, now=now)
    db.session.commit()
    return result


def test_a_request_waits_unconfirmed_and_creates_nothing(users, join_data):
    request = submit(join_data())
    assert request.kind == NominationKind.self_registration
    assert request.state == NominationState.unverified and request.nominator_id is None
    message, = outbox("join_verify")
    assert message.recipient == "chikondi.banda@wfp.org" and message.locale == "fr"
    assert db.session.scalars(select(Person).filter_by(email="chikondi.banda@wfp.org")).first() \
        is None
    assert db.session.scalars(select(User).filter_by(email="chikondi.banda@wfp.org")).first() \
        is None
    f = queries.NominationFilter()
    listed = db.session.scalars(queries.nominations_query(f, user=users["coordinator"],
                                                          now=NOW)).all()
    assert request not in listed
    assert outbox("nominations_submitted") == []  # the Office hears of it only once confirmed


def test_confirming_the_address_sends_the_request_to_the_office(users, join_data):
    request = submit(join_data())
    verify(request)
    assert request.state == NominationState.submitted and request.token_hash is None
    assert outbox("nominations_submitted")[0].recipient == "coord@example.org"
    listed = db.session.scalars(queries.nominations_query(
        queries.NominationFilter(kind="self_registration"), user=users["coordinator"],
        now=NOW)).all()
    assert listed == [request]
    refused_rollback("invalid_link", join.verify,
                     link_token(outbox("join_verify")[0], "/join/verify/"), now=NOW)


def test_the_office_reads_a_request_to_join_in_a_whole_sentence(users, join_data):
    """A request to join has no nominator: the coordinators' email ended its line on
    "proposition de" with nothing after it."""
    verify(submit(join_data()))
    message, = outbox("nominations_submitted")
    assert message.locale == "fr"
    line = next(line for line in message.body_text.splitlines() if "Chikondi Banda" in line)
    assert line == "- Chikondi Banda, suppléant ou suppléante pour WFP — Kenya, " \
        "demande d’adhésion", line
    assert ">Chikondi Banda, suppléant ou suppléante pour WFP — Kenya, demande d’adhésion</a>" \
        in message.body_html


def test_an_expired_confirmation_link_is_refused(users, join_data):
    submit(join_data())
    token = link_token(outbox("join_verify")[0], "/join/verify/")
    refused_rollback("expired_link", join.verify, token, now=NOW + timedelta(days=7, seconds=1))


def test_a_second_request_from_an_unconfirmed_address_replaces_the_first(users, join_data):
    first = submit(join_data())
    old_token = link_token(outbox("join_verify")[0], "/join/verify/")
    second = submit(join_data(role="focal_point", entity=entity("UNICEF")))
    assert second.id == first.id and second.entity.acronym == "UNICEF"
    assert db.session.scalar(select(func.count(Nomination.id))) == 1
    refused_rollback("invalid_link", join.verify, old_token, now=NOW)


def test_the_same_address_cannot_have_two_open_requests(users, join_data):
    verify(submit(join_data()))
    refused_rollback("duplicate_open_request", join.submit_join_request,
                     join_data(email="Chikondi.Banda@WFP.org"), memo=pdf_upload(), now=NOW)
    join.notify_open_request("chikondi.banda@wfp.org", now=NOW)
    assert outbox("join_already_open")[0].recipient == "chikondi.banda@wfp.org"


def _twice_at_once(app, call):
    """call() in two threads at once, each in its own application context, committed: the
    code of each refusal, "ok" for each success."""
    outcomes = []

    def send():
        with app.app_context():
            try:
                call()
                db.session.commit()
                outcomes.append("ok")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.code)
            except Exception as error:  # noqa: BLE001 — what the applicant would get as a 500
                outcomes.append(type(error).__name__)
    run_together(send, [(), ()])
    return sorted(outcomes)


def test_a_request_sent_twice_at_once_is_kept_once(app, users, join_data, monkeypatch):
    # Both look the address up before either writes; once the address is held, the second
    # waits for the first and then meets it, after a short wait.
    meet_first(monkeypatch, join, "open_request_for", timeout=2)
    outcomes = _twice_at_once(app, lambda: join.submit_join_request(
        join_data(unct=unct("KEN")), memo=pdf_upload("memo.pdf"), now=NOW))
    assert outcomes == ["ok", "ok"]  # the second replaces the first, as one sent after it
    assert db.session.scalar(select(func.count(Nomination.id))) == 1


def test_a_confirmation_link_used_twice_at_once_reaches_the_office_once(app, users,
                                                                         join_data,
                                                                         monkeypatch):
    submit(join_data())
    token = link_token(outbox("join_verify")[0], "/join/verify/")
    meet_first(monkeypatch, join, "_by_token")
    assert _twice_at_once(app, lambda: join.verify(token, now=NOW)) == ["invalid_link", "ok"]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "nomination.verify")) == 1
    assert len(outbox("nominations_submitted")) == 1


def test_an_amendment_sent_twice_at_once_goes_back_once(app, users, join_data, monkeypatch):
    request = verify(submit(join_data(grade=None)))
    services.request_changes(request, "Please give your grade.", actor=users["coordinator"],
                             now=NOW)
    db.session.commit()
    told = len(outbox("nominations_submitted"))
    token = link_token(outbox("join_decision")[0], "/join/amend/")
    meet_first(monkeypatch, join, "_by_token")
    assert _twice_at_once(app, lambda: join.amend(
        token, join_data(unct=unct("KEN"), grade="NO-C"), now=NOW)) == ["invalid_link", "ok"]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "nomination.resubmit")) == 1
    assert len(outbox("nominations_submitted")) == told + 1


@pytest.mark.parametrize("content, code", [
    (b"MZ\x90\x00" + b"\x00" * 64, "file_type"),
    (b"%PDF-1.4\n" + b"0" * 4096, "file_too_large"),
])
def test_a_bad_memo_is_refused_and_nothing_is_stored(app, users, join_data, monkeypatch,
                                                     tmp_path, content, code):
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path))
    monkeypatch.setitem(app.config, "NOMINATION_LETTER_MAX_BYTES", 1024)
    refused_rollback(code, join.submit_join_request, join_data(),
                     memo=pdf_upload("memo.pdf", content), now=NOW)
    assert list(tmp_path.iterdir()) == []
    assert db.session.scalar(select(func.count(Nomination.id))) == 0
    assert outbox("join_verify") == []


def test_a_request_for_an_entity_closed_since_is_refused_at_once(users, join_data):
    """As a nomination is (services._check_scope): WFP, still on Kenya's member list, was
    active until the day before; a request to join for it is refused when sent, and when
    amended, on the entity, not at an approval that could never be given."""
    entity("WFP").active_to = NOW.date() - timedelta(days=1)
    db.session.commit()
    error = refused_rollback("entity_closed", join.submit_join_request, join_data(),
                             memo=pdf_upload(), now=NOW)
    assert error.field == "entity"
    assert db.session.scalar(select(func.count(Nomination.id))) == 0
    assert outbox("join_verify") == []
    request = verify(submit(join_data(entity=entity("UNICEF"))))
    services.request_changes(request, "Which entity?", actor=users["coordinator"], now=NOW)
    db.session.commit()
    token = link_token(outbox("join_decision")[-1], "/join/amend/")
    refused_rollback("entity_closed", join.amend, token, join_data(), now=NOW)
    assert db.session.get(Nomination, request.id).entity.acronym == "UNICEF"


def test_approving_into_an_occupied_scope_needs_replace(users, join_data, teams):
    holder = registry.create_person({"given_name": "Tawonga", "family_name": "Phiri",
                                     "email": "t.phiri@wfp.org"}, actor=users["coordinator"])
    current = registry.appoint(holder, {"role": "focal_point", "entity": entity("WFP"),
                                        "unct": teams[0], "start_date": date(2025, 1, 1)},
                               actor=users["coordinator"])
    db.session.commit()
    request = verify(submit(join_data(role="focal_point")))
    refused_rollback("replace_required", services.approve_nomination, request,
                     actor=users["coordinator"], now=NOW)
    request = db.session.get(Nomination, request.id)
    services.approve_nomination(request, replace=True, actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert current.status == AppointmentStatus.ended and current.end_reason == EndReason.replaced
    assert request.appointment.status == AppointmentStatus.active


def _sitting(users, teams, role, name=("Chikondi", "Banda"), email="chikondi.banda@wfp.org"):
    """A term of `role` for WFP in Kenya, held by `name` at `email`, in the registry."""
    person = registry.find_person_by_email(email) or registry.create_person(
        {"given_name": name[0], "family_name": name[1], "email": email,
         "position_title": "Programme Associate"}, actor=users["coordinator"])
    term = registry.appoint(person, {"role": role, "entity": entity("WFP"), "unct": teams[0],
                                     "start_date": date(2025, 1, 1)}, actor=users["coordinator"])
    db.session.commit()
    return term


@pytest.mark.parametrize(("holds", "asks", "replace", "code"), [
    ("alternate", "alternate", False, "holds_this_role"),
    ("focal_point", "focal_point", False, "holds_this_role"),
    ("focal_point", "focal_point", True, "holds_this_role"),
    ("alternate", "focal_point", False, "holds_other_role"),
    ("focal_point", "alternate", False, "holds_other_role"),
])
def test_a_request_from_a_holder_of_a_role_for_the_scope_is_refused_at_approval(
        users, join_data, teams, holds, asks, replace, code):
    """The scope's sitting alternate asking to join as its alternate, its focal point as its
    focal point (replacing themselves, when the Office ticks "replace"), or either asking for
    the other role: the request could never be approved, as a nomination of them could not
    (services._check_nominee_role). Refused with the nomination's code, from the first click
    (the confirmation) to the approval, saying who; nothing changes and nobody is written to."""
    term = _sitting(users, teams, holds)
    request = verify(submit(join_data(role=asks)))
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    emails = len(outbox())
    error = refused_rollback(code, services.approval_preview, request, replace=replace,
                             actor=users["coordinator"])
    assert "Chikondi Banda" in str(error.message)
    request = db.session.get(Nomination, request.id)
    refused_rollback(code, services.approve_nomination, request, replace=replace,
                     actor=users["coordinator"], now=NOW)
    request = db.session.get(Nomination, request.id)
    assert request.state == NominationState.submitted and request.appointment is None
    assert term.status == AppointmentStatus.active
    assert term.person.position_title == "Programme Associate"
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
    assert len(outbox()) == emails and outbox("nomination_welcome") == []


def test_the_alternate_asking_to_be_focal_point_is_refused_before_the_focal_point_is_replaced(
        users, join_data, teams):
    """The sitting alternate asks to be the focal point; the Office ticks "replace": refused
    as one person cannot hold both roles, not once the focal point's term is ended."""
    _sitting(users, teams, "alternate")
    focal_point = _sitting(users, teams, "focal_point", ("Tawonga", "Phiri"), "t.phiri@wfp.org")
    request = verify(submit(join_data(role="focal_point")))
    refused_rollback("holds_other_role", services.approval_preview, request, replace=True,
                     actor=users["coordinator"])
    request = db.session.get(Nomination, request.id)
    refused_rollback("holds_other_role", services.approve_nomination, request, replace=True,
                     actor=users["coordinator"], now=NOW)
    assert focal_point.status == AppointmentStatus.active
    assert db.session.get(Nomination, request.id).state == NominationState.submitted


def test_the_holder_of_a_role_for_another_scope_may_join_for_this_one(users, join_data, teams):
    """A role held for another entity of the team is no conflict."""
    person = registry.create_person({"given_name": "Chikondi", "family_name": "Banda",
                                     "email": "chikondi.banda@wfp.org"},
                                    actor=users["coordinator"])
    registry.appoint(person, {"role": "alternate", "entity": entity("UNICEF"), "unct": teams[0]},
                     actor=users["coordinator"])
    db.session.commit()
    request = verify(submit(join_data()))
    services.approval_preview(request, actor=users["coordinator"])
    appointment = services.approve_nomination(request, actor=users["coordinator"], now=NOW)
    assert appointment.person == person and appointment.entity.acronym == "WFP"


def test_approval_appoints_invites_and_tells_the_rc(users, join_data):
    request = verify(submit(join_data()))
    appointment = services.approve_nomination(request, actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert appointment.person.email == "chikondi.banda@wfp.org"
    assert appointment.start_date == date(2026, 10, 1) and appointment.time_share == 15
    welcome, = outbox("nomination_welcome")
    assert welcome.locale == "fr" and "/activate/" in welcome.body_text
    rc_notice, = outbox("join_approved_rc")
    assert rc_notice.recipient == "rc.kenya@example.org" and rc_notice.locale == "en"
    assert outbox("join_decision") == []  # the welcome email tells the applicant


def test_a_former_coordinator_who_asks_to_join_comes_back_as_a_focal_point_only(
        users, join_data, create_user):
    """A request to join is approved through the nominations' service: the deactivated
    account of a former coordinator at the confirmed address is opened again with the
    focal-point role alone, and invited to choose a new password."""
    user = db.session.get(User, create_user("chikondi.banda@wfp.org", roles=["coordinator"]))
    deactivate_user(user, actor=users["coordinator"], reason="Left the Office", now=NOW)
    db.session.commit()
    request = verify(submit(join_data()))
    services.approve_nomination(request, actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert (user.roles, user.status) == ({Role.focal_point}, "invited")
    welcome, = outbox("nomination_welcome")
    assert welcome.recipient == user.email and "/activate/" in welcome.body_text


def test_a_request_to_join_does_not_stop_the_rc_from_resubmitting_a_nomination(
        users, join_data, nomination_data):
    """Requests to join are reviewed beside nominations (models.py): one waiting for the Office
    does not refuse a nomination for the same entity, team and role, when it is submitted nor
    when it is submitted again after changes (the nominator can neither follow up nor
    withdraw someone else's request)."""
    nomination = services.submit_nomination(
        nomination_data(role="alternate", entity=entity("WFP")), actor=users["rc_kenya"],
        now=NOW)
    services.request_changes(nomination, "Please attach the letter.",
                             actor=users["coordinator"], now=NOW)
    db.session.commit()
    request = verify(submit(join_data()))
    services.resubmit_nomination(nomination, {"justification": "Letter attached."},
                                 actor=users["rc_kenya"], now=NOW)
    db.session.commit()
    assert nomination.state == NominationState.submitted
    assert queries.other_pending(nomination) == [request]


def test_more_information_then_the_applicant_amends_the_same_request(users, join_data):
    request = verify(submit(join_data(grade=None)))
    services.request_changes(request, "Please give your grade.", actor=users["coordinator"],
                             now=NOW)
    db.session.commit()
    message, = outbox("join_decision")
    assert "Please give your grade." in message.body_text
    token = link_token(message, "/join/amend/")
    assert join.request_for_amendment(token, now=NOW) == request
    join.amend(token, join_data(grade="NO-C"), now=NOW)
    db.session.commit()
    assert request.state == NominationState.submitted and request.grade == "NO-C"
    refused_rollback("invalid_link", join.amend, token, join_data(), now=NOW)


def test_an_amended_request_keeps_the_address_its_applicant_confirmed(users, join_data):
    """The amendment link edits the request, not whose it is: a request reaches the Office only
    from an address confirmed by its owner, so an amendment naming another address must not
    take that person's registry record on approval."""
    colleague = registry.create_person({"given_name": "Tawonga", "family_name": "Phiri",
                                        "email": "t.phiri@wfp.org"}, actor=users["coordinator"])
    db.session.commit()
    request = verify(submit(join_data(grade=None)))
    services.request_changes(request, "Please give your grade.", actor=users["coordinator"],
                             now=NOW)
    db.session.commit()
    token = link_token(outbox("join_decision")[0], "/join/amend/")
    join.amend(token, join_data(grade="NO-C", email="t.phiri@wfp.org"), now=NOW)
    db.session.commit()
    assert request.state == NominationState.submitted and request.grade == "NO-C"
    assert request.email == "chikondi.banda@wfp.org"
    appointment = services.approve_nomination(request, actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert appointment.person.email == "chikondi.banda@wfp.org"
    assert (colleague.given_name, colleague.family_name) == ("Tawonga", "Phiri")


@pytest.mark.parametrize("after", [timedelta(days=1), timedelta(days=30, seconds=1)],
                         ids=["link_valid", "link_expired"])
def test_a_new_request_while_the_office_waits_for_the_applicant_brings_a_new_link(
        app, users, join_data, after):
    """The Office asked for more information and the link to give it is lost or has expired
    (its page offers to send a new request): the new request is not recorded, but brings the
    applicant a new link to complete the same request, their answers and the Office's remark
    kept; they are not told that the Office will write to them, which waits for them."""
    assert timedelta(days=app.config["JOIN_AMEND_DAYS"]) < timedelta(days=30, seconds=1)
    request = verify(submit(join_data(grade=None)))
    services.request_changes(request, "Please give your grade.", actor=users["coordinator"],
                             now=NOW)
    db.session.commit()
    old_token = link_token(outbox("join_decision")[0], "/join/amend/")
    later = NOW + after
    refused_rollback("duplicate_open_request", join.submit_join_request,
                     join_data(email="Chikondi.Banda@WFP.org", grade="NO-C"),
                     memo=pdf_upload("memo.pdf"), now=later)
    join.notify_open_request("Chikondi.Banda@WFP.org", now=later)
    db.session.commit()
    assert outbox("join_already_open") == []
    message, = outbox("join_amend_again")
    assert message.recipient == "chikondi.banda@wfp.org" and message.locale == "fr"
    assert message.is_secret and "Please give your grade." in message.body_text
    assert "Elle n’a pas été enregistrée" in message.body_text  # in the request's language
    token = link_token(message, "/join/amend/")
    refused_rollback("invalid_link", join.request_for_amendment, old_token, now=later)
    assert join.request_for_amendment(token, now=later) == request
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "nomination.new_link", AuditEvent.object_id == request.id)) == 1
    join.amend(token, join_data(grade="NO-C"), now=later)
    db.session.commit()
    assert request.state == NominationState.submitted and request.grade == "NO-C"
    assert db.session.scalar(select(func.count(Nomination.id))) == 1


def test_rejection_tells_the_applicant_why(users, join_data):
    request = verify(submit(join_data()))
    refused_rollback("reason_required", services.reject_nomination, request, " ",
                     actor=users["coordinator"])
    request = db.session.get(Nomination, request.id)
    services.reject_nomination(request, "The memo does not name you.",
                               actor=users["coordinator"], now=NOW)
    assert "The memo does not name you." in outbox("join_decision")[0].body_text


def test_only_the_emails_with_a_link_are_kept_from_view(users, join_data):
    sent_back = verify(submit(join_data()))
    services.request_changes(sent_back, "Please give your grade.",
                             actor=users["coordinator"], now=NOW)
    rejected = verify(submit(join_data(email="second@wfp.org")))
    services.reject_nomination(rejected, "The memo does not name you.",
                               actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert [m.is_secret for m in outbox("join_verify")] == [True, True]
    assert [("/join/amend/" in m.body_text, m.is_secret) for m in outbox("join_decision")] \
        == [(True, True), (False, False)]
    assert not any(m.is_secret for m in outbox("nominations_submitted"))


def test_a_purged_request_leaves_no_personal_data_behind(users, join_data):
    request = submit(join_data(given_name="Zebedee", family_name="Quagmire",
                               email="zq@wfp.org"))
    key = request.letter_key
    assert storage.exists(key)
    assert join.purge_unverified(now=NOW + timedelta(days=6)) == (0, [])
    purged, keys = join.purge_unverified(now=NOW + timedelta(days=7, seconds=1))
    db.session.commit()
    for stored in keys:
        storage.remove(stored)
    assert (purged, keys) == (1, [key])
    assert not storage.exists(key)
    assert db.session.scalar(select(func.count(Nomination.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.recipient == "zq@wfp.org")) == 0
    events = db.session.scalars(select(AuditEvent)).all()
    assert not any("Quagmire" in json.dumps(e.changes) or "zq@wfp.org" in
                   json.dumps(e.changes) for e in events)


def test_a_confirmed_request_is_never_purged(users, join_data):
    verify(submit(join_data()))
    assert join.purge_unverified(now=NOW + timedelta(days=60))[0] == 0


def test_an_address_off_the_entity_domains_is_a_warning(teams):
    wfp = entity("WFP")
    assert wfp.uses_email_domain("a@gmail.com")  # no domains recorded: nothing to compare
    wfp.email_domains = "wfp.org"
    assert wfp.uses_email_domain("a@WFP.org") and wfp.uses_email_domain("a@field.wfp.org")
    assert not wfp.uses_email_domain("a@gmail.com")
    assert not wfp.uses_email_domain("a@notwfp.org")


@pytest.mark.parametrize(("days", "words"), [
    (1, "صالح لمدة يوم واحد؛"), (2, "صالح لمدة يومين؛"), (7, "صالح لمدة 7 أيام؛"),
    (30, "صالح لمدة 30 يومًا؛"), (100, "صالح لمدة 100 يوم؛")])
def test_the_confirmation_link_gives_its_days_in_the_form_the_number_takes(
        app, users, join_data, monkeypatch, days, words):
    """Arabic names 2 days with the dual, 3–10 with the plural, 11–99 in the accusative: the
    validity of the link is counted with ngettext, whatever JOIN_VERIFY_DAYS says."""
    monkeypatch.setitem(app.config, "JOIN_VERIFY_DAYS", days)
    submit(join_data(preferred_language="ar"))
    message, = outbox("join_verify")
    assert message.locale == "ar" and words in message.body_text


def test_the_request_names_the_role_in_lower_case_inside_the_sentence(users, join_data):
    submit(join_data())
    message, = outbox("join_verify")
    assert "en qualité de suppléant ou suppléante pour" in message.body_text


def test_an_approved_request_to_join_puts_the_applicant_on_the_induction_path(users, join_data):
    request = verify(submit(join_data()))
    appointment = services.approve_nomination(request, actor=users["coordinator"], now=NOW)
    db.session.commit()
    path, = db.session.scalars(select(InductionPath)).all()
    assert path.person == appointment.person and path.appointment == appointment


def test_the_rc_notice_names_the_team_in_the_rcs_language_not_the_approvers(users, join_data):
    """The coordinator who approves works in Arabic; the Resident Coordinator reads English:
    the subject names the team in English, as the body does."""
    request = verify(submit(join_data()))
    with force_locale("ar"):
        services.approve_nomination(request, actor=users["coordinator"], now=NOW)
    db.session.commit()
    rc_notice, = outbox("join_approved_rc")
    assert rc_notice.locale == "en"
    assert rc_notice.subject == "New appointment: alternate for WFP — Kenya"
    assert "كينيا" not in rc_notice.body_text


def test_a_request_from_an_address_with_its_accents_written_either_way_is_from_one_address(
        join_data):
    composed, decomposed = (unicodedata.normalize(form, "chikondi.bandá@wfp.org")
                            for form in ("NFC", "NFD"))
    first = submit(join_data(email=decomposed))
    assert first.email == composed
    assert join.open_request_for(decomposed) is first
    second = submit(join_data(email=composed))
    assert second is first
