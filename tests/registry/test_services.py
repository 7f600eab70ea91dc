"""Registry rules, asserted by error code."""
import csv
import io
import unicodedata
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gfp_portal.accounts.models import User
from gfp_portal.accounts.services import find_user_by_email
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.errors import DomainError
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.reference import services as reference
from gfp_portal.registry import exports, services
from gfp_portal.registry.models import Appointment, AppointmentStatus, EndReason
from gfp_portal.registry.policy import Policy
from gfp_portal.registry.queries import RegistryFilter, people_query
from tests.helpers import NOW, entity, outbox, refused

START = date(2026, 1, 1)


def appoint(person, unct, role="focal_point", coordinator=None, **extra):
    data = {"entity": entity("UNDP"), "unct": unct, "role": role, "start_date": START,
            "time_share": 20, "tor_on_file": True, **extra}
    return services.appoint(person, data, actor=coordinator)


def test_person_names_are_kept_exactly_as_entered(make_person):
    person = make_person(given="  mARÍA josé ", family="de la Fuente-O'Brien")
    assert (person.given_name, person.family_name) == ("mARÍA josé", "de la Fuente-O'Brien")


def test_person_email_is_unique_ignoring_case(make_person):
    make_person(email="Amina.Diallo@undp.org")
    with pytest.raises(DomainError) as excinfo:
        make_person(email="amina.diallo@UNDP.org")
    assert excinfo.value.code == "email_taken"


@pytest.mark.parametrize("first, second", [("Émile.Ørsted@undp.org", "Émile.Ørsted@undp.org"),
                                           ("ÉMILE@undp.org", "émile@UNDP.org")])
def test_an_address_with_accented_capitals_is_refused_a_second_time(make_person, first,
                                                                    second):
    make_person(email=first)
    with pytest.raises(DomainError) as excinfo:
        make_person(email=second)
    assert excinfo.value.code == "email_taken"
    assert services.find_person_by_email(second.upper()).email == first


def test_person_update_is_audited_with_before_and_after(make_person, coordinator):
    person = make_person()
    changes = services.update_person(person, {"position_title": "Programme Specialist"},
                                     actor=coordinator)
    assert changes == {"position_title": [None, "Programme Specialist"]}
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "person.update")).one().changes == changes


def test_unknown_time_zone_refused(make_person):
    with pytest.raises(DomainError) as excinfo:
        make_person(time_zone="Mars/Olympus")
    assert excinfo.value.code == "unknown_time_zone"


def test_default_term_is_two_years(make_person, kenya):
    appointment = appoint(make_person(), kenya)
    assert appointment.end_date == date(2027, 12, 31)
    assert appointment.status == AppointmentStatus.active


def test_default_term_follows_the_setting(make_person, kenya, coordinator):
    update_settings({"policy.default_term_years": 3}, actor=coordinator)
    assert appoint(make_person(), kenya).end_date == date(2028, 12, 31)


def test_second_focal_point_refused_naming_the_holder(make_person, kenya):
    holder = make_person(given="Amina", family="Diallo")
    appoint(holder, kenya)
    with pytest.raises(DomainError) as excinfo:
        appoint(make_person(given="Jean", family="Dupont"), kenya)
    assert excinfo.value.code == "focal_point_taken"
    assert excinfo.value.holder.person is holder
    assert "Amina Diallo" in str(excinfo.value.message)


def test_focal_points_of_other_scopes_do_not_collide(make_person, kenya):
    appoint(make_person(), kenya)
    appoint(make_person(), None)  # headquarters
    appoint(make_person(), kenya, entity=entity("UNICEF"))


def test_several_alternates_are_allowed(make_person, kenya):
    appoint(make_person(), kenya, role="alternate")
    appoint(make_person(), kenya, role="alternate")


def test_same_person_cannot_be_focal_point_and_alternate(make_person, kenya):
    person = make_person()
    appoint(person, kenya)
    with pytest.raises(DomainError) as excinfo:
        appoint(person, kenya, role="alternate")
    assert excinfo.value.code == "focal_point_and_alternate"
    with pytest.raises(DomainError) as excinfo:
        appoint(person, kenya, role="focal_point")
    assert excinfo.value.code == "already_appointed"


def test_entity_must_sit_in_the_unct(make_person, kenya):
    with pytest.raises(DomainError) as excinfo:
        appoint(make_person(), kenya, entity=entity("WHO"))
    assert excinfo.value.code == "not_a_member"


@pytest.mark.parametrize("extra, code", [
    ({"end_date": date(2025, 12, 31)}, "dates_reversed"),
    ({"time_share": 120}, "bad_time_share"),
])
def test_bad_appointment_data_refused(make_person, kenya, extra, code):
    with pytest.raises(DomainError) as excinfo:
        appoint(make_person(), kenya, **extra)
    assert excinfo.value.code == code


def test_database_also_refuses_a_second_active_focal_point(make_person, kenya):
    appoint(make_person(), kenya)
    db.session.add(Appointment(person=make_person(), entity=entity("UNDP"), unct=kenya,
                               role="focal_point", status="active", start_date=START))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_end_keeps_history_and_frees_the_scope(make_person, kenya, coordinator):
    first = appoint(make_person(), kenya)
    services.end_appointment(first, reason="left_entity", ended_on=date(2026, 6, 30),
                             note="moved to another agency", actor=coordinator)
    assert first.status == AppointmentStatus.ended and first.end_reason == EndReason.left_entity
    assert first.end_date == date(2026, 6, 30)
    # The scope is free again from the day after the last day; not before.
    assert refused("focal_point_until", appoint, make_person(), kenya).field == "start_date"
    appoint(make_person(), kenya, start_date=date(2026, 7, 1))
    with pytest.raises(DomainError) as excinfo:
        services.end_appointment(first, reason="withdrawn", actor=coordinator)
    assert excinfo.value.code == "not_active"


def test_withdrawal_marks_the_appointment_withdrawn(make_person, kenya, coordinator):
    appointment = appoint(make_person(), kenya)
    services.end_appointment(appointment, reason="withdrawn", ended_on=START, actor=coordinator)
    assert appointment.status == AppointmentStatus.withdrawn


def test_cannot_end_before_start(make_person, kenya, coordinator):
    appointment = appoint(make_person(), kenya)
    with pytest.raises(DomainError) as excinfo:
        services.end_appointment(appointment, reason="left_entity",
                                 ended_on=START - timedelta(days=1), actor=coordinator)
    assert excinfo.value.code == "dates_reversed"


def test_renew_creates_a_following_term(make_person, kenya, coordinator):
    from datetime import UTC, datetime

    current = appoint(make_person(), kenya)
    now = datetime(2027, 11, 1, tzinfo=UTC)
    renewed = services.renew(current, actor=coordinator, now=now)
    assert current.status == AppointmentStatus.ended
    assert current.end_reason == EndReason.term_ended and current.ended_on == date(2027, 12, 31)
    assert renewed.start_date == date(2028, 1, 1) and renewed.end_date == date(2029, 12, 31)
    assert renewed.renewal_of_id == current.id and renewed.status == AppointmentStatus.active
    assert [a.id for a in current.person.appointments] == [renewed.id, current.id]


def test_a_renewal_withdrawn_before_it_begins_leaves_the_current_term_running(make_person, kenya,
                                                                              coordinator):
    """A term renewed early starts in the future; withdrawing it on the day it is found to be
    a mistake is possible, and the term it was to follow goes on to its own end date."""
    from datetime import UTC, datetime

    current = appoint(make_person(), kenya)
    renewed = services.renew(current, actor=coordinator, now=datetime(2027, 11, 1, tzinfo=UTC))
    services.end_appointment(renewed, reason="withdrawn", ended_on=date(2027, 11, 15),
                             note="renewed by mistake", actor=coordinator,
                             now=datetime(2027, 11, 15, tzinfo=UTC))
    assert renewed.status == AppointmentStatus.withdrawn
    assert renewed.end_reason == EndReason.withdrawn
    assert current.status == AppointmentStatus.active
    assert (current.end_date, current.ended_on, current.end_reason) == (date(2027, 12, 31),
                                                                        None, None)
    assert services.active_holders(entity("UNDP"), kenya, "focal_point") == [current]


def test_a_term_not_begun_can_only_be_withdrawn_before_its_start(make_person, kenya,
                                                                 coordinator):
    appointment = appoint(make_person(), kenya)
    with pytest.raises(DomainError) as excinfo:
        services.end_appointment(appointment, reason="left_entity",
                                 ended_on=START - timedelta(days=5), actor=coordinator)
    assert excinfo.value.code == "dates_reversed"
    services.end_appointment(appointment, reason="withdrawn", ended_on=START - timedelta(days=5),
                             actor=coordinator)
    assert appointment.status == AppointmentStatus.withdrawn
    assert appointment.end_date == date(2027, 12, 31)


def test_replace_ends_the_holder_and_appoints_the_new_person(make_person, kenya, coordinator):
    current = appoint(make_person(), kenya)
    newcomer = make_person(given="Jean", family="Dupont")
    successor = services.replace(current, newcomer, {"start_date": date(2026, 9, 1),
                                                     "reason": "rotation"}, actor=coordinator)
    assert current.status == AppointmentStatus.ended
    assert current.end_reason == EndReason.replaced and current.ended_on == date(2026, 8, 31)
    assert successor.person is newcomer and successor.unct is kenya
    assert services.active_holders(entity("UNDP"), kenya, "focal_point") == [successor]


def test_a_replacement_starting_before_the_holders_term_is_refused(make_person, kenya,
                                                                   coordinator):
    """The holder's term would end before it began and the successor's run before it: two
    focal points for one scope at once in the history."""
    current = appoint(make_person(), kenya)
    newcomer = make_person(given="Jean", family="Dupont")
    refused("replacement_before_term", services.replace, current, newcomer,
            {"start_date": START - timedelta(days=214)}, actor=coordinator)
    assert current.status == AppointmentStatus.active and current.ended_on is None
    assert [a.person for a in services.active_holders(entity("UNDP"), kenya,
                                                      "focal_point")] == [current.person]


def test_a_holder_is_not_replaced_by_themselves(make_person, kenya, coordinator):
    """Their own address typed as the new holder's ended their term as "replaced" and
    appointed them again: refused, and renewing said to be the way to extend a term."""
    current = appoint(make_person(), kenya)
    error = refused("same_person", services.replace, current, current.person,
                    {"start_date": date(2026, 9, 1)}, actor=coordinator)
    assert error.field == "email" and current.status == AppointmentStatus.active


def test_a_term_ends_no_later_than_its_end_date(make_person, kenya, coordinator):
    """A last day after the planned end (2099 typed for 2026) was recorded as it was: refused;
    a replacement starting after the holder's term ran out ends it on its own end date."""
    current = appoint(make_person(), kenya, end_date=date(2026, 12, 31))
    error = refused("after_planned_end", services.end_appointment, current,
                    reason=EndReason.left_entity, ended_on=date(2099, 12, 31),
                    actor=coordinator)
    assert error.field == "ended_on" and current.status == AppointmentStatus.active
    services.replace(current, make_person(given="Jean"), {"start_date": date(2027, 2, 1)},
                     actor=coordinator)
    assert (current.status, current.ended_on) == (AppointmentStatus.ended, date(2026, 12, 31))


def test_the_export_holds_the_terms_the_list_shows(make_person, kenya, coordinator):
    """Filtered on "active", the Office's file held the person's ended terms too, which the
    list (and a Resident Coordinator's file) leaves out."""
    person = make_person()
    old = appoint(person, kenya, role="alternate", end_date=date(2026, 6, 30))
    services.end_appointment(old, reason=EndReason.term_ended, ended_on=date(2026, 6, 30),
                             actor=coordinator)
    appoint(person, kenya, start_date=date(2026, 7, 1))
    data, count = exports.registry_file(RegistryFilter(status="active"), "csv",
                                        today=date(2026, 8, 1))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert count == 1 and [row["status"] for row in rows] == ["active"]


def test_no_appointment_starts_after_its_entity_closed(make_person, coordinator):
    undp = entity("UNDP")
    undp.active_to = date(2020, 12, 31)
    error = refused("entity_closed", services.appoint, make_person(), {
        "entity": undp, "unct": None, "role": "focal_point", "start_date": date(2026, 1, 1)},
        actor=coordinator)
    assert error.field == "entity"
    services.appoint(make_person(given="Jean"), {"entity": undp, "unct": None,
                                                 "role": "focal_point",
                                                 "start_date": date(2020, 6, 1)},
                     actor=coordinator)


@pytest.mark.parametrize("name", ["\u200b", "\u200b \u200b\u200b", "\u200f\u00a0"])
def test_a_name_that_shows_nothing_is_no_name(make_person, name):
    """Zero-width spaces or a direction mark passed as a name: a person listed with none."""
    refused("name_required", make_person, given=name)
    assert make_person(given="\u0639\u0644\u064a\u200c").given_name  # a joiner in a name


def test_lapsed_terms_become_ended(make_person, kenya):
    appointment = appoint(make_person(), kenya, end_date=date(2026, 3, 31))
    assert services.lapse_ended_terms(today=date(2026, 3, 31)) == []
    assert services.lapse_ended_terms(today=date(2026, 4, 1)) == [appointment]
    assert appointment.status == AppointmentStatus.ended
    assert appointment.end_reason == EndReason.term_ended


def test_no_gender_restriction(make_person, kenya):
    # The person has no gender field at all: nothing can restrict appointments by it.
    from gfp_portal.registry.models import Person

    assert not any("gender" in column.name or "sex" in column.name
                   for column in Person.__table__.columns)


@pytest.mark.parametrize("grade, time_share, tor, expected", [
    ("P-4", 20, True, []),
    ("P-3", 20, True, ["grade_below_minimum"]),
    ("NO-C", 20, True, []),
    ("NO-B", 20, True, ["grade_below_minimum"]),
    ("G-7", 20, True, ["grade_below_minimum"]),
    (None, 20, True, ["grade_unknown"]),
    ("D-1", 10, False, ["time_share_below_minimum", "no_terms_of_reference"]),
    ("P-5", None, True, ["time_share_unknown"]),
])
def test_compliance_warnings(make_person, kenya, grade, time_share, tor, expected):
    appointment = appoint(make_person(grade=grade), kenya, time_share=time_share,
                          tor_on_file=tor)
    assert Policy.current().warnings(appointment) == expected


def test_compliance_thresholds_are_settings(make_person, kenya, coordinator):
    appointment = appoint(make_person(grade="P-3"), kenya, time_share=15)
    update_settings({"policy.min_grade": "P-3", "policy.min_time_share": 10},
                    actor=coordinator)
    assert Policy.current().warnings(appointment) == []


def test_a_batch_that_records_creations_at_its_end_keeps_every_rule_and_event(kenya,
                                                                             coordinator):
    """In bulk work the new people and appointments get their ids only as the batch ends: a
    new person is still told apart from another new person by the one-role rule, and each
    creation is recorded with its id and its state."""
    from gfp_portal.core.audit import events_in_one_batch

    undp = entity("UNDP")
    assert undp in kenya.members  # loaded now: a query inside would flush the batch early
    data, policy, people = {"grade": "P-4", "entity": undp}, Policy.current(), {}
    with events_in_one_batch(creations_at_end=True):
        first = services.create_person({**data, "given_name": "Amina", "family_name": "Diallo",
                                        "email": "amina@undp.org"}, actor=coordinator,
                                       people_by_email=people)
        second = services.create_person({**data, "given_name": "Lina", "family_name": "Haddad",
                                         "email": "lina@undp.org"}, actor=coordinator,
                                        people_by_email=people)
        holders = []
        holders.append(services.appoint(first, {"entity": undp, "unct": kenya,
                                                "role": "alternate", "start_date": START},
                                        actor=coordinator, current=holders, policy=policy))
        assert first.id is None and holders[0].person_id is None  # nothing flushed yet
        holders.append(services.appoint(second, {"entity": undp, "unct": kenya,
                                                 "role": "alternate", "start_date": START},
                                        actor=coordinator, current=holders, policy=policy))
        with pytest.raises(DomainError) as excinfo:
            services.appoint(first, {"entity": undp, "unct": kenya,
                                     "role": "focal_point", "start_date": START},
                             actor=coordinator, current=holders, policy=policy)
        assert excinfo.value.code == "focal_point_and_alternate"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
        ["person.create", "appointment.create"])).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_id) for e in events] == [
        ("person.create", first.id), ("person.create", second.id),
        ("appointment.create", holders[0].id), ("appointment.create", holders[1].id)]
    assert events[2].changes["person"] == [None, first.id]
    assert events[0].changes["email"] == [None, "amina@undp.org"]


def test_an_entity_holding_terms_in_a_team_stays_its_member(make_person, kenya, coordinator):
    """Taken off the team in one save, its focal point stayed active but could no longer be
    renewed or replaced ("not a member"), and the team's coverage left them out."""
    def members(*entities):
        return {"iso3": "KEN", "name_en": kenya.name_en, "region": kenya.region.value,
                "countries": kenya.country_codes, "members": list(entities)}

    held = appoint(make_person(), kenya)
    error = refused("member_holds_terms", reference.update_unct, kenya,
                    members(entity("UNICEF")), actor=coordinator)
    assert error.field == "members" and str(error.message) == (
        "UNDP still holds 1 active appointment in this team: end it, or replace its holder, "
        "before taking the entity off the team.")
    assert {e.acronym for e in kenya.members} == {"UNDP", "UNICEF"}
    services.end_appointment(held, reason="left_entity", actor=coordinator)
    reference.update_unct(kenya, members(entity("UNICEF")), actor=coordinator)
    assert [e.acronym for e in kenya.members] == ["UNICEF"]


def test_an_entity_closes_once_no_term_runs_past_its_last_day(make_person, kenya,
                                                              coordinator):
    """Closed while its focal point's term ran on, UNDP kept an active term in no coverage
    cell, alerted and counted nowhere: refused until the term ends by then."""
    undp = entity("UNDP")
    held = appoint(make_person(), kenya, end_date=date(2027, 12, 31))

    def closing(day):
        return {"acronym": "UNDP", "name": undp.name, "type": undp.type.value,
                "is_verified": undp.is_verified, "active_to": day}

    error = refused("entity_holds_terms", reference.update_entity, undp,
                    closing(date(2027, 6, 30)), actor=coordinator)
    assert error.field == "active_to" and undp.active_to is None
    reference.update_entity(undp, closing(date(2027, 12, 31)), actor=coordinator)
    assert undp.active_to == date(2027, 12, 31) and held.status == AppointmentStatus.active


def test_an_address_opens_one_persons_account_only(coordinator, create_user, make_person):
    """Amina's address changes in the registry: her account follows it, so the address she
    left (a team mailbox, say) no longer opens her account once given to a newcomer; and no
    person takes an address another person's account signs in with."""
    amina_id = create_user("gfp@undp.org", given_name="Amina")
    lina_id = create_user("other@unicef.org", given_name="Lina")
    amina = db.session.get(User, amina_id).person
    services.update_person(amina, {"email": "amina.diallo@undp.org"}, actor=coordinator)
    assert find_user_by_email("amina.diallo@undp.org").person_id == amina.id
    assert find_user_by_email("gfp@undp.org") is None
    newcomer = services.create_person({"given_name": "Omar", "family_name": "Sy",
                                       "email": "GFP@undp.org"}, actor=coordinator)
    db.session.flush()
    assert find_user_by_email("gfp@undp.org") is None and newcomer.id != amina.id
    db.session.get(User, lina_id).person.email = "lina@unicef.org"  # an account left behind
    db.session.flush()
    refused("email_of_an_account", services.create_person,
            {"given_name": "Ada", "family_name": "Obi", "email": "Other@unicef.org"},
            actor=coordinator)
    refused("email_of_an_account", services.update_person, make_person(),
            {"email": "other@unicef.org"}, actor=coordinator)


@pytest.mark.parametrize("roles, uncts", [
    (["admin"], []), (["coordinator"], []), (["focal_point", "resident_coordinator"], ["KEN"])])
@pytest.mark.parametrize("active", [True, False])
def test_only_an_administrator_moves_the_address_an_account_of_the_office_signs_in_with(
        coordinator, create_user, roles, uncts, active):
    """DESIGN §1: accounts are the administrator's. Had a coordinator's registry edit moved
    the address of an administrator's (a coordinator's, a Resident Coordinator's) account to
    a mailbox of theirs, a password reset there, or the invitation sent again there, would
    hand them the account: the change is refused, person and account keep their address and
    nothing is mailed. An administrator makes it, and the account follows."""
    user = db.session.get(User, create_user("held@undp.org", roles=roles, uncts=uncts,
                                            active=active))
    error = refused("address_of_an_office_account", services.update_person, user.person,
                    {"email": "mine@example.org", "phone": "+41 22 000"}, actor=coordinator)
    assert error.field == "email"
    assert (user.person.email, user.email) == ("held@undp.org", "held@undp.org")
    assert user.person.phone is None and outbox() == []
    admin = db.session.get(User, create_user("admin@example.org", roles=["admin"]))
    services.update_person(user.person, {"email": "new@undp.org"}, actor=admin)
    assert (user.person.email, user.email) == ("new@undp.org", "new@undp.org")


def test_a_coordinators_own_address_is_changed_by_an_administrator(coordinator):
    """The rule holds for one's own account too: a coordinator is no administrator."""
    refused("address_of_an_office_account", services.update_person, coordinator.person,
            {"email": "coordinator@elsewhere.org"}, actor=coordinator)
    assert coordinator.email == "coord@example.org"


def test_a_language_or_time_zone_corrected_in_the_registry_reaches_the_account(coordinator,
                                                                               create_user):
    """The account's pages and mails follow the person's language and time zone: a
    correction in the registry reaches them as the person's own choice on /me reaches the
    registry."""
    user = db.session.get(User, create_user("amina@undp.org", locale="en", time_zone="UTC"))
    services.update_person(user.person, {"preferred_language": "fr",
                                         "time_zone": "Africa/Dakar"}, actor=coordinator)
    assert (user.locale, user.time_zone) == ("fr", "Africa/Dakar")
    services.update_person(user.person, {"given_name": "Aminata"}, actor=coordinator)
    assert (user.locale, user.time_zone) == ("fr", "Africa/Dakar")


def _anonymised(person):
    """`person` as privacy.anonymise leaves them: erased, and no longer in the network."""
    person.given_name, person.family_name = "Anonymised person", str(person.id)
    person.phone, person.anonymised_at = None, NOW
    db.session.flush()
    return person


@pytest.mark.parametrize("change", [
    lambda person, kenya, coordinator: services.update_person(
        person, {"family_name": "Diallo", "phone": "+221 33 800 0001"}, actor=coordinator),
    lambda person, kenya, coordinator: appoint(person, kenya, coordinator=coordinator),
    lambda person, kenya, coordinator: services.record_past_appointment(person, {
        "entity": entity("UNDP"), "unct": kenya, "role": "alternate", "status": "ended",
        "start_date": date(2020, 1, 1), "end_date": date(2021, 12, 31)}, actor=coordinator),
    lambda person, kenya, coordinator: services.replace(
        appoint(services.create_person({"given_name": "Jonas", "family_name": "Test",
                                        "email": "jonas@undp.org"}, actor=coordinator), kenya),
        person, {"start_date": date(2026, 9, 1)}, actor=coordinator),
], ids=["update", "appoint", "past_term", "successor"])
def test_an_anonymised_person_is_neither_changed_nor_appointed(make_person, kenya, coordinator,
                                                               change):
    """They have left the network, and their data were erased at their request or under the
    retention periods: a change would write data back on the erased record, a new term would
    bring them back without their data."""
    person = _anonymised(make_person(phone="+221 33 800 0000"))
    refused("anonymised", change, person, kenya, coordinator)
    assert (person.family_name, person.phone) == (str(person.id), None)
    assert db.session.scalars(select(Appointment).filter_by(person_id=person.id)).all() == []


# "josé" with its "é" composed (NFC) and as an "e" and an accent (NFD): as a keyboard and as a
# text copied from a Mac may give it.
COMPOSED, DECOMPOSED = (unicodedata.normalize(form, "josé.pérez@undp.org")
                        for form in ("NFC", "NFD"))


def test_an_address_with_its_accents_written_either_way_is_one_address(coordinator,
                                                                      make_person):
    assert COMPOSED != DECOMPOSED
    person = make_person(given="José", family="Pérez", email=DECOMPOSED)
    assert person.email == COMPOSED
    refused("email_taken", services.create_person,
            {"given_name": "José", "family_name": "Pérez", "email": COMPOSED},
            actor=coordinator)
    assert services.find_person_by_email(DECOMPOSED) is person
    db.session.flush()
    found = db.session.scalars(people_query(RegistryFilter(q=DECOMPOSED[:6], status="any")))
    assert [p.email for p in found.unique()] == [COMPOSED]
