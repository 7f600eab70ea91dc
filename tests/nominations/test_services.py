"""The nomination workflow: every transition, every refusal by code, and approval."""
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from gfp_portal.accounts.models import Role, User
from gfp_portal.accounts.services import authenticate, deactivate_user, update_roles
from gfp_portal.core import storage
from gfp_portal.core.audit import events_for
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.nominations import services
from gfp_portal.nominations.models import Nomination, NominationState
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Appointment, AppointmentStatus, EndReason, Person
from tests.helpers import PASSWORD, PDF, entity, outbox, pdf_upload, refused, refused_rollback

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def submit(users, data, who="rc_kenya", **kwargs):
    nomination = services.submit_nomination(data, actor=users[who], now=NOW, **kwargs)
    db.session.commit()
    return nomination


# --- submission ------------------------------------------------------------------------------

def test_an_rc_nominates_for_a_member_entity_of_their_unct(users, nomination_data):
    nomination = submit(users, nomination_data(), letter=pdf_upload("Nomination letter.pdf"))
    db.session.commit()
    assert nomination.state == NominationState.submitted
    assert nomination.letter_filename == "Nomination letter.pdf"
    assert storage.read(nomination.letter_key) == PDF
    receipt, = outbox("nomination_receipt")
    assert receipt.recipient == "rc.kenya@example.org"
    alert, = outbox("nominations_submitted")
    assert alert.recipient == "coord@example.org" and alert.locale == "fr"
    assert nomination.coordinators_notified_at == NOW
    assert [e.action for e in events_for("nominations", nomination.id)] == ["nomination.submit"]


def test_an_rc_cannot_nominate_for_another_unct(users, nomination_data, teams):
    refused_rollback("wrong_unct", submit, users,
                     nomination_data(unct=teams[1], entity=entity("UNDP")))
    assert db.session.scalar(select(func.count(Nomination.id))) == 0


def test_an_rc_cannot_nominate_for_headquarters(users, nomination_data):
    refused_rollback("headquarters_for_coordinators", submit, users, nomination_data(unct=None))


def test_a_coordinator_records_a_head_of_entity_nomination_for_headquarters(users,
                                                                            nomination_data):
    nomination = submit(users, nomination_data(unct=None), who="coordinator")
    assert nomination.unct is None and nomination.state == NominationState.submitted


def test_the_entity_must_be_a_member_of_the_unct(users, nomination_data):
    refused_rollback("not_a_member", submit, users, nomination_data(entity=entity("UNHCR")))


def test_a_second_pending_nomination_for_the_same_role_and_scope_is_refused(users,
                                                                             nomination_data):
    submit(users, nomination_data())
    db.session.commit()
    refused_rollback("duplicate_pending", submit, users, nomination_data(), who="coordinator")
    # Another role, or another entity, is a different scope.
    submit(users, nomination_data(role="alternate"))
    submit(users, nomination_data(entity=entity("WFP")))


def test_the_database_refuses_a_concurrent_duplicate(users, nomination_data):
    first = submit(users, nomination_data())
    db.session.commit()
    # As if the check had run before the first one was committed.
    second = Nomination(**{k: getattr(first, k) for k in (
        "role", "entity_id", "unct_id", "given_name", "family_name", "email",
        "preferred_language", "tor_acknowledged", "justification", "nominator_id")},
        state=NominationState.submitted)
    db.session.add(second)
    refused_rollback("duplicate_pending", services._flush_pending, second)


def test_justification_is_required(users, nomination_data):
    refused_rollback("justification_required", submit, users, nomination_data(justification="  "))


def test_nominating_over_a_sitting_focal_point_needs_replaces(users, nomination_data, teams):
    holder = registry.create_person({"given_name": "Otieno", "family_name": "Odhiambo",
                                     "email": "o.odhiambo@unicef.org"}, actor=users["coordinator"])
    current = registry.appoint(holder, {"role": "focal_point", "entity": entity("UNICEF"),
                                        "unct": teams[0], "start_date": date(2025, 1, 1)},
                               actor=users["coordinator"])
    db.session.commit()
    refused_rollback("focal_point_taken", submit, users, nomination_data())
    other = registry.create_person({"given_name": "A", "family_name": "B",
                                    "email": "a.b@wfp.org"}, actor=users["coordinator"])
    elsewhere = registry.appoint(other, {"role": "focal_point", "entity": entity("WFP"),
                                         "unct": teams[0]}, actor=users["coordinator"])
    refused_rollback("bad_replaces", submit, users, nomination_data(replaces=elsewhere))
    nomination = submit(users, nomination_data(replaces=current))
    assert nomination.replaces == current


def test_the_scopes_alternate_is_refused_as_its_focal_point_at_once(users, nomination_data,
                                                                     teams):
    """One person cannot hold both roles for a scope: the nomination of the sitting alternate
    as focal point could never be approved, so it is refused when submitted, on the address;
    an alternate of another scope may be nominated."""
    alternate = registry.create_person({"given_name": "Odhiambo", "family_name": "Achieng",
                                        "email": "o.achieng@unicef.org"},
                                       actor=users["coordinator"])
    registry.appoint(alternate, {"role": "alternate", "entity": entity("UNICEF"),
                                 "unct": teams[0]}, actor=users["coordinator"])
    db.session.commit()
    error = refused_rollback("holds_other_role", submit, users,
                             nomination_data(email="O.Achieng@unicef.org"))
    assert error.field == "email"
    nomination = submit(users, nomination_data(email="o.achieng@unicef.org",
                                               entity=entity("UNDP")))
    services.approve_nomination(nomination, actor=users["coordinator"])


def test_the_scopes_alternate_nominated_as_its_alternate_again_is_refused_at_once(
        users, nomination_data, teams):
    """The sitting alternate nominated again as the same scope's alternate could never be
    approved (the registry refuses a second term of the same role): refused when submitted or
    submitted again, on the address, as for the other role; another alternate may be
    nominated beside them."""
    alternate = registry.create_person({"given_name": "Odhiambo", "family_name": "Achieng",
                                        "email": "o.achieng@unicef.org"},
                                       actor=users["coordinator"])
    registry.appoint(alternate, {"role": "alternate", "entity": entity("UNICEF"),
                                 "unct": teams[0]}, actor=users["coordinator"])
    db.session.commit()
    error = refused_rollback("holds_this_role", submit, users,
                             nomination_data(role="alternate", email="O.Achieng@unicef.org"))
    assert error.field == "email" and "Odhiambo Achieng" in str(error.message)
    assert db.session.scalar(select(func.count(Nomination.id))) == 0
    nomination = submit(users, nomination_data(role="alternate"))
    services.request_changes(nomination, "Another grade?", actor=users["coordinator"], now=NOW)
    db.session.commit()
    refused_rollback("holds_this_role", services.resubmit_nomination, nomination,
                     nomination_data(role="alternate", email="o.achieng@unicef.org"),
                     actor=users["rc_kenya"], now=NOW)
    assert db.session.get(Nomination, nomination.id).state == NominationState.changes_requested
    services.approve_nomination(submit(users, nomination_data(role="alternate",
                                                              entity=entity("UNDP"),
                                                              email="o.achieng@unicef.org")),
                                actor=users["coordinator"], now=NOW)


def test_the_sitting_focal_point_nominated_to_replace_themselves_is_refused_at_once(
        users, nomination_data, teams):
    """Replacing the focal point by the focal point could never be approved (the registry
    refuses `same_person`): refused when submitted, on the person replaced; another person
    may replace them."""
    holder = registry.create_person({"given_name": "Odhiambo", "family_name": "Otieno",
                                     "email": "o.otieno@unicef.org"}, actor=users["coordinator"])
    current = registry.appoint(holder, {"role": "focal_point", "entity": entity("UNICEF"),
                                        "unct": teams[0]}, actor=users["coordinator"])
    db.session.commit()
    error = refused_rollback("replaces_nominee", submit, users,
                             nomination_data(email="o.otieno@unicef.org", replaces=current))
    assert error.field == "replaces" and "Odhiambo Otieno" in str(error.message)
    # Without saying whom they replace: told at once that they hold the role, not first to
    # choose to replace the focal point, themselves.
    error = refused_rollback("holds_this_role", submit, users,
                             nomination_data(email="o.otieno@unicef.org"))
    assert error.field == "email"
    assert db.session.scalar(select(func.count(Nomination.id))) == 0
    assert submit(users, nomination_data(replaces=current)).replaces == current


@pytest.mark.parametrize(("role", "code"), [("alternate", "holds_this_role"),
                                             ("focal_point", "holds_other_role")])
def test_a_nominee_given_a_role_for_the_scope_since_the_submission_is_refused_at_approval(
        users, nomination_data, teams, role, code):
    """Nominated as alternate; appointed the scope's alternate in the registry meanwhile:
    approving is refused as submitting would now be, in words for the Office, from its
    confirmation on; nothing changes."""
    nomination = submit(users, nomination_data(role=role, email="o.achieng@unicef.org"))
    person = registry.create_person({"given_name": "Odhiambo", "family_name": "Achieng",
                                     "email": "o.achieng@unicef.org"}, actor=users["coordinator"])
    registry.appoint(person, {"role": "alternate", "entity": entity("UNICEF"), "unct": teams[0]},
                     actor=users["coordinator"])
    db.session.commit()
    emails = len(outbox())
    error = refused_rollback(code, services.approval_preview, nomination,
                             actor=users["coordinator"])
    assert "Odhiambo Achieng" in str(error.message) and "Nominate" not in str(error.message)
    nomination = db.session.get(Nomination, nomination.id)
    refused_rollback(code, services.approve_nomination, nomination, actor=users["coordinator"],
                     now=NOW)
    assert db.session.get(Nomination, nomination.id).state == NominationState.submitted
    assert db.session.scalar(select(func.count(Appointment.id))) == 1
    assert len(outbox()) == emails


def test_no_nomination_for_an_entity_closed_since(users, nomination_data):
    """WFP, still on Kenya's member list, was active until the day before: it is in no coverage
    cell, and a nomination for it is refused."""
    entity("WFP").active_to = NOW.date() - timedelta(days=1)
    db.session.commit()
    refused_rollback("entity_closed", submit, users, nomination_data(entity=entity("WFP")))
    assert submit(users, nomination_data(entity=entity("UNDP"))).entity.acronym == "UNDP"


def test_a_letter_that_is_not_pdf_or_docx_is_refused_and_nothing_is_stored(
        app, users, nomination_data, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path))
    refused_rollback("file_type", submit, users, nomination_data(),
                     letter=pdf_upload("letter.pdf", b"MZ\x90\x00" + b"\x00" * 100))
    monkeypatch.setitem(app.config, "NOMINATION_LETTER_MAX_BYTES", 20)
    refused_rollback("file_too_large", submit, users, nomination_data(), letter=pdf_upload())
    assert list(tmp_path.iterdir()) == []
    assert db.session.scalar(select(func.count(Nomination.id))) == 0
    assert outbox() == []


def test_coordinators_get_a_daily_digest_when_the_setting_says_so(users, nomination_data):
    update_settings({"nominations.daily_digest": True}, actor=users["coordinator"])
    first = submit(users, nomination_data())
    second = submit(users, nomination_data(entity=entity("WFP")))
    assert outbox("nominations_submitted") == []
    assert services.send_digest(now=NOW) == 2
    digest, = outbox("nominations_submitted")
    assert first.nominee_name in digest.body_text and second.nominee_name in digest.body_text
    assert services.send_digest(now=NOW) == 0  # each nomination is reported once


# --- transitions -----------------------------------------------------------------------------

def test_request_changes_then_resubmit(users, nomination_data):
    nomination = submit(users, nomination_data(grade="P-3"))
    refused_rollback("comment_required", services.request_changes, nomination, " ",
                     actor=users["coordinator"])
    nomination = db.session.get(Nomination, nomination.id)
    services.request_changes(nomination, "Please confirm the grade.", actor=users["coordinator"],
                             now=NOW)
    db.session.commit()
    assert nomination.state == NominationState.changes_requested
    decision, = outbox("nomination_decision")
    assert "Please confirm the grade." in decision.body_text
    assert "\n\nhttp" in decision.body_text  # the link stands apart from the text
    refused_rollback("not_nominator", services.resubmit_nomination, nomination, {"grade": "P-4"},
                     actor=users["coordinator"])
    nomination = db.session.get(Nomination, nomination.id)
    services.resubmit_nomination(nomination, {"grade": "P-4"}, actor=users["rc_kenya"], now=NOW)
    assert nomination.state == NominationState.submitted and nomination.grade == "P-4"
    actions = [e.action for e in reversed(events_for("nominations", nomination.id))]
    assert actions == ["nomination.submit", "nomination.request_changes",
                       "nomination.resubmit"]
    resubmitted = events_for("nominations", nomination.id)[0]
    assert resubmitted.changes["grade"] == ["P-3", "P-4"]


def test_only_coordinators_decide(users, nomination_data):
    nomination = submit(users, nomination_data())
    refused_rollback("not_coordinator", services.approve_nomination, nomination,
                     actor=users["rc_kenya"])
    nomination = db.session.get(Nomination, nomination.id)
    refused_rollback("not_coordinator", services.reject_nomination, nomination, "No",
                     actor=users["rc_kenya"])


def test_reject_requires_a_reason_and_tells_the_nominator(users, nomination_data):
    nomination = submit(users, nomination_data())
    refused_rollback("reason_required", services.reject_nomination, nomination, "",
                     actor=users["coordinator"])
    nomination = db.session.get(Nomination, nomination.id)
    services.reject_nomination(nomination, "The entity already appointed someone.",
                               actor=users["coordinator"], now=NOW)
    assert nomination.state == NominationState.rejected
    event = events_for("nominations", nomination.id)[0]
    assert event.action == "nomination.reject"
    assert event.reason == "The entity already appointed someone."
    assert event.actor_id == users["coordinator"].id
    assert "The entity already appointed someone." in outbox("nomination_decision")[0].body_text


def test_withdraw_by_the_nominator_while_pending(users, nomination_data):
    nomination = submit(users, nomination_data())
    refused_rollback("not_nominator", services.withdraw_nomination, nomination,
                     actor=users["coordinator"])
    nomination = db.session.get(Nomination, nomination.id)
    services.withdraw_nomination(nomination, reason="Sent by mistake", actor=users["rc_kenya"])
    db.session.commit()
    assert nomination.state == NominationState.withdrawn
    refused_rollback("wrong_state", services.withdraw_nomination, nomination,
                     actor=users["rc_kenya"])
    # The scope is free again for a new nomination.
    submit(users, nomination_data())


def test_a_withdrawn_or_decided_nomination_cannot_be_approved(users, nomination_data):
    nomination = submit(users, nomination_data())
    services.withdraw_nomination(nomination, actor=users["rc_kenya"])
    db.session.commit()
    refused_rollback("wrong_state", services.approve_nomination, nomination,
                     actor=users["coordinator"])
    nomination = db.session.get(Nomination, nomination.id)
    refused_rollback("wrong_state", services.reject_nomination, nomination, "late",
                     actor=users["coordinator"])
    assert db.session.scalar(select(func.count(Appointment.id))) == 0


# --- approval --------------------------------------------------------------------------------

def test_a_successor_to_a_focal_point_leaving_ahead_begins_after_their_last_day(
        users, nomination_data, teams):
    """The Resident Coordinator's "Nominate a successor" for a focal point whose end is
    entered ahead (no active term to name as replaced): approved, the successor began at once
    and the scope had two focal points until the other's last day."""
    kenya = teams[0]
    leaving = registry.create_person({"given_name": "Leaving", "family_name": "Holder",
                                      "email": "leaving@unicef.org"}, actor=None)
    term = registry.appoint(leaving, {"role": "focal_point", "entity": entity("UNICEF"),
                                      "unct": kenya, "start_date": date(2026, 1, 5)},
                            actor=None, now=NOW)
    last_day = NOW.date() + timedelta(days=20)
    registry.end_appointment(term, reason="left_entity", ended_on=last_day, actor=None, now=NOW)
    # Appointed directly, a second focal point is refused until then, with the first day.
    other = registry.create_person({"given_name": "Other", "family_name": "Holder",
                                    "email": "other@unicef.org"}, actor=None)
    with force_locale("en"):
        error = refused("focal_point_until", registry.appoint, other, {
            "role": "focal_point", "entity": entity("UNICEF"), "unct": kenya,
            "start_date": NOW.date()}, actor=None, now=NOW)
        assert "starts on November 23, 2026 at the earliest" in str(error.message)
    nomination = submit(users, nomination_data())
    appointment = services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    assert appointment.start_date == last_day + timedelta(days=1)


def test_approval_creates_person_appointment_and_account_and_sends_the_emails(
        users, nomination_data, teams):
    nomination = submit(users, nomination_data(email="Wanjiru.K@unicef.org",
                                               preferred_language="fr"))
    appointment = services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    db.session.commit()
    person = db.session.scalars(select(Person).filter_by(email="Wanjiru.K@unicef.org")).one()
    assert appointment.person == person and appointment.status == AppointmentStatus.active
    assert (appointment.entity.acronym, appointment.unct, appointment.role) == \
        ("UNICEF", teams[0], "focal_point")
    assert appointment.nomination_id == nomination.id
    assert appointment.start_date == NOW.date() and appointment.tor_on_file
    assert nomination.state == NominationState.approved and nomination.appointment == appointment
    user = db.session.scalars(select(User).filter_by(email="Wanjiru.K@unicef.org")).one()
    assert not user.is_active and user.has_role("focal_point") and user.person == person
    welcome, = outbox("nomination_welcome")
    assert welcome.recipient == "Wanjiru.K@unicef.org" and welcome.locale == "fr"
    assert "/activate/" in welcome.body_text
    decision, = outbox("nomination_decision")
    assert decision.recipient == "rc.kenya@example.org"


def test_the_appointing_title_is_written_in_the_nominators_language_whoever_approves(
        users, nomination_data):
    """The Resident Coordinator of Kenya (English) nominates; a coordinator whose pages are
    in French approves: the appointment records the Resident Coordinator's own title, not a
    French one that every reader would then see."""
    nomination = submit(users, nomination_data())
    with force_locale("fr"):
        appointment = services.approve_nomination(nomination, actor=users["coordinator"],
                                                  now=NOW)
    assert appointment.appointed_by_title == "Resident Coordinator, Kenya"
    uganda = submit(users, nomination_data(unct=users["rc_uganda"].uncts[0],
                                           entity=entity("UNHCR")), who="rc_uganda")
    appointment = services.approve_nomination(uganda, actor=users["coordinator"], now=NOW)
    assert appointment.appointed_by_title == \
        "Coordinador Residente o Coordinadora Residente, Uganda"


def test_approval_updates_an_existing_person_matched_by_email(users, nomination_data):
    known = registry.create_person({"given_name": "Wanjiru", "family_name": "Kamau",
                                    "email": "wk@unicef.org", "grade": "P-3",
                                    "preferred_language": "es"}, actor=users["coordinator"])
    nomination = submit(users, nomination_data(email="WK@UNICEF.ORG", grade="P-4"))
    services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    assert nomination.person == known
    assert known.grade == "P-4" and known.preferred_language == "es"
    assert db.session.scalar(select(func.count(Person.id))) == 4  # 3 users' people + known


def test_an_empty_field_of_the_nomination_leaves_the_registry_as_it_is(users,
                                                                        nomination_data):
    """A renewal or a second role, nominated without a grade or a title: the registry keeps
    the ones it holds; approval never blanks a field with an empty one."""
    known = registry.create_person({"given_name": "Wanjiru", "family_name": "Kamau",
                                    "email": "wk@unicef.org", "grade": "P-4",
                                    "position_title": "Gender Specialist"},
                                   actor=users["coordinator"])
    nomination = submit(users, nomination_data(email="wk@unicef.org", grade="",
                                               position_title=None))
    preview = services.approval_preview(nomination, actor=users["coordinator"])
    assert preview.person == known
    assert "grade" not in preview.changes and "position_title" not in preview.changes
    services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    assert (known.grade, known.position_title) == ("P-4", "Gender Specialist")


def test_the_approval_preview_names_each_registry_detail_approval_changes(users,
                                                                          nomination_data):
    """A correction the registry received after the nomination was submitted is shown,
    from what the registry holds to what the nomination says, before approval writes it."""
    known = registry.create_person({"given_name": "Wanjiru", "family_name": "Kamau",
                                    "email": "wk@unicef.org", "grade": "P-5",
                                    "position_title": "Chief of Education"},
                                   actor=users["coordinator"], now=NOW)
    nomination = submit(users, nomination_data(email="WK@unicef.org", family_name="Kamau",
                                               grade="P-5"))
    registry.update_person(known, {"family_name": "Kamau-Otieno", "grade": "P-4"},
                           actor=users["coordinator"], now=NOW)
    changes = services.approval_preview(nomination, actor=users["coordinator"]).changes
    assert changes == {"family_name": ["Kamau-Otieno", "Kamau"], "grade": ["P-4", "P-5"],
                       "entity": [None, "UNICEF"]}
    services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    update = events_for("people", known.id)[0]
    assert update.action == "person.update" and update.changes == changes
    assert known.email == "wk@unicef.org"  # found by it: the registry's spelling stays


def test_approval_ends_the_replaced_appointment(users, nomination_data, teams):
    holder = registry.create_person({"given_name": "Otieno", "family_name": "Odhiambo",
                                     "email": "o.odhiambo@unicef.org"}, actor=users["coordinator"])
    current = registry.appoint(holder, {"role": "focal_point", "entity": entity("UNICEF"),
                                        "unct": teams[0], "start_date": date(2025, 1, 1)},
                               actor=users["coordinator"])
    nomination = submit(users, nomination_data(replaces=current))
    services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    assert current.status == AppointmentStatus.ended
    assert current.end_reason == EndReason.replaced
    assert nomination.appointment.status == AppointmentStatus.active


def test_resubmitting_for_a_scope_already_under_review_is_refused_not_an_error(
        users, nomination_data):
    """The nominator asked to change a nomination moves it to another entity, where another
    nomination for the same role already waits: refused with its code, as a new one is."""
    nomination = submit(users, nomination_data())
    submit(users, nomination_data(entity=entity("WFP")), who="coordinator")
    services.request_changes(nomination, "UNICEF has a candidate already; which entity?",
                             actor=users["coordinator"], now=NOW)
    db.session.commit()
    refused_rollback("duplicate_pending", services.resubmit_nomination, nomination,
                     {"entity": entity("WFP")}, actor=users["rc_kenya"], now=NOW)
    nomination = db.session.get(Nomination, nomination.id)
    assert nomination.state == NominationState.changes_requested
    assert nomination.entity == entity("UNICEF")


def test_approval_colliding_with_a_new_holder_is_refused_and_changes_nothing(
        users, nomination_data, teams):
    nomination = submit(users, nomination_data())
    db.session.commit()
    # Meanwhile the coordinator appointed someone else directly in the registry.
    other = registry.create_person({"given_name": "Achieng", "family_name": "Were",
                                    "email": "a.were@unicef.org"}, actor=users["coordinator"])
    registry.appoint(other, {"role": "focal_point", "entity": entity("UNICEF"),
                             "unct": teams[0]}, actor=users["coordinator"])
    db.session.commit()
    before = len(outbox())
    refused_rollback("replace_required", services.approve_nomination,
                     db.session.get(Nomination, nomination.id), actor=users["coordinator"])
    nomination = db.session.get(Nomination, nomination.id)
    assert nomination.state == NominationState.submitted
    assert db.session.scalars(select(Person).filter_by(email=nomination.email)).first() is None
    assert db.session.scalars(select(User).filter_by(email=nomination.email)).first() is None
    assert len(outbox()) == before


def test_approval_of_an_existing_active_user_sends_no_activation_link(
        users, nomination_data, create_user):
    create_user("active.fp@unicef.org", roles=["focal_point"])
    nomination = submit(users, nomination_data(email="active.fp@unicef.org"))
    services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    welcome, = outbox("nomination_welcome")
    assert "/activate/" not in welcome.body_text and "/login" in welcome.body_text


@pytest.mark.parametrize("activated", [True, False])
def test_approval_opens_again_the_deactivated_account_of_a_focal_point_who_comes_back(
        users, nomination_data, create_user, activated):
    """Deactivated when they left; appointed again by the Office's approval: the account is
    invited again, not left deactivated behind a welcome that sends them to a sign-in they
    cannot pass. The welcome carries the link that sets a password: the one the account had
    before no longer opens it (reopening it is not an administrator's decision)."""
    user = db.session.get(User, create_user("back.fp@unicef.org", roles=["focal_point"],
                                            active=activated))
    deactivate_user(user, actor=users["coordinator"], reason="Left the entity", now=NOW)
    db.session.commit()
    nomination = submit(users, nomination_data(email="back.fp@unicef.org"))
    services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert user.status == "invited" and not user.has_password
    assert "user.reactivate" in [e.action for e in events_for("users", user.id)]
    refused("invalid_credentials", authenticate, "back.fp@unicef.org", PASSWORD)
    welcome, = outbox("nomination_welcome")
    assert "/activate/" in welcome.body_text


@pytest.mark.parametrize("roles, uncts", [
    (["coordinator"], []), (["admin", "focal_point"], []), (["resident_coordinator"], ["UGA"])])
def test_an_account_opened_again_by_an_approval_is_a_focal_points_only(
        users, nomination_data, create_user, roles, uncts):
    """A former coordinator (administrator, Resident Coordinator), deactivated by an
    administrator, is appointed an alternate: the approval opens their account again as a
    focal point's, not with the rights the administrator took away (DESIGN §1: accounts are
    the administrator's), and the history says which roles and teams it lost, and who
    approved."""
    user = db.session.get(User, create_user("former.office@unicef.org", roles=roles,
                                            uncts=uncts))
    deactivate_user(user, actor=users["coordinator"], reason="Left the Office", now=NOW)
    db.session.commit()
    nomination = submit(users, nomination_data(role="alternate",
                                               email="former.office@unicef.org"))
    services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert (user.roles, user.uncts, user.status) == ({Role.focal_point}, [], "invited")
    refused("invalid_credentials", authenticate, "former.office@unicef.org", PASSWORD)
    event, = [e for e in events_for("users", user.id) if e.action == "user.roles"]
    assert event.actor_id == users["coordinator"].id
    assert event.changes["roles"] == [sorted(roles), ["focal_point"]]
    assert event.changes.get("uncts", [[], []]) == [uncts, []]


def test_approval_of_a_person_whose_account_signs_in_with_an_earlier_address(
        users, nomination_data, create_user):
    """The registry changed the person's address; their account keeps the one it signs in
    with. Approving a nomination at the new address gives that account the role: one person,
    one account, no second one to collide with it."""
    user = db.session.get(User, create_user("old.address@unicef.org", roles=()))
    registry.update_person(user.person, {"email": "new.address@unicef.org"}, actor=None)
    db.session.commit()
    nomination = submit(users, nomination_data(email="new.address@unicef.org"))
    services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert nomination.person == user.person
    assert Role.focal_point in user.roles
    assert db.session.scalar(select(func.count(User.id)).where(
        User.person_id == user.person_id)) == 1


NOMINATIONS_SUBJECTS = {
    "fr": "2 propositions de candidature en attente d’examen",
    "es": "2 propuestas de candidatura pendientes de examen",
    "ar": "ترشيحان في انتظار المراجعة",
}
# How the digest's line names the role: in lower case, inside the sentence.
ROLE_LINES = {"fr": ", point focal pour ", "es": ", punto focal para ", "ar": " بصفة جهة تنسيق لـ "}


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_the_daily_digest_has_its_subject_in_the_coordinators_language(users, nomination_data,
                                                                       language):
    users["coordinator"].locale = language
    update_settings({"nominations.daily_digest": True}, actor=users["coordinator"])
    submit(users, nomination_data())
    submit(users, nomination_data(entity=entity("WFP")))
    assert services.send_digest(now=NOW) == 2
    digest, = outbox("nominations_submitted")
    assert digest.locale == language and digest.subject == NOMINATIONS_SUBJECTS[language]
    assert ROLE_LINES[language] in digest.body_text
    if language == "ar":  # plain text has no dir="rtl": a line led by Latin reads left to right
        latin_first = re.compile(r"^[-\s]*[A-Za-z]")
        assert [line for line in digest.body_text.splitlines()
                if latin_first.match(line) and "://" not in line] == []


@pytest.mark.parametrize(("language", "words"), [
    ("fr", "en qualité de point focal pour"), ("es", "como punto focal para"),
    ("ar", "بصفة جهة تنسيق لـ")])
def test_the_receipt_names_the_role_in_lower_case_inside_the_sentence(users, nomination_data,
                                                                      language, words):
    users["rc_kenya"].locale = language
    submit(users, nomination_data())
    receipt, = outbox("nomination_receipt")
    assert receipt.locale == language and words in receipt.body_text


def test_approval_is_refused_when_the_registry_record_changed_since_its_preview(
        users, nomination_data):
    known = registry.create_person({"given_name": "Wanjiru", "family_name": "Kamau",
                                    "email": "wk@unicef.org", "grade": "P-5"},
                                   actor=users["coordinator"], now=NOW)
    nomination = submit(users, nomination_data(email="wk@unicef.org", grade="P-5"))
    seen = services.approval_preview(nomination, actor=users["coordinator"]).seen
    registry.update_person(known, {"grade": "P-4"}, actor=users["coordinator"], now=NOW)
    db.session.commit()
    refused_rollback("changed_since", services.approve_nomination, nomination, seen=seen,
                     actor=users["coordinator"], now=NOW)
    assert db.session.get(Person, known.id).grade == "P-4"
    seen = services.approval_preview(nomination, actor=users["coordinator"]).seen
    services.approve_nomination(nomination, seen=seen, actor=users["coordinator"], now=NOW)
    assert known.grade == "P-5" and nomination.state == NominationState.approved


def test_the_nominee_s_address_is_kept_with_its_accents_composed(users, nomination_data):
    """The registry's person of the address is then found, however its accents were typed."""
    composed, decomposed = (unicodedata.normalize(form, "josé.pérez@unicef.org")
                            for form in ("NFC", "NFD"))
    nomination = submit(users, nomination_data(email=decomposed))
    assert nomination.email == composed


# --- when the team's Resident Coordinator changes --------------------------------------------
# A Resident Coordinator's nomination is their team's: it stays with the UN Country Team when
# its Resident Coordinator leaves it, and whoever leads the team now follows it up.

def _leads(users, who, *uncts, roles=("resident_coordinator",)):
    """`who` now leads `uncts` (none: no team, with `roles`), as the administrator sets it."""
    update_roles(users[who], roles=list(roles), uncts=list(uncts), actor=users["coordinator"],
                 now=NOW)
    db.session.commit()


def test_a_resident_coordinator_who_left_the_team_can_no_longer_withdraw_its_nomination(
        users, nomination_data, teams):
    nomination = submit(users, nomination_data())
    _leads(users, "rc_kenya", teams[1])
    refused_rollback("not_nominator", services.withdraw_nomination, nomination,
                     actor=users["rc_kenya"], now=NOW)
    assert db.session.get(Nomination, nomination.id).state == NominationState.submitted


def test_the_new_resident_coordinator_answers_the_changes_asked_of_the_former_one(
        users, nomination_data, teams, create_user):
    nomination = submit(users, nomination_data(grade="P-3"))
    _leads(users, "rc_kenya", teams[1])
    successor = db.session.get(User, create_user(
        "new.rc.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"],
        given_name="Amani", family_name="Okello"))
    services.request_changes(nomination, "Please confirm the grade.",
                             actor=users["coordinator"], now=NOW)
    db.session.commit()
    refused_rollback("not_nominator", services.resubmit_nomination, nomination,
                     {"grade": "P-4"}, actor=users["rc_kenya"], now=NOW)
    nomination = db.session.get(Nomination, nomination.id)
    services.resubmit_nomination(nomination, {"grade": "P-4"}, actor=successor, now=NOW)
    db.session.commit()
    # The successor stands behind it now: the Office's answer, and the appointment's
    # "appointed by", are theirs.
    assert nomination.state == NominationState.submitted and nomination.nominator == successor
    assert events_for("nominations", nomination.id)[0].changes["nominator"] == \
        ["Test Person", "Amani Okello"]
    assert [m.recipient for m in outbox("nomination_receipt")][-1] == "new.rc.kenya@example.org"
    appointment = services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    assert appointment.appointed_by_name == successor.display_name
    assert [m.recipient for m in outbox("nomination_decision")][-1] == \
        "new.rc.kenya@example.org"


def test_either_resident_coordinator_of_a_team_may_withdraw_its_nomination(
        users, nomination_data, create_user):
    nomination = submit(users, nomination_data())
    other = db.session.get(User, create_user("rc2.kenya@example.org", uncts=["KEN"],
                                             roles=["resident_coordinator"]))
    services.withdraw_nomination(nomination, reason="The entity chose another officer.",
                                 actor=other, now=NOW)
    db.session.commit()
    assert nomination.state == NominationState.withdrawn
    assert events_for("nominations", nomination.id)[0].actor_id == other.id


def test_the_office_s_answer_goes_to_who_leads_the_team_now_in_their_language(
        users, nomination_data, teams, create_user):
    """The nominator left the team: the team's Resident Coordinators now are told, each in
    their language, and the confirmation counts them."""
    nomination = submit(users, nomination_data())
    _leads(users, "rc_kenya", teams[1])
    for email, locale in (("rc2.kenya@example.org", "fr"), ("rc3.kenya@example.org", "ar")):
        create_user(email, roles=["resident_coordinator"], uncts=["KEN"], locale=locale)
    assert services.approval_preview(nomination, actor=users["coordinator"]).emails == 3
    services.request_changes(nomination, "Add the grade.", actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert sorted((m.recipient, m.locale) for m in outbox("nomination_decision")) == [
        ("rc2.kenya@example.org", "fr"), ("rc3.kenya@example.org", "ar")]


def test_the_office_s_answer_goes_to_nobody_who_no_longer_leads_a_team_left_without_one(
        users, nomination_data):
    """The nominator's term as Resident Coordinator ended and nobody leads the team yet: the
    answer waits on the nomination's page for whoever comes, and the confirmation of the
    approval counts only the welcome."""
    nomination = submit(users, nomination_data())
    _leads(users, "rc_kenya", roles=("focal_point",))
    assert services.approval_preview(nomination, actor=users["coordinator"]).emails == 1
    services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert outbox("nomination_decision") == []
    assert len(outbox("nomination_welcome")) == 1


def test_a_deactivated_nominator_is_not_written_to(users, nomination_data, create_user):
    nomination = submit(users, nomination_data())
    create_user("rc2.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    deactivate_user(users["rc_kenya"], actor=users["coordinator"], now=NOW)
    services.reject_nomination(nomination, "Not a member of the team.",
                               actor=users["coordinator"], now=NOW)
    db.session.commit()
    assert [m.recipient for m in outbox("nomination_decision")] == ["rc2.kenya@example.org"]


def test_the_office_s_own_nomination_for_a_team_stays_the_office_s(users, nomination_data):
    """A nomination the Office recorded for a team (a head of entity's) is followed up by
    whoever recorded it, not by the team's Resident Coordinator."""
    nomination = submit(users, nomination_data(), who="coordinator")
    refused_rollback("not_nominator", services.withdraw_nomination, nomination,
                     actor=users["rc_kenya"], now=NOW)
    nomination = db.session.get(Nomination, nomination.id)
    services.withdraw_nomination(nomination, actor=users["coordinator"], now=NOW)
    assert nomination.state == NominationState.withdrawn


def test_the_appointment_names_the_resident_coordinator_whose_term_ended_since(
        users, nomination_data):
    """The Resident Coordinator of Kenya nominated, then their term as Resident Coordinator
    ended before the Office approved: the appointment still says who appointed and as what."""
    nomination = submit(users, nomination_data())
    _leads(users, "rc_kenya", roles=("focal_point",))
    appointment = services.approve_nomination(nomination, actor=users["coordinator"], now=NOW)
    assert (appointment.appointed_by_name, appointment.appointed_by_title) == \
        ("Test Person", "Resident Coordinator, Kenya")


@pytest.mark.parametrize("decide", ["request_changes", "reject_nomination", "approve_nomination"])
def test_the_office_s_answer_reads_as_a_nomination_taken_over_by_the_new_resident_coordinator(
        users, nomination_data, teams, create_user, decide):
    """The new Resident Coordinator did not make the nomination they are told of: the email
    says who made it for the team, never "your nomination"; its nominator, still leading the
    team, reads it as theirs."""
    nomination = submit(users, nomination_data(given_name="Njeri", family_name="Mwangi"))
    _leads(users, "rc_kenya", teams[1])
    create_user("new.rc.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                given_name="Amani", family_name="Okello")
    args = () if decide == "approve_nomination" else ("Please confirm the grade.",)
    getattr(services, decide)(nomination, *args, actor=users["coordinator"], now=NOW)
    db.session.commit()
    [mail] = outbox("nomination_decision")
    assert mail.recipient == "new.rc.kenya@example.org"
    for text in (mail.subject, mail.body_text, mail.body_html):
        assert "your nomination" not in text.lower()
    assert mail.body_text.startswith("Dear Amani Okello,")
    assert "Test Person made this nomination for the UN Country Team in Kenya" in \
        mail.body_text
    assert "the nomination of Njeri Mwangi" in mail.body_text


def test_the_nominator_still_reads_the_office_s_answer_as_their_nomination(users,
                                                                           nomination_data):
    nomination = submit(users, nomination_data(given_name="Njeri", family_name="Mwangi"))
    services.request_changes(nomination, "Add the grade.", actor=users["coordinator"], now=NOW)
    db.session.commit()
    [mail] = outbox("nomination_decision")
    assert mail.subject == "Changes requested to your nomination of Njeri Mwangi"
    assert "your nomination of Njeri Mwangi" in mail.body_text
    assert "made this nomination" not in mail.body_text


@pytest.mark.parametrize("locale", ["fr", "es", "ar"])
def test_the_answer_to_a_nomination_taken_over_is_written_in_the_successor_s_language(
        users, nomination_data, teams, create_user, locale):
    nomination = submit(users, nomination_data())
    _leads(users, "rc_kenya", teams[1])
    create_user("new.rc.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                locale=locale)
    services.request_changes(nomination, "Add the grade.", actor=users["coordinator"], now=NOW)
    db.session.commit()
    [mail] = outbox("nomination_decision")
    assert mail.locale == locale
    for english in ("nomination of", "made this nomination", "your"):
        assert english not in mail.subject + mail.body_text


def test_a_resident_coordinator_who_leaves_the_team_is_told_once_of_its_open_nominations(
        users, nomination_data, teams):
    """Their open nominations for the team they leave stay with it: one email lists them (not
    the decided ones, nor the Office's, nor those of the team they keep) and says who follows
    them up now."""
    first = submit(users, nomination_data(given_name="Njeri", family_name="Mwangi"))
    submit(users, nomination_data(given_name="Achieng", family_name="Otieno",
                                  role="alternate"))
    decided = submit(users, nomination_data(given_name="Decided", family_name="Already",
                                            entity=entity("WFP")))
    services.reject_nomination(decided, "No.", actor=users["coordinator"], now=NOW)
    submit(users, nomination_data(given_name="Office", family_name="Recorded",
                                  entity=entity("UNDP")), who="coordinator")
    services.request_changes(first, "Add the grade.", actor=users["coordinator"], now=NOW)
    db.session.commit()
    _leads(users, "rc_kenya", teams[1])
    [mail] = outbox("nominations_passed")
    assert mail.recipient == "rc.kenya@example.org"
    assert "Njeri Mwangi" in mail.body_text and "Achieng Otieno" in mail.body_text
    assert "Decided" not in mail.body_text and "Office Recorded" not in mail.body_text
    assert "Resident Coordinator of the UN Country Team in Kenya" in mail.body_text
    _leads(users, "rc_kenya", teams[1])  # saved again: nothing new to tell
    assert len(outbox("nominations_passed")) == 1


def test_no_word_of_open_nominations_to_a_closed_account_nor_to_who_keeps_the_team(
        users, nomination_data, teams):
    submit(users, nomination_data())
    _leads(users, "rc_kenya", teams[0], teams[1])  # a team more: Kenya stays theirs
    deactivate_user(users["rc_kenya"], actor=users["coordinator"], now=NOW)
    _leads(users, "rc_kenya", teams[1])
    _leads(users, "rc_uganda", teams[0])  # no nomination of theirs for Uganda
    assert outbox("nominations_passed") == []


def test_the_notice_of_nominations_left_is_written_in_the_recipient_s_language(
        users, nomination_data, teams):
    submit(users, nomination_data(entity=entity("UNHCR"), unct=teams[1]), who="rc_uganda")
    _leads(users, "rc_uganda", teams[0])
    [mail] = outbox("nominations_passed")
    assert mail.locale == "es" and "Uganda" in mail.body_text
    assert "no longer" not in mail.body_text and "nominations" not in mail.subject


def _close_unicef(users, teams):
    entity("UNICEF").active_to = NOW.date() - timedelta(days=1)


def _drop_unicef_from_kenya(users, teams):
    teams[0].members = [entity("UNDP"), entity("WFP")]


def _holder_entered_ahead(users, teams):
    """The sitting focal point's term was corrected to begin after the day the nominee is to
    start: a replacement cannot start before the term it ends began."""
    term = registry.active_holders(entity("UNICEF"), teams[0], "focal_point")[0]
    term.start_date = NOW.date() + timedelta(days=30)


def _nomination_starting_in_three_days(users, nomination_data, teams, *, replacing):
    """The nomination of a UNICEF focal point for Kenya to start in three days; `replacing`:
    in the place of Amani Njoroge, whose term began nine days ago."""
    replaces = None
    if replacing:
        sitting = registry.create_person({"given_name": "Amani", "family_name": "Njoroge",
                                          "email": "a.njoroge@unicef.org"}, actor=None)
        replaces = registry.appoint(sitting, {"role": "focal_point", "entity": entity("UNICEF"),
                                              "unct": teams[0],
                                              "start_date": NOW.date() - timedelta(days=9)},
                                    actor=None, now=NOW)
    return submit(users, nomination_data(replaces=replaces,
                                         start_date=NOW.date() + timedelta(days=3)))


@pytest.mark.parametrize(("since", "code", "holder"), [
    (_close_unicef, "entity_closed", False),
    (_drop_unicef_from_kenya, "not_a_member", False),
    (_holder_entered_ahead, "replacement_before_term", True),
])
def test_what_the_registry_refuses_since_the_submission_is_refused_from_the_confirmation(
        users, nomination_data, teams, since, code, holder):
    """Since the nomination was sent, the registry's rules came to refuse the appointment it
    asks: the entity closed, it left the team, the term it replaces now begins later. The
    confirmation (approval_preview) refuses it as approving does, with the registry's code,
    and neither changes anything nor writes to anybody."""
    nomination = _nomination_starting_in_three_days(users, nomination_data, teams,
                                                    replacing=holder)
    since(users, teams)
    db.session.commit()
    counts = (len(outbox()), db.session.scalar(select(func.count(Appointment.id))),
              db.session.scalar(select(func.count(Person.id))))
    refused_rollback(code, services.approval_preview, nomination, actor=users["coordinator"],
                     now=NOW)
    nomination = db.session.get(Nomination, nomination.id)
    refused_rollback(code, services.approve_nomination, nomination, actor=users["coordinator"],
                     now=NOW)
    assert db.session.get(Nomination, nomination.id).state == NominationState.submitted
    assert (len(outbox()), db.session.scalar(select(func.count(Appointment.id))),
            db.session.scalar(select(func.count(Person.id)))) == counts


def test_a_replaced_term_that_now_begins_later_is_refused_with_advice_for_the_approval(
        users, nomination_data, teams):
    """The term the nomination replaces was corrected, since it was sent, to begin after the
    day the nominee is to start: the confirmation and the approval refuse it with the
    registry's code, but say what the Office can do about the nomination (ask for changes to
    it, or correct that term in the registry first), not the registry page's advice to end
    the term as withdrawn; in the reader's language."""
    nomination = _nomination_starting_in_three_days(users, nomination_data, teams,
                                                    replacing=True)
    _holder_entered_ahead(users, teams)
    db.session.commit()
    for call in (services.approval_preview, services.approve_nomination):
        error = refused_rollback("replacement_before_term", call,
                                 db.session.get(Nomination, nomination.id),
                                 actor=users["coordinator"], now=NOW)
        message = str(error.message)
        assert "Amani Njoroge" in message and "Request changes" in message, message
        assert "Withdrawn" not in message and error.field is None
        for language, advice in (("fr", "Demander des modifications"),
                                 ("es", "Solicitar cambios"), ("ar", "طلب تعديلات")):
            with force_locale(language):
                assert advice in str(error.message)
