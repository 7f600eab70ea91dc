"""The rules of implementation plans: who may do what, what is refused (by code), what the
audit records, and where a plan stands around its deadline."""
import io
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import utcnow
from gfp_portal.extensions import db
from gfp_portal.plans import queries, services
from gfp_portal.plans.models import ImplementationPlan, PlanStatus, Standing, standing_of
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import EndReason
from tests.helpers import EXE, PDF, entity, outbox, pdf_upload, refused, refused_rollback
from tests.plans.conftest import DEADLINE, NOW


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


@pytest.fixture(autouse=True)
def _storage(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path / "storage"))


# --- periods -----------------------------------------------------------------------------------

def test_a_period_is_created_and_audited(period):
    assert (period.name, period.years, period.deadline) == ("2022–2024", [2022, 2023, 2024],
                                                           DEADLINE)
    event = events("plan_period.create")[0]
    assert event.changes["name"] == [None, "2022–2024"]


@pytest.mark.parametrize("data, code", [
    ({"name": " "}, "name_required"),
    ({"first_year": 1999}, "bad_year"),
    ({"last_year": "2024"}, "bad_year"),
    ({"first_year": 2025, "last_year": 2024}, "years_out_of_order"),
    ({"first_year": 2010, "last_year": 2024}, "period_too_long"),
    ({"deadline": None}, "deadline_required"),
])
def test_a_bad_period_is_refused(coordinator, data, code):
    good = {"name": "2025–2027", "first_year": 2025, "last_year": 2027,
            "deadline": date(2027, 3, 31)}
    refused(code, services.create_period, {**good, **data}, actor=coordinator)


def test_a_period_name_is_unique_and_only_the_office_creates_periods(period, coordinator,
                                                                    responsible):
    data = {"name": "2022–2024", "first_year": 2022, "last_year": 2024, "deadline": DEADLINE}
    refused("duplicate_period", services.create_period, data, actor=coordinator)
    refused("not_coordinator", services.create_period, {**data, "name": "Other"},
            actor=responsible)


# --- plans ---------------------------------------------------------------------------------------

def test_a_plan_is_created_not_started_with_its_responsible_people(plan, responsible):
    assert plan.status == PlanStatus.not_started
    assert plan.responsible == [responsible.person]
    event = events("plan.create")[0]
    assert event.object_id == plan.id
    assert event.changes["status"] == [None, "not_started"]
    assert event.changes["entity"] == [None, "UNDP"]


def test_one_plan_per_entity_and_period(plan, period, coordinator, responsible):
    refused_rollback("duplicate_plan", services.create_plan, entity("UNDP"), period,
                     actor=coordinator)
    refused("not_coordinator", services.create_plan, entity("UNICEF"), period,
            actor=responsible)


def test_the_office_sets_any_status_and_it_is_audited(plan, coordinator):
    assert services.change_status(plan, "in_preparation", actor=coordinator, now=NOW)
    assert services.change_status(plan, PlanStatus.updated, actor=coordinator, now=NOW)
    assert plan.status == PlanStatus.updated and plan.status_changed_at == NOW
    assert [e.changes["status"] for e in events("plan.status")] == [
        ["not_started", "in_preparation"], ["in_preparation", "updated"]]
    assert services.change_status(plan, "updated", actor=coordinator) is False
    assert len(events("plan.status")) == 2


def test_a_responsible_focal_point_only_marks_the_plan_submitted(plan, responsible,
                                                                 coordinator):
    refused("status_for_coordinators", services.change_status, plan, "updated",
            actor=responsible)
    refused("status_for_coordinators", services.change_status, plan, "in_preparation",
            actor=responsible)
    assert services.change_status(plan, "submitted", actor=responsible, now=NOW)
    assert events("plan.status")[0].actor_id == responsible.id
    services.change_status(plan, "updated", actor=coordinator)
    refused("already_updated", services.change_status, plan, "submitted", actor=responsible)


def test_other_focal_points_cannot_change_a_plan(plan, make_fp):
    colleague = make_fp("colleague@example.org")  # of UNDP too, but not responsible
    refused("not_responsible", services.change_status, plan, "submitted", actor=colleague)
    refused("not_responsible", services.add_document, plan, "en", pdf_upload(),
            actor=colleague)
    assert services.may_view(colleague, plan) and not services.may_work_on(colleague, plan)
    stranger = make_fp("stranger@example.org", "UNICEF")
    assert not services.may_view(stranger, plan)


def test_a_responsible_person_who_leaves_the_entity_is_taken_off_its_plans(
        plan, coordinator, make_fp, responsible):
    """Their term of UNDP ended yesterday: they no longer mark the plan submitted, upload its
    documents or get its emails, and the plan no longer lists them (audited); the others
    stay."""
    staying = make_fp("staying@example.org").person
    services.set_responsible(plan, [responsible.person, staying], actor=coordinator)
    registry.renew(staying.appointments[0], actor=coordinator)  # a renewal keeps them
    term, = responsible.person.appointments
    registry.end_appointment(term, reason=EndReason.left_entity,
                             ended_on=utcnow().date() - timedelta(days=1), actor=coordinator)
    db.session.flush()
    assert [p.email for p in plan.responsible] == ["staying@example.org"]
    assert events("plan.responsible")[-1].actor_id is None
    assert not services.may_work_on(responsible, plan)
    refused("not_responsible", services.change_status, plan, "submitted", actor=responsible)
    services.add_note(plan, "Please update the targets.", actor=coordinator)
    assert [m.recipient for m in outbox("plan_note")] == ["staying@example.org"]


def test_a_responsible_person_whose_end_of_term_is_entered_ahead_stays_until_their_last_day(
        plan, coordinator, responsible):
    """On 15 January the Office records that the responsible alternate leaves on 31 January:
    they hold the role until then, so they stay on the plan, work on it and get its emails;
    once that day has passed, the daily run takes them off it (audited, without an actor)."""
    term, = responsible.person.appointments
    last_day = date(2024, 1, 31)
    registry.end_appointment(term, reason=EndReason.left_entity, ended_on=last_day,
                             actor=coordinator, now=NOW)
    db.session.flush()
    assert plan.responsible == [responsible.person]
    assert services.may_work_on(responsible, plan, today=last_day)
    services.change_status(plan, "submitted", actor=responsible, now=NOW)
    services.add_note(plan, "Please update the targets.", actor=coordinator, now=NOW)
    assert [m.recipient for m in outbox("plan_note")] == ["fp.undp@example.org"]
    assert services.release_plans_after_last_days(today=last_day, now=NOW) == 0
    assert plan.responsible == [responsible.person]
    assert services.release_plans_after_last_days(today=last_day + timedelta(days=1),
                                                  now=NOW) == 1
    assert plan.responsible == []
    assert events("plan.responsible")[-1].actor_id is None
    assert not services.may_work_on(responsible, plan, today=last_day + timedelta(days=1))


def test_someone_still_listed_after_leaving_neither_acts_nor_is_written_to(
        plan, coordinator, responsible):
    """Listed before people leaving were taken off plans: whoever no longer holds an active
    appointment for the plan's entity has no say in it and gets none of its emails."""
    term, = responsible.person.appointments
    # As the registry ended terms before: no last day but the end date, yesterday.
    term.status, term.end_date = "ended", utcnow().date() - timedelta(days=1)
    db.session.flush()
    assert plan.responsible == [responsible.person]
    assert not services.may_work_on(responsible, plan)
    services.add_note(plan, "Please update the targets.", actor=coordinator)
    assert outbox("plan_note") == []


def test_the_office_sets_the_responsible_people(plan, coordinator, make_fp, responsible):
    other = make_fp("other@example.org")
    changes = services.set_responsible(plan, [other.person, responsible.person],
                                       actor=coordinator, now=NOW)
    assert set(plan.responsible) == {other.person, responsible.person}
    assert changes["responsible"][0] == ["Test Person"]
    assert events("plan.responsible")[0].changes == changes
    assert services.set_responsible(plan, [responsible.person, other.person],
                                    actor=coordinator) == {}
    refused("not_coordinator", services.set_responsible, plan, [], actor=responsible)


# --- documents -----------------------------------------------------------------------------------

def test_documents_are_versions_per_language_the_newest_current(plan, responsible,
                                                                coordinator):
    first = services.add_document(plan, "fr", pdf_upload("plan.pdf"), actor=responsible,
                                  now=NOW)
    second = services.add_document(plan, "fr", pdf_upload("plan v2.pdf"), actor=coordinator,
                                   now=NOW + timedelta(days=1))
    english = services.add_document(plan, "en", pdf_upload("plan-en.pdf"), actor=coordinator,
                                     now=NOW)
    db.session.expire(plan, ["documents"])
    assert plan.current_documents() == {"fr": second, "en": english}
    assert first in plan.documents
    assert (second.filename, second.size, second.uploaded_by_id) == ("plan v2.pdf", len(PDF),
                                                                     coordinator.id)
    assert [e.changes["document"][1] for e in events("plan.document")] == [
        "fr: plan.pdf", "fr: plan v2.pdf", "en: plan-en.pdf"]


@pytest.mark.parametrize("language, upload, code", [
    ("de", pdf_upload(), "bad_language"),
    ("en", FileStorage(stream=io.BytesIO(EXE), filename="plan.pdf"), "file_type"),
    ("en", FileStorage(stream=io.BytesIO(b""), filename="plan.pdf"), "file_empty"),
])
def test_a_bad_document_is_refused(plan, coordinator, language, upload, code):
    refused(code, services.add_document, plan, language, upload, actor=coordinator)


def test_a_document_over_the_limit_is_refused(plan, coordinator, app, monkeypatch):
    monkeypatch.setitem(app.config, "PLAN_DOCUMENT_MAX_BYTES", 10)
    refused("file_too_large", services.add_document, plan, "en", pdf_upload(),
            actor=coordinator)


# --- targets -------------------------------------------------------------------------------------

def test_targets_replace_the_set_and_are_audited(plan, coordinator):
    services.set_targets(plan, [{"grade": "P-4", "year": 2022, "women_percent": 45},
                                {"grade": "D-1", "year": 2024, "women_percent": 50}],
                         actor=coordinator, now=NOW)
    changes = services.set_targets(plan, [{"grade": "P-4", "year": 2022, "women_percent": 47}],
                                   actor=coordinator, now=NOW)
    assert [(t.grade, t.year, t.women_percent) for t in plan.targets] == [("P-4", 2022, 47)]
    assert changes["targets"] == [["D-1 2024: 50", "P-4 2022: 45"], ["P-4 2022: 47"]]
    assert len(events("plan.targets")) == 2
    assert services.set_targets(plan, [{"grade": "P-4", "year": 2022, "women_percent": 47}],
                                actor=coordinator) == {}


@pytest.mark.parametrize("row, code", [
    ({"grade": "", "year": 2022, "women_percent": 50}, "bad_grade"),
    ({"grade": "P-4; DROP", "year": 2022, "women_percent": 50}, "bad_grade"),
    ({"grade": "P" * 17, "year": 2022, "women_percent": 50}, "bad_grade"),
    ({"grade": "P-4", "year": 2021, "women_percent": 50}, "year_outside_period"),
    ({"grade": "P-4", "year": 2025, "women_percent": 50}, "year_outside_period"),
    ({"grade": "P-4", "year": 2023, "women_percent": 101}, "bad_percent"),
    ({"grade": "P-4", "year": 2023, "women_percent": -1}, "bad_percent"),
    ({"grade": "p-4", "year": 2022, "women_percent": 40}, "duplicate_target"),
])
def test_bad_targets_are_refused_and_change_nothing(plan, coordinator, row, code):
    good = {"grade": "P-4", "year": 2022, "women_percent": 50}
    refused(code, services.set_targets, plan, [good, row], actor=coordinator)
    assert plan.targets == []


def test_edges_of_targets_are_accepted(plan, coordinator):
    services.set_targets(plan, [{"grade": "General Service", "year": 2024, "women_percent": 0},
                                {"grade": "NO-C", "year": 2022, "women_percent": 100}],
                         actor=coordinator)
    assert len(plan.targets) == 2


def test_only_the_office_sets_targets(plan, responsible):
    refused("not_coordinator", services.set_targets, plan, [], actor=responsible)


# --- review notes ------------------------------------------------------------------------------

def test_a_review_note_is_kept_and_mailed_to_the_responsible_people(plan, coordinator,
                                                                    make_fp):
    french = make_fp("fr@example.org", locale="fr")
    services.set_responsible(plan, [*plan.responsible, french.person], actor=coordinator)
    note, told = services.add_note(plan, "  Please add the 2024 targets. ",
                                   actor=coordinator, now=NOW)
    assert told == 2
    assert (note.text, note.author_id, note.created_at) == ("Please add the 2024 targets.",
                                                            coordinator.id, NOW)
    assert events("plan.note")[0].changes == {"note": [None, note.id]}
    mails = {m.recipient: m for m in outbox("plan_note")}
    assert set(mails) == {"fp.undp@example.org", "fr@example.org"}
    assert mails["fr@example.org"].locale == "fr"
    assert "Please add the 2024 targets." in mails["fr@example.org"].body_text
    # The period in plain text, without the isolate marks the HTML part keeps.
    assert "2022–2024" in mails["fr@example.org"].body_text
    assert "\u2066" not in mails["fr@example.org"].body_text
    assert "/plans/" in mails["fp.undp@example.org"].body_text


def test_a_note_needs_text_and_the_office(plan, coordinator, responsible):
    refused("note_required", services.add_note, plan, "  ", actor=coordinator)
    refused("not_coordinator", services.add_note, plan, "Hello", actor=responsible)
    assert outbox("plan_note") == []


# --- overdue, derived ----------------------------------------------------------------------------

@pytest.mark.parametrize("status, today, expected", [
    (PlanStatus.not_started, DEADLINE, Standing.not_started),
    (PlanStatus.not_started, DEADLINE + timedelta(days=1), Standing.overdue),
    (PlanStatus.in_preparation, DEADLINE - timedelta(days=1), Standing.in_preparation),
    (PlanStatus.in_preparation, DEADLINE + timedelta(days=1), Standing.overdue),
    (PlanStatus.submitted, DEADLINE + timedelta(days=400), Standing.submitted),
    (PlanStatus.updated, DEADLINE + timedelta(days=1), Standing.updated),
])
def test_overdue_is_derived_from_the_deadline(status, today, expected):
    assert standing_of(status, DEADLINE, today) == expected


def test_the_list_filters_and_counts_overdue_as_the_page_derives_it(plan, coordinator,
                                                                   period):
    other = services.create_plan(entity("UNICEF"), period, actor=coordinator)
    services.change_status(other, "submitted", actor=coordinator)
    for today, overdue in ((DEADLINE, []), (DEADLINE + timedelta(days=1), [plan])):
        f = queries.PlanFilter(period_id=period.id, standing="overdue")
        assert db.session.scalars(queries.plans_query(f, today)).all() == overdue
        f = queries.PlanFilter(period_id=period.id, standing="not_started")
        assert db.session.scalars(queries.plans_query(f, today)).all() == \
            ([] if overdue else [plan])
        rows, totals = queries.network_view(period, today)
        assert totals.counts[Standing.overdue] == len(overdue)
        assert totals.counts[Standing.submitted] == 1 and totals.total == 2


# --- the order of names ---------------------------------------------------------------------------

# The registry's order (Person.name_key): case, accents and particles ignored at first.
IN_NAME_ORDER = ["da Silva", "Éboué", "Zulu"]


def _alternates_of_undp(families):
    people = []
    for n, family in enumerate(families):
        person = registry.create_person({"given_name": "Ana", "family_name": family,
                                         "email": f"ana{n}@undp.org", "entity": entity("UNDP")},
                                        actor=None)
        db.session.flush()
        registry.appoint(person, {"role": "alternate", "entity": entity("UNDP"), "unct": None},
                         actor=None, now=NOW)
        people.append(person)
    return people


def test_a_plans_responsible_people_read_back_in_the_registrys_name_order(coordinator, period):
    people = _alternates_of_undp(["Zulu", "da Silva", "Éboué"])
    plan = services.create_plan(entity("UNDP"), period, responsible=people, actor=coordinator,
                                now=NOW)
    db.session.commit()
    plan_id = plan.id
    db.session.expire_all()
    plan = db.session.get(ImplementationPlan, plan_id)
    assert [p.family_name for p in plan.responsible] == IN_NAME_ORDER


def test_who_may_be_made_responsible_is_offered_in_the_registrys_name_order(coordinator,
                                                                           period):
    _alternates_of_undp(["Zulu", "da Silva", "Éboué"])
    plan = services.create_plan(entity("UNDP"), period, actor=coordinator, now=NOW)
    db.session.flush()
    assert [label for __, label in queries.responsible_choices(plan)] == \
        [f"Ana {family}" for family in IN_NAME_ORDER]


@pytest.mark.parametrize(("lang", "ordered"), [("es", ["Munro", "Muñoz"]),
                                               ("en", ["Muñoz", "Munro"])])
def test_who_may_be_made_responsible_is_offered_in_the_readers_order_of_names(
        coordinator, period, lang, ordered):
    """Spanish sorts the ñ after the n ("Munro" before "Muñoz"); the other languages take it
    for an n, as the registry's lists do (name_order)."""
    responsible, __ = _alternates_of_undp(["Muñoz", "Munro"])
    plan = services.create_plan(entity("UNDP"), period, responsible=[responsible],
                                actor=coordinator, now=NOW)
    db.session.flush()
    with force_locale(lang):
        assert [label for __, label in queries.responsible_choices(plan)] == \
            [f"Ana {family}" for family in ordered]
