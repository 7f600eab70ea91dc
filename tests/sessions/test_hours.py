"""Fair hours: the working day of the audience, the best starts of a day, a second slot, and
the yearly report."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.reference.services import get_or_create_duty_station
from gfp_portal.registry import services as registry
from gfp_portal.sessions import hours
from gfp_portal.sessions.models import TrainingSession
from tests.helpers import login

EVERYONE = ("focal_point", "alternate")
# January: New York is at UTC-5, Nairobi at UTC+3 all year.
DAY = date(2027, 1, 12)


def at(hour, minute=0):
    return datetime(2027, 1, 12, hour, minute, tzinfo=UTC)


def test_the_working_day_runs_from_eight_to_eighteen_local_time():
    nairobi = "Africa/Nairobi"
    assert hours.within_day(at(5), at(6), nairobi)            # 08:00–09:00
    assert hours.within_day(at(14), at(15), nairobi)          # 17:00–18:00, the end included
    assert not hours.within_day(at(4, 30), at(5, 30), nairobi)  # starts 07:30
    assert not hours.within_day(at(14, 30), at(15, 30), nairobi)  # ends 18:30
    assert not hours.within_day(at(20), at(22), "Asia/Tokyo")  # 05:00–07:00 the next day
    assert not hours.within_day(at(23), at(23) + timedelta(hours=10), "UTC")  # past midnight


def test_best_starts_and_the_second_slot_of_a_series():
    zones = {"Africa/Nairobi": 20, "America/New_York": 10}
    best = hours.best_starts(zones, DAY, timedelta(hours=1), "UTC")
    # Nairobi's day is 05:00–15:00 UTC, New York's 13:00–23:00: both from 13:00 to 14:00.
    assert [(when.hour, when.minute, r.reached) for when, r in best] == [
        (13, 0, 30), (13, 30, 30), (14, 0, 30)]
    assert hours.reach(zones, at(6), at(7)) == hours.Reach(20, 30)
    when, left_out = hours.second_slot(zones, at(6), at(7), "UTC")
    assert (when, left_out) == (at(13), hours.Reach(10, 10))
    assert hours.second_slot({"Africa/Nairobi": 5}, at(6), at(7), "UTC") is None


def test_best_starts_are_read_in_the_sessions_time_zone():
    best = hours.best_starts({"Africa/Nairobi": 3}, DAY, timedelta(hours=2), "Africa/Nairobi")
    # the first start of Nairobi's day, given as a UTC moment
    assert best[0][0] == at(5) and best[0][1] == hours.Reach(3, 3)


def test_a_zone_no_longer_known_reads_as_utc():
    # A session or a person may carry a zone the zone database has since dropped: every
    # function of the module reads it as UTC rather than fail.
    best = hours.best_starts({"Africa/Nairobi": 3}, DAY, timedelta(hours=2), "Mars/Olympus")
    assert best == hours.best_starts({"Africa/Nairobi": 3}, DAY, timedelta(hours=2), "UTC")
    assert best[0][0] == at(5)
    assert hours.within_day(at(9), at(10), "Mars/Olympus")


def _every_half_hour(first, last):
    return [first + i * hours.STEP for i in range(int((last - first) / hours.STEP) + 1)]


def test_on_the_night_the_clocks_move_forward_each_start_is_offered_once():
    # New York, 14 March 2027: 02:00 EST is 03:00 EDT, a day of 23 hours. Berlin's working day
    # (07:00–17:00 UTC) begins at New York's 03:00.
    best = hours.best_starts({"Europe/Berlin": 4}, date(2027, 3, 14), timedelta(minutes=30),
                             "America/New_York", count=100)
    assert sorted(when for when, _reach in best) == _every_half_hour(
        datetime(2027, 3, 14, 7, tzinfo=UTC), datetime(2027, 3, 14, 16, 30, tzinfo=UTC))


def test_on_the_night_the_clocks_move_back_both_hours_are_offered():
    # New York, 7 November 2027: 01:00–02:00 comes twice (05:00 and 06:00 UTC), a day of 25
    # hours, to 05:00 UTC on the 8th. Dubai's working day is 04:00–14:00 UTC: New York's
    # 23:00 and 23:30 are in the next one.
    best = hours.best_starts({"Asia/Dubai": 4}, date(2027, 11, 7), timedelta(minutes=30),
                             "America/New_York", count=100)
    assert sorted(when for when, _reach in best) == _every_half_hour(
        datetime(2027, 11, 7, 4, tzinfo=UTC), datetime(2027, 11, 7, 13, 30, tzinfo=UTC)) + [
        datetime(2027, 11, 8, 4, tzinfo=UTC), datetime(2027, 11, 8, 4, 30, tzinfo=UTC)]


def test_the_audience_is_counted_by_duty_station_zone_else_own(make_appointee, coordinator):
    nairobi = get_or_create_duty_station("Nairobi", "KEN", "Africa/Nairobi")
    at_station = make_appointee(zone="Europe/Paris")
    at_station.duty_station = nairobi
    make_appointee(zone="America/New_York")
    make_appointee(role="focal_point", zone="America/New_York")
    kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    in_kenya = make_appointee(zone="Africa/Nairobi")
    kenya.members.append(in_kenya.entity)
    registry.appoint(in_kenya, {"role": "focal_point", "entity": in_kenya.entity,
                                "unct": kenya}, actor=coordinator)
    db.session.flush()
    assert hours.audience_zones(EVERYONE) == {"Africa/Nairobi": 2, "America/New_York": 2}
    assert hours.audience_zones(("alternate",)) == {"Africa/Nairobi": 2,
                                                    "America/New_York": 1}
    assert hours.audience_zones(EVERYONE, region="africa") == {"Africa/Nairobi": 1}


def test_the_yearly_report_counts_who_was_offered_a_reasonable_hour(
        make_appointee, make_session):
    make_appointee(zone="Africa/Nairobi")
    make_appointee(zone="America/New_York")
    # 2027: one session at 06:00 UTC (09:00 in Nairobi, 01:00 in New York)
    session = make_session()
    session.starts_at, session.ends_at = at(6), at(7)
    db.session.flush()
    year, = hours.offered_by_year()
    assert (year.year, year.sessions) == (2027, 1)
    assert year.network == hours.Reach(1, 2)
    assert year.by_region == {hours.HEADQUARTERS: hours.Reach(1, 2)}


def test_the_yearly_report_counts_a_session_in_the_year_it_is_held_where_it_is_held(
        make_appointee, make_session):
    """09:00 on 1 January 2028 in Suva is 21:00 on 31 December 2027 in UTC: the session is of
    2028, as its certificate and the dashboard date it."""
    make_appointee(zone="Pacific/Fiji")
    make_session(starts_at=datetime(2027, 12, 31, 21, 0, tzinfo=UTC),
                 ends_at=datetime(2027, 12, 31, 23, 0, tzinfo=UTC), time_zone="Pacific/Fiji")
    year, = hours.offered_by_year()
    assert (year.year, year.sessions, year.network) == (2028, 1, hours.Reach(1, 1))


def _form(session_id=None, **changes):
    data = {"title_en": "Parity dashboard clinic", "topic": "parity_dashboard",
            "format": "virtual", "time_zone": "UTC", "starts_at": "2027-01-12T06:00",
            "ends_at": "2027-01-12T07:00", "languages": ["en"], "capacity": "30",
            "audience": "both", "series": "0", "hours_region": ""}
    data.update(changes)
    return data


def _audience(app):
    """Three alternates of UNDP: one in Nairobi (by duty station), two in New York."""
    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        nairobi = get_or_create_duty_station("Nairobi", "KEN", "Africa/Nairobi")
        for n, zone in enumerate(("Europe/Paris", "America/New_York", "America/New_York")):
            person = registry.create_person({"given_name": "Ama", "family_name": f"P{n}",
                                             "email": f"p{n}@example.org", "time_zone": zone,
                                             "entity": undp}, actor=None)
            if n == 0:
                person.duty_station = nairobi
            registry.appoint(person, {"role": "alternate", "entity": undp, "unct": None},
                             actor=None)
        db.session.commit()


def test_checking_the_hours_shows_them_and_saves_nothing(app, client, reference,
                                                        create_user):
    create_user("coord@example.org", roles=["coordinator"])
    _audience(app)
    login(client, "coord@example.org")
    # Only the time is filled in: checking asks for nothing else.
    response = client.post("/sessions/new", data=_form(
        title_en="", check_hours="Check the hours"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Please correct" not in html and 'value="2027-01-12T06:00"' in html
    assert 'data-hours-share="0.333"' in html  # 09:00 in Nairobi, 01:00 in New York
    best = re.search(r"data-hours-best>(.*?)</ul>", html, re.S).group(1)
    assert re.findall(r"<bdi>([^<]+)</bdi>", best) == [
        "1:00\u202fPM", "1:30\u202fPM", "2:00\u202fPM"]
    assert "a second session at 1:00\u202fPM would be within the working day of 2 of the " \
           "2 people this time leaves out" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(TrainingSession.id))) == 0


def test_the_hours_can_be_checked_for_one_region(app, client, reference, create_user):
    create_user("coord@example.org", roles=["coordinator"])
    _audience(app)
    login(client, "coord@example.org")
    html = client.post("/sessions/new", data=_form(
        hours_region="africa", check_hours="Check the hours")).get_data(as_text=True)
    assert "Nobody holds an appointment in this audience yet." in html  # all at headquarters


@pytest.mark.parametrize("blank", [" ", "\t", "\u00a0"])
def test_a_region_of_blanks_checks_the_whole_audience(app, client, reference, create_user,
                                                      blank):
    """Taken as a region no list offers, it stopped the check with a server error."""
    create_user("coord@example.org", roles=["coordinator"])
    _audience(app)
    login(client, "coord@example.org")
    response = client.post("/sessions/new", data=_form(hours_region=blank,
                                                      check_hours="Check the hours"))
    assert response.status_code == 200
    assert 'data-hours-share="0.333"' in response.get_data(as_text=True)


def test_a_bad_time_is_refused_when_checking(app, client, reference, create_user):
    create_user("coord@example.org", roles=["coordinator"])
    login(client, "coord@example.org")
    for bad in ({"starts_at": "soon"}, {"time_zone": "Mars/Olympus"},
                {"ends_at": "2027-01-12T05:00"}, {"hours_region": "atlantis"}):
        response = client.post("/sessions/new",
                               data=_form(check_hours="Check the hours", **bad))
        assert response.status_code == 200
        assert "data-hours-share" not in response.get_data(as_text=True), bad
    html = client.post("/sessions/new", data=_form(check_hours="Check the hours",
                                                   ends_at="2027-01-12T05:00")).get_data(
        as_text=True)
    assert "The session must end after it starts." in html


def test_saving_still_saves(app, client, reference, create_user):
    create_user("coord@example.org", roles=["coordinator"])
    login(client, "coord@example.org")
    assert client.post("/sessions/new", data=_form()).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(TrainingSession.id))) == 1


def test_the_edit_page_shows_the_hours_of_the_sessions_time(app, client, reference,
                                                           create_user):
    create_user("coord@example.org", roles=["coordinator"])
    _audience(app)
    login(client, "coord@example.org")
    client.post("/sessions/new", data=_form(starts_at="2027-01-12T13:00",
                                                   ends_at="2027-01-12T14:00"))
    with app.app_context():
        session_id = db.session.scalar(select(TrainingSession.id))
    html = client.get(f"/sessions/{session_id}/edit").get_data(as_text=True)
    assert 'data-hours-share="1.000"' in html
    assert "This time suits everyone the session is for." in html


def test_the_report_page_is_for_the_office(app, client, reference, create_user):
    create_user("coord@example.org", roles=["coordinator"])
    create_user("fp@example.org", roles=["focal_point"])
    _audience(app)
    login(client, "coord@example.org")
    client.post("/sessions/new", data=_form())
    with app.app_context():
        session = db.session.scalars(select(TrainingSession)).one()
        session.status = "published"
        db.session.commit()
    html = client.get("/sessions/fair-hours").get_data(as_text=True)
    assert 'data-year="2027"' in html and 'data-share="0.333"' in html
    assert "1 of 3" in html
    client.post("/logout")
    login(client, "fp@example.org")
    assert client.get("/sessions/fair-hours").status_code == 403


def test_the_share_matches_a_hand_computation_across_odd_offsets_and_a_dst_change(
        make_appointee):
    """Fourteen people: 3 in Kathmandu (UTC+5:45), 5 in New York (summer time from 02:00 on
    14 March 2027), 2 in London (winter time until 28 March) and 4 in Tokyo (UTC+9)."""
    for zone, count in (("Asia/Kathmandu", 3), ("America/New_York", 5),
                        ("Europe/London", 2), ("Asia/Tokyo", 4)):
        for _n in range(count):
            make_appointee(zone=zone)
    db.session.flush()

    def share(day, hour, minute=0):
        starts = datetime(2027, 3, day, hour, minute, tzinfo=UTC)
        return hours.check(starts, starts + timedelta(hours=1), "UTC", EVERYONE).reach

    # 12:00 UTC on 14 March: Kathmandu 17:45-18:45 (no), New York 08:00-09:00 EDT (yes),
    # London 12:00-13:00 (yes), Tokyo 21:00-22:00 (no): 5 + 2 of 14.
    assert share(14, 12) == hours.Reach(7, 14)
    # The day before, New York is still on winter time: 07:00-08:00 EST, before its day.
    assert share(13, 12) == hours.Reach(2, 14)
    # 03:00 UTC: Kathmandu 08:45-09:45 (yes), Tokyo 12:00-13:00 (yes), the others at night.
    assert share(14, 3) == hours.Reach(7, 14)
    # 12:15 UTC: Kathmandu 18:00-19:00 (no); the rest as at 12:00.
    assert share(14, 12, 15) == hours.Reach(7, 14)
    # 02:15 UTC: Kathmandu 08:00-09:00 (yes, from the first minute of its day), Tokyo 11:15.
    assert share(14, 2, 15) == hours.Reach(7, 14)
    assert share(14, 2, 14) == hours.Reach(4, 14)  # Kathmandu 07:59: too early
