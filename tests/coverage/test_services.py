"""Coverage rules on a hand-built network whose figures are known."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.coverage.queries import uncts_without_focal_point, without_focal_point_count
from gfp_portal.coverage.reminders import send_gap_reminders
from gfp_portal.coverage.services import CellState, cell_state, compute_coverage
from gfp_portal.extensions import db
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


def test_ended_appointments_do_not_count(network):
    kenya, _ = network
    appointment = services.active_holders(entity("UNICEF"), kenya, "focal_point")[0]
    services.end_appointment(appointment, reason="left_entity", ended_on=TODAY, actor=None)
    coverage = compute_coverage(today=TODAY)
    states = {c.entity.acronym: c.state for c in coverage.cells_of(kenya)}
    assert states["UNICEF"] == CellState.vacant


def test_gap_reminders_once_per_period(network, create_user, app):
    user_id = create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                          locale="fr")
    create_user("rc.jordan@example.org", roles=["resident_coordinator"], uncts=["JOR"])
    now = datetime(2026, 6, 1, 8, tzinfo=UTC)
    assert send_gap_reminders(now=now) == 1  # Jordan has no gap
    assert send_gap_reminders(now=now + timedelta(days=29)) == 0
    assert send_gap_reminders(now=now + timedelta(days=30)) == 1
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [m.recipient for m in messages] == ["rc@example.org"] * 2
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
