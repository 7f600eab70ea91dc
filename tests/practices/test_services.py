"""Practice rules: submission, the Office's review, language versions, awards; each refusal
by its code, each change in the audit trail, the submitter's emails in the outbox."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent, last_event_id
from gfp_portal.core.db import values_of
from gfp_portal.core.i18n import choose_version
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.practices import queries, services
from gfp_portal.practices.models import PracticeState
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import EndReason
from tests.helpers import entity, outbox, refused, refused_rollback

from .conftest import focal_point_of, practice_data

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def actions(practice):
    return [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "practices", AuditEvent.object_id == practice.id)
        .order_by(AuditEvent.id))]


def test_a_focal_point_submits_for_their_own_entity(undp_fp, make_practice, make_person):
    contact = make_person(email="contact@undp.org")
    registry.appoint(contact, {"role": "alternate", "entity": entity("UNDP"), "unct": None},
                     actor=None)
    practice = make_practice(undp_fp, contacts="CONTACT@undp.org")
    assert practice.state == PracticeState.submitted and practice.submitter_id == undp_fp.id
    assert practice.contacts == [contact] and practice.languages == ["en"]
    assert actions(practice) == ["practice.submit"]
    event = db.session.scalars(select(AuditEvent).filter_by(action="practice.submit")).one()
    assert event.changes["entity"] == [None, "UNDP"]


def test_a_focal_point_names_as_contacts_only_people_the_directory_shows(
        undp_fp, coordinator, make_practice, make_person):
    """The directory shows people holding a term: a focal point who types the address of
    anyone else learns nothing of them, refused as an address the registry does not hold. A
    contact named already stays when the practice is edited after they left; the Office
    names anyone of the registry."""
    outsider = make_person(given="Hidden", family="Outsider", email="hidden@unhcr.org")
    db.session.commit()
    error = refused_rollback("person_unknown", services.submit_practice, practice_data(
        contacts="hidden@unhcr.org"), actor=undp_fp)
    assert str(error.message) == "Nobody in the registry has the address hidden@unhcr.org."
    colleague = make_person(email="colleague@undp.org")
    term = registry.appoint(colleague, {"role": "alternate", "entity": entity("UNDP"),
                                        "unct": None}, actor=None)
    practice = make_practice(undp_fp, contacts="colleague@undp.org")
    registry.end_appointment(term, reason=EndReason.left_entity, actor=None)
    services.update_practice(practice, practice_data(contacts="colleague@undp.org"),
                             actor=undp_fp)
    assert practice.contacts == [colleague]
    by_office = make_practice(coordinator, contacts="hidden@unhcr.org")
    assert by_office.contacts == [outsider]


@pytest.mark.parametrize("data, code", [
    ({"entity": None}, "entity_not_own"),
    ({"year": 1980}, "year_invalid"),
    ({"year": None}, "year_invalid"),
    ({"area": "knitting"}, "area_invalid"),
    ({"contacts": "nobody@example.org"}, "person_unknown"),
    ({"language": "de"}, "language_unknown"),
    ({"title": "  "}, "title_required"),
    ({"body": ""}, "body_required"),
])
def test_a_bad_submission_is_refused(undp_fp, data, code):
    refused_rollback(code, services.submit_practice, practice_data(**data), actor=undp_fp)


def test_a_focal_point_cannot_submit_for_another_entity(wfp_fp, create_user):
    error = refused("entity_not_own", services.submit_practice, practice_data(), actor=wfp_fp)
    assert error.field == "entity"


def test_a_resident_coordinator_cannot_submit(ctx, reference, create_user):
    rc = db.session.get(User, create_user("rc@example.org", roles=["resident_coordinator"],
                                          uncts=["KEN"]))
    assert not services.may_submit(rc)
    refused("entity_not_own", services.submit_practice, practice_data(), actor=rc)


def test_a_coordinator_submits_for_any_entity(coordinator):
    practice = services.submit_practice(practice_data(entity=entity("IAEA")),
                                        actor=coordinator)
    assert practice.entity.acronym == "IAEA"


def test_request_changes_then_resubmit_then_publish(undp_fp, coordinator, make_practice):
    practice = make_practice(undp_fp)
    refused("not_coordinator", services.request_changes, practice, "More.", actor=undp_fp)
    refused("comment_required", services.request_changes, practice, " ", actor=coordinator)
    refused("wrong_state", services.resubmit_practice, practice, actor=undp_fp)
    services.request_changes(practice, "Add the figures.", actor=coordinator, now=NOW)
    assert practice.state == PracticeState.changes_requested
    assert practice.decision_note == "Add the figures."
    mail = outbox("practice_decision")
    assert [m.recipient for m in mail] == ["fp.undp@example.org"]
    assert "Changes requested" in mail[0].subject
    refused("not_submitter", services.resubmit_practice, practice, actor=coordinator)
    services.resubmit_practice(practice, actor=undp_fp, now=NOW)
    assert practice.state == PracticeState.submitted and practice.submitted_at == NOW
    refused("not_coordinator", services.publish_practice, practice, actor=undp_fp)
    services.publish_practice(practice, actor=coordinator, now=NOW)
    assert practice.state == PracticeState.published and practice.published_at == NOW
    assert len(outbox("practice_decision")) == 2
    assert "published" in outbox("practice_decision")[1].subject
    assert all("\n\nhttp" in m.body_text for m in outbox("practice_decision"))
    refused("wrong_state", services.publish_practice, practice, actor=coordinator)
    assert actions(practice) == ["practice.submit", "practice.request_changes",
                                 "practice.resubmit", "practice.publish"]


def test_decline_needs_a_reason_and_ends_the_review(undp_fp, coordinator, make_practice):
    practice = make_practice(undp_fp)
    refused("reason_required", services.decline_practice, practice, "", actor=coordinator)
    refused("not_coordinator", services.decline_practice, practice, "No.", actor=undp_fp)
    services.decline_practice(practice, "Out of scope.", actor=coordinator)
    assert practice.state == PracticeState.declined
    assert outbox("practice_decision") == []
    refused("wrong_state", services.publish_practice, practice, actor=coordinator)
    refused("not_editable", services.update_practice, practice, practice_data(),
            actor=undp_fp)
    event = db.session.scalars(select(AuditEvent).filter_by(action="practice.decline")).one()
    assert event.reason == "Out of scope." and event.changes["state"] == ["submitted",
                                                                          "declined"]


def test_a_decision_is_taken_on_the_text_its_page_showed(undp_fp, coordinator, make_practice):
    """A coordinator decides on what the page showed (`seen`, its latest event): once the
    submitter changed the practice since, or another coordinator asked for changes, the
    decision is refused; the practice sent again as it was does not stop it."""
    practice = make_practice(undp_fp)
    seen = last_event_id(practice)
    services.update_version(practice.version("en"), {
        "title": "Flexible working for every team", "body": "Core hours.",
        "results": "Everyone telecommutes."}, actor=undp_fp)
    for decide, args in ((services.publish_practice, ()),
                         (services.decline_practice, ("Out of scope.",)),
                         (services.request_changes, ("Add the figures.",))):
        refused("changed_since", decide, practice, *args, actor=coordinator, seen=seen)
        assert practice.state == PracticeState.submitted
    services.add_version(practice, {"language": "fr", "title": "T", "body": "B"},
                         actor=undp_fp)
    refused("changed_since", services.publish_practice, practice, actor=coordinator,
            seen=last_event_id(practice) - 1)
    services.update_practice(practice, practice_data(year=2022), actor=undp_fp)
    refused("changed_since", services.publish_practice, practice, actor=coordinator,
            seen=last_event_id(practice) - 1)
    assert outbox("practice_decision") == []
    seen = last_event_id(practice)
    services.request_changes(practice, "Add the figures.", actor=coordinator, seen=seen)
    refused("changed_since", services.decline_practice, practice, "Out of scope.",
            actor=coordinator, seen=seen)
    seen = last_event_id(practice)
    services.resubmit_practice(practice, actor=undp_fp)
    services.publish_practice(practice, actor=coordinator, seen=seen)
    assert practice.state == PracticeState.published


def test_only_the_submitter_and_the_office_edit_while_under_review(
        undp_fp, wfp_fp, coordinator, make_practice):
    practice = make_practice(undp_fp)
    refused("not_editable", services.update_practice, practice, practice_data(year=2022),
            actor=wfp_fp)
    changes = services.update_practice(practice, practice_data(year=2022), actor=undp_fp)
    assert changes == {"year": [2023, 2022]}
    services.publish_practice(practice, actor=coordinator)
    assert not services.may_edit(undp_fp, practice)
    refused("not_editable", services.add_version, practice,
            {"language": "fr", "title": "T", "body": "B"}, actor=undp_fp)
    services.update_practice(practice, practice_data(year=2021), actor=coordinator)
    assert actions(practice)[-1] == "practice.update"


def test_language_versions_and_the_fallback(undp_fp, make_practice):
    practice = make_practice(undp_fp)
    refused("version_exists", services.add_version, practice,
            {"language": "en", "title": "T", "body": "B"}, actor=undp_fp)
    refused("language_unknown", services.add_version, practice,
            {"language": "xx", "title": "T", "body": "B"}, actor=undp_fp)
    services.add_version(practice, {"language": "fr", "title": "Travail flexible",
                                    "body": "Horaires."}, actor=undp_fp)
    assert choose_version(practice, "fr")[0].language == "fr"
    assert choose_version(practice, "ar") == (practice.version("en"), True)
    changes = services.update_version(practice.version("fr"), {
        "title": "Travail flexible", "body": "Horaires décalés."}, actor=undp_fp)
    assert list(changes) == ["body"]
    assert actions(practice)[-2:] == ["practice.version_add", "practice.version_update"]


def test_search_ignores_accents_and_case(undp_fp, coordinator, make_practice):
    practice = make_practice(undp_fp, language="fr", title="Mesures temporaires spéciales",
                             body="Sélection à compétences égales.")
    services.publish_practice(practice, actor=coordinator)
    db.session.flush()
    for q in ("SPECIALES", "spéciales", "competences egales"):
        found = db.session.scalars(queries.library_query(undp_fp, q=q)).all()
        assert found == [practice], q
    assert db.session.scalars(queries.library_query(undp_fp, q="mentorat")).all() == []


def test_who_sees_what(app, undp_fp, wfp_fp, coordinator, make_practice):
    from flask_login import AnonymousUserMixin
    anonymous = AnonymousUserMixin()
    practice = make_practice(undp_fp)
    assert queries.can_see(practice, undp_fp) and queries.can_see(practice, coordinator)
    assert not queries.can_see(practice, wfp_fp) and not queries.can_see(practice, anonymous)
    assert db.session.scalars(queries.library_query(
        undp_fp, state=PracticeState.submitted)).all() == [practice]
    assert db.session.scalars(queries.library_query(
        wfp_fp, state=PracticeState.submitted)).all() == []
    services.publish_practice(practice, actor=coordinator)
    assert queries.can_see(practice, wfp_fp) and not queries.can_see(practice, anonymous)
    update_settings({"practices.public": True}, actor=coordinator)
    assert queries.can_see(practice, anonymous)
    assert values_of(waiting=queries.waiting_for_review())["waiting"][0] == 0


def award_data(**extra):
    return {"year": 2024, "event": "Global Annual Meeting 2024", "name": "Champion",
            "entity": entity("UNDP"), "recipients": "fp.undp@example.org",
            "citations": {"en": "For flexible working.", "fr": ""}, **extra}


@pytest.mark.parametrize("data, code", [
    ({"recipients": ""}, "recipients_required"),
    ({"recipients": "nobody@example.org"}, "person_unknown"),
    ({"citations": {"en": " "}}, "citation_required"),
    ({"event": ""}, "event_required"),
    ({"name": ""}, "name_required"),
    ({"year": 3000}, "year_invalid"),
])
def test_a_bad_award_is_refused(undp_fp, coordinator, data, code):
    refused_rollback(code, services.create_award, award_data(**data), actor=coordinator)


def test_invisible_marks_between_recipients_name_nobody(undp_fp, coordinator):
    """A direction mark or a zero-width space pasted after a comma is no address."""
    award = services.create_award(award_data(
        recipients="fp.undp@example.org, \u200f,\u200b ;\ufeff"), actor=coordinator)
    assert award.recipients == [undp_fp.person]


def test_awards_are_kept_with_their_recipients_and_citations(undp_fp, coordinator):
    award = services.create_award(award_data(), actor=coordinator)
    assert [c.language for c in award.citations] == ["en"]
    assert queries.awards_of(undp_fp.person) == [award]
    assert choose_version(award, "es") == (award.version("en"), True)
    changes = services.update_award(award, award_data(citations={"en": "For flexible working.",
                                                                  "es": "Por el trabajo."}),
                                    actor=coordinator)
    assert changes == {"citation.es": [None, "Por el trabajo."]}
    assert queries.awards_by_year() == [(2024, [award])]
    services.delete_award(award, actor=coordinator)
    assert queries.awards_of(undp_fp.person) == []
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "awards").order_by(AuditEvent.id))] == [
        "award.create", "award.update", "award.delete"]


def test_the_office_is_not_mailed_about_what_it_submitted(coordinator):
    practice = services.submit_practice(practice_data(), actor=coordinator)
    services.publish_practice(practice, actor=coordinator)
    assert outbox("practice_decision") == []


def test_the_decision_email_names_the_practice_in_the_submitters_language(
        ctx, reference, create_user, coordinator, make_practice):
    """The practice has a French version and its submitter reads French: the email names it by
    its French title, as the library's pages do, not by the English one."""
    submitter = focal_point_of("UNDP", db.session.get(User, create_user(
        "pf.undp@example.org", locale="fr")))
    practice = make_practice(submitter)
    services.add_version(practice, {"language": "fr", "title": "Travail flexible pour tous",
                                    "body": "Horaires."}, actor=submitter)
    services.publish_practice(practice, actor=coordinator, now=NOW)
    mail, = outbox("practice_decision")
    assert mail.locale == "fr"
    assert "Travail flexible pour tous" in mail.subject
    assert "Travail flexible pour tous" in mail.body_text
    assert "Flexible working for every team" not in mail.subject + mail.body_text
