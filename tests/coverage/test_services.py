"""Coverage rules on a hand-built network whose figures are known."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.accounts.services import deactivate_user, update_roles
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.coverage.queries import (
    entities_with_a_gap,
    gaps_of_entities,
    member_cells,
    people_in_gaps,
    uncts_without_focal_point,
    without_focal_point_count,
)
from gfp_portal.coverage.reminders import send_gap_reminders
from gfp_portal.coverage.services import CellState, cell_state, compute_coverage, holders_of
from gfp_portal.extensions import db
from gfp_portal.main.dashboard import Dashboard
from gfp_portal.reference.models import Region, Unct
from gfp_portal.registry import services
from tests.helpers import entity, unct

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize("fps, alts, state", [
    (1, 1, CellState.covered), (1, 2, CellState.covered), (1, 0, CellState.no_alternate),
    (0, 1, CellState.no_focal_point), (0, 0, CellState.vacant)])
def test_cell_state(fps, alts, state):
    assert cell_state(fps, alts) == state


@pytest.fixture
def network(ctx, reference):
    """Kenya: UNDP covered, UNICEF no alternate, WFP alternate only, WHO vacant.
    Jordan: UNDP covered (its focal point's term ends in 20 days). Everything else: no members."""
    for team in db.session.scalars(select(Unct)):
        team.members = []
    kenya, jordan = unct("KEN"), unct("JOR")
    kenya.members = [entity(a) for a in ("UNDP", "UNICEF", "WFP", "WHO")]
    jordan.members = [entity("UNDP")]
    db.session.flush()
    counter = iter(range(1000))

    def hold(team, acronym, role, end=None):
        n = next(counter)
        person = services.create_person({"given_name": "P", "family_name": str(n),
                                         "email": f"p{n}@example.org"}, actor=None)
        services.appoint(person, {"entity": entity(acronym), "unct": team, "role": role,
                                  "start_date": date(2026, 1, 1),
                                  "end_date": end or date(2027, 12, 31)}, actor=None)
    hold(kenya, "UNDP", "focal_point")
    hold(kenya, "UNDP", "alternate")
    hold(kenya, "UNICEF", "focal_point")
    hold(kenya, "WFP", "alternate")
    hold(jordan, "UNDP", "focal_point", end=TODAY + timedelta(days=20))
    hold(jordan, "UNDP", "alternate")
    hold(None, "UNDP", "focal_point")  # headquarters
    db.session.commit()
    return kenya, jordan


def test_cell_states_and_expiring_flag(network):
    kenya, jordan = network
    coverage = compute_coverage(today=TODAY)
    states = {c.entity.acronym: c.state for c in coverage.cells_of(kenya)}
    assert states == {"UNDP": CellState.covered, "UNICEF": CellState.no_alternate,
                      "WFP": CellState.no_focal_point, "WHO": CellState.vacant}
    [jordan_undp] = coverage.cells_of(jordan)
    assert jordan_undp.state == CellState.covered and jordan_undp.expiring
    assert not any(c.expiring for c in coverage.cells_of(kenya))
    # 91 days before the end is outside the 90-day window.
    later = compute_coverage(today=TODAY - timedelta(days=71))
    assert not later.cells_of(jordan)[0].expiring


def test_a_term_past_its_end_hides_no_other_term_ending_soon(network):
    """Jordan's focal point's term ended yesterday and the daily run has not ended it yet; a
    second alternate's term ends in 19 days: the cell is still flagged."""
    kenya, jordan = network
    person = services.create_person({"given_name": "Rania", "family_name": "Haddad",
                                     "email": "r.haddad@undp.org"}, actor=None)
    services.appoint(person, {"entity": entity("UNDP"), "unct": jordan, "role": "alternate",
                              "start_date": date(2026, 1, 1),
                              "end_date": TODAY + timedelta(days=40)}, actor=None)
    db.session.commit()
    [cell] = compute_coverage(today=TODAY + timedelta(days=21)).cells_of(jordan)
    assert cell.expiring and cell.soonest_end == TODAY + timedelta(days=40)


def test_summaries_per_unct_region_and_network(network):
    kenya, jordan = network
    coverage = compute_coverage(today=TODAY)
    assert coverage.by_unct[kenya.id].covered_share == 0.25
    assert coverage.by_unct[jordan.id].covered_share == 1
    assert coverage.by_region[Region.africa].counts[CellState.vacant] == 1
    assert coverage.network.total == 5 and coverage.network.covered_share == 0.4
    assert coverage.network.expiring == 1
    assert [c.state for c in coverage.gaps()] == [CellState.vacant, CellState.no_focal_point,
                                                  CellState.no_alternate]


def test_headquarters_scope(network):
    coverage = compute_coverage(today=TODAY)
    hq = coverage.headquarters_by_entity
    assert hq[entity("UNDP").id].state == CellState.no_alternate
    assert hq[entity("WHO").id].state == CellState.vacant
    assert len(coverage.headquarters) == 127


def test_an_ended_appointment_counts_up_to_its_last_day(network):
    kenya, _ = network
    appointment = services.active_holders(entity("UNICEF"), kenya, "focal_point")[0]
    services.end_appointment(appointment, reason="left_entity", ended_on=TODAY, actor=None)
    for day, state in ((TODAY, CellState.no_alternate), (TODAY + timedelta(days=1),
                                                         CellState.vacant)):
        coverage = compute_coverage(today=day)
        assert {c.entity.acronym: c.state for c in coverage.cells_of(kenya)}["UNICEF"] == state


def _appoint(team, acronym, role, *, start, end=date(2028, 6, 30), name="New"):
    person = services.create_person({"given_name": "N", "family_name": name,
                                     "email": f"{name.lower()}@example.org"}, actor=None)
    return services.appoint(person, {"entity": entity(acronym), "unct": team, "role": role,
                                     "start_date": start, "end_date": end}, actor=None)


def _states(team, day):
    return {c.entity.acronym: c.state for c in compute_coverage(today=day).cells_of(team)}


def test_a_term_that_starts_later_does_not_cover_the_cell_yet(network, create_user):
    """Kenya's WHO is vacant: a focal point and an alternate appointed from next month do not
    hold the role today. The cell, the team's count of teams without a focal point, the
    gaps of entities and the Resident Coordinator's reminder all still see the gap."""
    kenya, _ = network
    uganda = unct("UGA")
    uganda.members = [entity("WHO")]
    start = TODAY + timedelta(days=15)  # Jordan's focal point still holds the role then
    _appoint(kenya, "WHO", "focal_point", start=start, name="Fp")
    _appoint(kenya, "WHO", "alternate", start=start, name="Alt")
    _appoint(uganda, "WHO", "focal_point", start=start, name="Uganda")
    db.session.commit()
    assert _states(kenya, TODAY)["WHO"] == CellState.vacant
    assert _states(kenya, start - timedelta(days=1))["WHO"] == CellState.vacant
    assert _states(kenya, start)["WHO"] == CellState.covered
    assert uncts_without_focal_point(None, today=TODAY) == [uganda.id]
    assert uncts_without_focal_point(None, today=start) == []
    assert db.session.scalar(without_focal_point_count(TODAY)) == 1
    assert gaps_of_entities({entity("WHO").id}, today=TODAY) == {entity("WHO").id: 2}
    assert entities_with_a_gap({entity("WHO").id}, today=start) == {entity("WHO").id}
    assert gaps_of_entities({entity("WHO").id}, today=start) == {entity("WHO").id: 1}
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    send_gap_reminders(now=datetime(2026, 6, 1, 8, tzinfo=UTC))
    [reminder] = db.session.scalars(select(OutboxMessage)).all()
    assert "WHO" in reminder.body_text


def test_the_dashboard_and_the_coverage_pages_count_the_same_cells_with_a_focal_point(network):
    """Both count the cells held by a focal point today, from the first day of its term: one
    appointed from next month counts in neither."""
    kenya, _ = network
    _appoint(kenya, "WHO", "focal_point", start=TODAY + timedelta(days=30))
    db.session.commit()
    coverage = compute_coverage(today=TODAY)
    held = coverage.network.counts[CellState.covered] + \
        coverage.network.counts[CellState.no_alternate]
    figure = Dashboard(today=TODAY, now=datetime(2026, 6, 1, 12, tzinfo=UTC)).figure("coverage")
    assert (held, coverage.network.total) == (3, 5)
    assert figure.columns[-1].values[-1] == held / coverage.network.total


def test_a_term_past_its_end_date_no_longer_covers_the_cell(network):
    """Kenya's UNICEF focal point's term ended yesterday; the daily run has not marked it
    ended yet (for a viewer east of UTC, most of their day): today the cell has no focal
    point."""
    kenya, _ = network
    uganda = unct("UGA")
    uganda.members = [entity("WHO")]
    [unicef] = services.active_holders(entity("UNICEF"), kenya, "focal_point")
    unicef.end_date = TODAY - timedelta(days=1)
    _appoint(uganda, "WHO", "focal_point", start=date(2025, 1, 1), end=TODAY - timedelta(days=1))
    db.session.commit()
    assert _states(kenya, TODAY - timedelta(days=1))["UNICEF"] == CellState.no_alternate
    assert _states(kenya, TODAY)["UNICEF"] == CellState.vacant
    assert uncts_without_focal_point(None, today=TODAY) == [uganda.id]


def test_a_renewal_or_a_replacement_entered_ahead_leaves_no_day_uncovered(network):
    """The current term, ended ahead up to its last day, holds the cell until then; the next
    one from the following day. The renewed term no longer flags the cell as ending soon,
    and the cell's holders are the one holding it and the one to come."""
    kenya, jordan = network
    now = datetime(2026, 6, 1, 8, tzinfo=UTC)
    [undp] = services.active_holders(entity("UNDP"), jordan, "focal_point")  # ends in 20 days
    renewal = services.renew(undp, actor=None, now=now)
    [unicef] = services.active_holders(entity("UNICEF"), kenya, "focal_point")
    successor = services.create_person({"given_name": "S", "family_name": "Successor",
                                        "email": "successor@example.org"}, actor=None)
    replacement = services.replace(unicef, successor,
                                   {"start_date": TODAY + timedelta(days=10)}, actor=None,
                                   now=now)
    db.session.commit()
    assert undp.status.value == "ended" and renewal.start_date == TODAY + timedelta(days=21)
    for day in (TODAY, TODAY + timedelta(days=9), TODAY + timedelta(days=10),
                TODAY + timedelta(days=20), TODAY + timedelta(days=21)):
        coverage = compute_coverage(today=day)
        [jordan_undp] = coverage.cells_of(jordan)
        assert jordan_undp.state == CellState.covered, day
        assert not jordan_undp.expiring, day
        states = {c.entity.acronym: c.state for c in coverage.cells_of(kenya)}
        assert states["UNICEF"] == CellState.no_alternate, day
        assert uncts_without_focal_point(None, today=day) == [], day
    coverage = compute_coverage(today=TODAY)
    holders = holders_of(coverage)
    assert [a.id for a in holders[(jordan.id, entity("UNDP").id)]
            if a.role.value == "focal_point"] == [undp.id, renewal.id]
    assert [a.id for a in holders[(kenya.id, entity("UNICEF").id)]] == [unicef.id,
                                                                       replacement.id]


def test_a_term_ended_ahead_with_nobody_to_follow_it_flags_its_cell(network):
    """Kenya's UNDP focal point leaves at the end of the month, entered today: the cell keeps
    its focal point until then, and reads as ending soon (the alternate still holds on)."""
    kenya, _ = network
    [undp] = services.active_holders(entity("UNDP"), kenya, "focal_point")
    services.end_appointment(undp, reason="left_entity", ended_on=TODAY + timedelta(days=29),
                             actor=None, now=datetime(2026, 6, 1, 8, tzinfo=UTC))
    db.session.commit()
    [cell] = [c for c in compute_coverage(today=TODAY).cells_of(kenya)
              if c.entity.acronym == "UNDP"]
    assert cell.state == CellState.covered and cell.expiring
    assert cell.soonest_end == TODAY + timedelta(days=29)
    assert _states(kenya, TODAY + timedelta(days=30))["UNDP"] == CellState.no_focal_point


def test_the_waiting_list_puts_first_who_serves_a_scope_lacking_a_holder_today(network):
    """A scope whose only focal point starts next month lacks one today: its alternate is
    put first under the coverage-gap policy."""
    kenya, _ = network
    alternate = _appoint(kenya, "WHO", "alternate", start=date(2026, 1, 1), name="Alt")
    _appoint(kenya, "WHO", "focal_point", start=TODAY + timedelta(days=30), name="Later")
    db.session.commit()
    assert people_in_gaps([alternate.person_id], today=TODAY) == {alternate.person_id}
    assert people_in_gaps([alternate.person_id], today=TODAY + timedelta(days=30)) == set()


def test_gap_reminders_once_per_period(network, create_user, app):
    user_id = create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                          locale="fr")
    create_user("rc.jordan@example.org", roles=["resident_coordinator"], uncts=["JOR"])
    now = datetime(2026, 6, 1, 8, tzinfo=UTC)
    assert send_gap_reminders(now=now) == 1  # Jordan has no gap
    assert send_gap_reminders(now=now + timedelta(days=20)) == 0
    # Jordan's focal point's term ended on day 20: a gap, reminded at once.
    assert send_gap_reminders(now=now + timedelta(days=21)) == 1
    assert send_gap_reminders(now=now + timedelta(days=29)) == 0
    assert send_gap_reminders(now=now + timedelta(days=30)) == 1
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in messages] == ["rc@example.org", "rc.jordan@example.org",
                                               "rc@example.org"]
    assert messages[0].locale == "fr" and "WHO" in messages[0].body_text
    assert "/coverage/KEN" in messages[0].body_text
    assert db.session.get(User, user_id).uncts[0].iso3 == "KEN"


def test_a_daily_run_a_few_seconds_earlier_on_the_due_day_still_reminds(network, create_user,
                                                                         app):
    """The period is counted in days: the daily job runs at whatever second the worker picks
    it up, and a run 30 days later but two seconds earlier in the minute is on the due day."""
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    first = datetime(2026, 6, 1, 5, 15, 3, tzinfo=UTC)
    assert send_gap_reminders(now=first) == 1
    assert send_gap_reminders(now=datetime(2026, 6, 30, 23, 59, tzinfo=UTC)) == 0
    assert send_gap_reminders(now=datetime(2026, 7, 1, 5, 15, 1, tzinfo=UTC)) == 1


def test_a_french_reminder_lists_the_gaps_with_french_punctuation(network, create_user, app):
    """French puts a no-break space before a colon, in both parts of the email."""
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"], locale="fr")
    send_gap_reminders(now=datetime(2026, 6, 1, 8, tzinfo=UTC))
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert "- WHO\u00a0: Vacant" in message.body_text
    assert "<li>WHO\u00a0: Vacant</li>" in message.body_html


def test_a_reminder_lists_the_teams_in_the_order_of_the_recipients_language(ctx, reference,
                                                                          create_user):
    """The daily job runs in no language: a French Resident Coordinator of Angola and South
    Africa still reads "Afrique du Sud" before "Angola", not the English order."""
    for team in db.session.scalars(select(Unct)):
        team.members = []
    for iso3 in ("AGO", "ZAF"):
        unct(iso3).members = [entity("UNDP")]
    db.session.commit()
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["AGO", "ZAF"],
                locale="fr")
    create_user("rc.es@example.org", roles=["resident_coordinator"], uncts=["AGO", "ZAF"],
                locale="es")
    assert send_gap_reminders(now=datetime(2026, 6, 1, 8, tzinfo=UTC)) == 2
    french, spanish = (db.session.scalars(select(OutboxMessage.body_text).where(
        OutboxMessage.recipient == address)).one()
        for address in ("rc@example.org", "rc.es@example.org"))
    assert french.index("Afrique du Sud") < french.index("Angola"), french
    assert spanish.index("Angola") < spanish.index("Sudáfrica"), spanish


def test_a_handover_reminds_each_resident_coordinator_of_the_team_once_and_the_one_who_left_no_more(
        network, create_user, app):
    """While a team has two Resident Coordinator accounts (the one leaving and the one taking
    over), each person gets one email naming the team once, then none within the period; the
    one whose term ended (account deactivated, or the team or the role taken away) gets
    none, though their account may still name the team."""
    office = create_user("coord@example.org", roles=["coordinator"])
    leaving = [create_user(f"old{n}.rc.kenya@example.org", roles=["resident_coordinator"],
                           uncts=["KEN"]) for n in range(3)]
    now = datetime(2026, 6, 1, 8, tzinfo=UTC)
    assert send_gap_reminders(now=now) == 3
    db.session.commit()
    create_user("new.rc.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    assert send_gap_reminders(now=now + timedelta(days=1)) == 1  # the new one, not yet told
    office, old = db.session.get(User, office), [db.session.get(User, i) for i in leaving]
    deactivate_user(old[0], actor=office, now=now + timedelta(days=2))
    update_roles(old[1], roles=["resident_coordinator"], uncts=[unct("UGA")], actor=office,
                 now=now + timedelta(days=2))
    update_roles(old[2], roles=["focal_point"], uncts=[], actor=office,
                 now=now + timedelta(days=2))
    db.session.commit()
    assert [u.iso3 for u in db.session.get(User, leaving[0]).uncts] == ["KEN"]
    assert send_gap_reminders(now=now + timedelta(days=29)) == 0
    assert send_gap_reminders(now=now + timedelta(days=31)) == 1
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in messages] == [
        *(f"old{n}.rc.kenya@example.org" for n in range(3)), "new.rc.kenya@example.org",
        "new.rc.kenya@example.org"]
    assert all(m.body_text.count("/coverage/KEN") == 1 for m in messages)


def test_remind_command(network, create_user, runner, app, monkeypatch):
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    refused = runner.invoke(args=["coverage", "remind"])
    assert refused.exit_code != 0 and "SERVER_NAME" in refused.output
    monkeypatch.setitem(app.config, "SERVER_NAME", "portal.test")
    result = runner.invoke(args=["coverage", "remind"])
    assert result.exit_code == 0 and "Queued 1 gap reminders." in result.output


def test_one_country_teams_coverage_counts_only_its_own_terms(network, monkeypatch):
    """/coverage/KEN reads Kenya's appointments, not the whole network's."""
    from gfp_portal.coverage import services as coverage_services

    kenya, jordan = network
    read = []
    original = coverage_services._holder_counts

    def recording(*args, **kwargs):
        counts = original(*args, **kwargs)
        read.extend(counts)
        return counts

    monkeypatch.setattr(coverage_services, "_holder_counts", recording)
    coverage = compute_coverage(today=TODAY, unct_ids=[kenya.id])
    assert {c.entity.acronym: c.state for c in coverage.cells_of(kenya)}["UNDP"] \
        == CellState.covered
    assert read and {unct_id for unct_id, _ in read} == {kenya.id}


def _focal_point_of_who_in(team):
    person = services.create_person({"given_name": "P", "family_name": team.iso3,
                                     "email": f"p.{team.iso3.lower()}@example.org"}, actor=None)
    services.appoint(person, {"entity": entity("WHO"), "unct": team, "role": "focal_point",
                              "start_date": date(2026, 1, 1), "end_date": date(2027, 12, 31)},
                     actor=None)


def test_a_team_whose_only_focal_point_serves_an_entity_that_left_it_has_no_focal_point(
        network):
    kenya, jordan = network
    uganda = unct("UGA")
    uganda.members = [entity("WFP"), entity("WHO")]
    db.session.flush()
    _focal_point_of_who_in(uganda)
    assert uncts_without_focal_point(None, today=TODAY) == []
    uganda.members = [entity("WFP")]  # WHO leaves the team; it is still Kenya's member
    db.session.flush()
    assert uncts_without_focal_point(None, today=TODAY) == [uganda.id]
    assert uncts_without_focal_point([kenya.id, jordan.id], today=TODAY) == []


def test_a_team_whose_only_focal_point_serves_a_closed_entity_has_no_focal_point(network):
    """As the coverage pages show it: a closed entity, still on the team's member list, is in
    no cell; its focal point covers none, and a team of closed entities only has no cell at
    all to lack a focal point."""
    uganda, tanzania = unct("UGA"), unct("TZA")
    uganda.members = [entity("WFP"), entity("WHO")]
    tanzania.members = [entity("WHO")]
    db.session.flush()
    _focal_point_of_who_in(uganda)
    entity("WHO").active_to = TODAY - timedelta(days=1)
    db.session.flush()
    assert uncts_without_focal_point(None, today=TODAY) == [uganda.id]
    assert db.session.scalar(without_focal_point_count(TODAY)) == 1
    coverage = compute_coverage(today=TODAY, unct_ids=[uganda.id, tanzania.id])
    assert [c.entity.acronym for c in coverage.cells_of(uganda)] == ["WFP"]
    assert coverage.cells_of(tanzania) == []
    assert uncts_without_focal_point(None, today=TODAY - timedelta(days=1)) == [tanzania.id]


def test_a_closed_entity_counts_in_no_team_as_at_headquarters(network, create_user):
    """WHO closed (its active-until date has passed) is no longer counted anywhere: its Kenya
    cell, still on the team's member list, is no vacant gap (nor in the Resident Coordinator's
    reminder), as its headquarters cell is none."""
    kenya, _ = network
    entity("WHO").active_to = date(2020, 12, 31)
    db.session.commit()
    coverage = compute_coverage(today=TODAY)
    assert entity("WHO").id not in coverage.headquarters_by_entity
    assert [c.entity.acronym for c in coverage.cells_of(kenya)] == ["UNDP", "UNICEF", "WFP"]
    assert coverage.network.total == 4 and coverage.network.counts[CellState.vacant] == 0
    assert [c.entity.acronym for c in coverage.gaps()] == ["WFP", "UNICEF"]
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    assert send_gap_reminders(now=datetime(2026, 6, 1, 8, tzinfo=UTC)) == 1
    [reminder] = db.session.scalars(select(OutboxMessage)).all()
    assert "UNICEF" in reminder.body_text and "WHO" not in reminder.body_text


def test_an_entity_not_active_yet_is_in_no_cell(network, create_user):
    """WHO, active only from next month (a new entity on the team's list ahead), is no gap
    yet: in no team's cells nor at headquarters, nor in the reminder, nor in the count of
    teams without a focal point."""
    kenya, _ = network
    uganda = unct("UGA")
    uganda.members = [entity("WHO")]
    entity("WHO").active_from = TODAY + timedelta(days=30)
    db.session.commit()
    coverage = compute_coverage(today=TODAY)
    assert [c.entity.acronym for c in coverage.cells_of(kenya)] == ["UNDP", "UNICEF", "WFP"]
    assert entity("WHO").id not in coverage.headquarters_by_entity
    assert coverage.network.total == 4
    assert uncts_without_focal_point(None, today=TODAY) == []
    assert {row.entity_id for row in member_cells(TODAY)} == {entity("UNDP").id,
                                                               entity("UNICEF").id,
                                                               entity("WFP").id}
    later = compute_coverage(today=TODAY + timedelta(days=30))
    assert "WHO" in [c.entity.acronym for c in later.cells_of(kenya)]
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    send_gap_reminders(now=datetime(2026, 6, 1, 8, tzinfo=UTC))
    [reminder] = db.session.scalars(select(OutboxMessage)).all()
    assert "UNICEF" in reminder.body_text and "WHO" not in reminder.body_text
