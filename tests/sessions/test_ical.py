"""iCalendar: golden files for every method, parsed back; time zones across DST and at +5:45."""
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from icalendar import Calendar

from gfp_portal.sessions import ical, notices
from gfp_portal.sessions.models import TrainingSession
from tests.sessions.libical import libical_errors

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
ORGANIZER = ical.Party("focalpointforwomen@unwomen.example", "Office of the Focal Point for Women")
ATTENDEE = ical.Party("amina.diallo@undp.example", "Amina Diallo")
TEXTS = ical.Texts(
    summary="Enabling environment: the guidelines in practice — a long title that needs folding "
            "across lines",
    description="Join online: https://meet.example.org/gfp-ee\n\nBring your questions.",
    location="https://meet.example.org/gfp-ee", url="https://meet.example.org/gfp-ee")


def fake_session(starts, ends, zone, sequence=0, status="published", session_id=42):
    return SimpleNamespace(id=session_id, ical_sequence=sequence, starts_at=starts,
                           ends_at=ends, time_zone=zone, zone=ZoneInfo(zone),
                           join_url="https://meet.example.org/gfp-ee", status=status,
                           is_cancelled=status == "cancelled")


# New York changes to summer time on 14 March 2027: 10:00 local is 15:00 UTC before, 14:00
# UTC after. Kathmandu is UTC+5:45 all year.
NEW_YORK_AFTER_DST = fake_session(datetime(2027, 3, 15, 14, 0, tzinfo=UTC),
                                  datetime(2027, 3, 15, 15, 30, tzinfo=UTC), "America/New_York")
NEW_YORK_BEFORE_DST = fake_session(datetime(2027, 3, 12, 15, 0, tzinfo=UTC),
                                   datetime(2027, 3, 12, 16, 30, tzinfo=UTC), "America/New_York",
                                   session_id=43)
KATHMANDU = fake_session(datetime(2027, 4, 6, 4, 15, tzinfo=UTC),
                         datetime(2027, 4, 6, 6, 15, tzinfo=UTC), "Asia/Kathmandu",
                         session_id=44)


def build(name):
    session = NEW_YORK_AFTER_DST
    if name == "request":
        return ical.invitation(session, TEXTS, method="REQUEST", recipient=ATTENDEE,
                               host="portal.test", organizer=ORGANIZER, now=NOW)
    if name == "update":
        updated = fake_session(session.starts_at, session.ends_at, session.time_zone, sequence=1)
        return ical.invitation(updated, TEXTS, method="REQUEST", recipient=ATTENDEE,
                               host="portal.test", organizer=ORGANIZER, now=NOW)
    if name == "cancel-session":
        cancelled = fake_session(session.starts_at, session.ends_at, session.time_zone,
                                 sequence=2, status="cancelled")
        return ical.invitation(cancelled, TEXTS, method="CANCEL", recipient=ATTENDEE,
                               host="portal.test", organizer=ORGANIZER, now=NOW)
    if name == "cancel-person":
        return ical.invitation(session, TEXTS, method="CANCEL", recipient=ATTENDEE,
                               host="portal.test", organizer=ORGANIZER, now=NOW,
                               whole_session=False)
    if name == "publish":
        return ical.publication(KATHMANDU, TEXTS, host="portal.test", organizer=ORGANIZER,
                                now=NOW)
    if name == "feed":
        cancelled = fake_session(NEW_YORK_BEFORE_DST.starts_at, NEW_YORK_BEFORE_DST.ends_at,
                                 "America/New_York", sequence=1, status="cancelled",
                                 session_id=43)
        return ical.feed([(cancelled, TEXTS), (session, TEXTS), (KATHMANDU, TEXTS)],
                         name="GFP Portal: my sessions", host="portal.test",
                         organizer=ORGANIZER, now=NOW)
    raise KeyError(name)


NAMES = ["request", "update", "cancel-session", "cancel-person", "publish", "feed"]


@pytest.mark.parametrize("name", NAMES)
def test_matches_the_golden_file(name):
    assert build(name) == (GOLDEN / f"{name}.ics").read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_lines_end_in_crlf_and_fold_at_75_octets(name):
    data = build(name)
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long summary is folded


@pytest.mark.parametrize("name, method, sequence, status, attendee", [
    ("request", "REQUEST", 0, "CONFIRMED", True),
    ("update", "REQUEST", 1, "CONFIRMED", True),
    ("cancel-session", "CANCEL", 2, "CANCELLED", True),
    ("cancel-person", "CANCEL", 0, None, True),  # one person uninvited: no STATUS
    ("publish", "PUBLISH", 0, "CONFIRMED", False),
])
def test_parses_back_with_the_right_fields(name, method, sequence, status, attendee):
    calendar = Calendar.from_ical(build(name))
    assert calendar["METHOD"] == method
    event, = calendar.walk("VEVENT")
    assert str(event["UID"]) == ("session-44@portal.test" if name == "publish"
                                 else "session-42@portal.test")
    assert event["SEQUENCE"] == sequence
    assert event.get("STATUS") == status
    assert str(event["ORGANIZER"]) == "mailto:focalpointforwomen@unwomen.example"
    assert ("ATTENDEE" in event) is attendee
    if attendee:
        assert str(event["ATTENDEE"]) == "mailto:amina.diallo@undp.example"
        assert event["ATTENDEE"].params["CN"] == "Amina Diallo"
    tzid = event["DTSTART"].params["TZID"]
    zones = [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")]
    assert zones == [tzid]


def test_the_same_session_keeps_its_uid_across_updates_and_cancellation():
    uids = {str(Calendar.from_ical(build(n)).walk("VEVENT")[0]["UID"])
            for n in ("request", "update", "cancel-session", "cancel-person")}
    assert uids == {"session-42@portal.test"}


@pytest.mark.parametrize("session, utc_start", [
    (NEW_YORK_BEFORE_DST, datetime(2027, 3, 12, 15, 0, tzinfo=UTC)),
    (NEW_YORK_AFTER_DST, datetime(2027, 3, 15, 14, 0, tzinfo=UTC)),
    (KATHMANDU, datetime(2027, 4, 6, 4, 15, tzinfo=UTC)),
])
def test_the_instants_are_right_across_dst_and_at_five_forty_five(session, utc_start):
    data = ical.publication(session, TEXTS, host="portal.test", organizer=ORGANIZER, now=NOW)
    event = Calendar.from_ical(data).walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert start.astimezone(UTC) == utc_start
    local = start.replace(tzinfo=None).time()
    expected = {"America/New_York": "10:00", "Asia/Kathmandu": "10:00"}[session.time_zone]
    assert local.strftime("%H:%M") == expected
    assert b"TZID=" + session.time_zone.encode() in data


@pytest.mark.parametrize("zone, utc_start, local", [
    # Morocco sets its clocks back an hour for Ramadan (7 February to 14 March 2027).
    ("Africa/Casablanca", datetime(2027, 3, 1, 9, 0, tzinfo=UTC), "09:00"),
    ("Africa/Casablanca", datetime(2027, 3, 20, 9, 0, tzinfo=UTC), "10:00"),
    ("Africa/El_Aaiun", datetime(2027, 2, 10, 8, 0, tzinfo=UTC), "08:00"),
    ("America/New_York", datetime(2027, 3, 15, 14, 0, tzinfo=UTC), "10:00"),
])
def test_a_client_reading_the_calendars_own_time_zone_gets_the_right_instant(zone, utc_start,
                                                                             local):
    """Outlook places an event by the VTIMEZONE sent with it, not by its own copy of the zone:
    the rules written out must hold on the session's day, also in a short period of the year."""
    session = fake_session(utc_start, utc_start + timedelta(hours=1), zone)
    calendar = Calendar.from_ical(ical.invitation(
        session, TEXTS, method="REQUEST", recipient=ATTENDEE, host="portal.test",
        organizer=ORGANIZER, now=NOW))
    written, = calendar.walk("VTIMEZONE")
    start = calendar.walk("VEVENT")[0].decoded("DTSTART")
    assert start.strftime("%H:%M") == local
    assert start.replace(tzinfo=written.to_tz(lookup_tzid=False)).astimezone(UTC) == utc_start


def test_the_feed_lists_cancelled_sessions_as_cancelled_and_has_no_method():
    calendar = Calendar.from_ical(build("feed"))
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "GFP Portal: my sessions"
    assert "REFRESH-INTERVAL" in calendar
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert statuses == {"session-43@portal.test": "CANCELLED",
                        "session-42@portal.test": "CONFIRMED",
                        "session-44@portal.test": "CONFIRMED"}
    assert sorted(str(z["TZID"]) for z in calendar.walk("VTIMEZONE")) == [
        "America/New_York", "Asia/Kathmandu"]


@pytest.mark.parametrize("name", NAMES)
def test_libical_finds_no_error(name):
    assert libical_errors(build(name)) == []


@pytest.mark.parametrize("name", NAMES)
def test_time_zones_carry_no_comment_outside_their_rules(name):
    # RFC 5545 allows COMMENT in STANDARD/DAYLIGHT only, not directly inside VTIMEZONE.
    for zone in Calendar.from_ical(build(name)).walk("VTIMEZONE"):
        assert "COMMENT" not in zone


def test_the_feed_refresh_values_are_durations_calendar_clients_read():
    data = build("feed")
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in data


def test_each_time_zone_is_built_once_for_every_calendar_that_uses_it(monkeypatch):
    """A VTIMEZONE is most of a feed's cost: two calendars in the same zones and years build
    each zone once."""
    built = []
    original = ical._EveryChange.from_tzid

    def counting(tzid, **kwargs):
        built.append(tzid)
        return original(tzid, **kwargs)

    ical._vtimezone.cache_clear()
    monkeypatch.setattr(ical._EveryChange, "from_tzid", counting)
    sessions = [fake_session(datetime(2027, 3, 10, 15, tzinfo=UTC),
                             datetime(2027, 3, 10, 16, tzinfo=UTC), zone, session_id=number)
                for number, zone in enumerate(["Africa/Nairobi", "Asia/Kathmandu"])]
    first, second = (ical.feed([(session, TEXTS) for session in sessions], name="Mine",
                               host="portal.test", organizer=ORGANIZER, now=NOW)
                     for _ in range(2))
    assert sorted(built) == ["Africa/Nairobi", "Asia/Kathmandu"]
    assert first == second and first.count(b"BEGIN:VTIMEZONE") == 2


def test_texts_say_which_language_they_are_in():
    """Calendar clients and screen readers learn the language of a text from its LANGUAGE
    parameter only; it matters most where a text falls back to English."""
    texts = ical.Texts(summary="Paridad en la práctica", description="Bring your questions.",
                       summary_language="es", description_language="en")
    data = ical.publication(KATHMANDU, texts, host="portal.test", organizer=ORGANIZER, now=NOW)
    event = Calendar.from_ical(data).walk("VEVENT")[0]
    assert (event["SUMMARY"].params.get("LANGUAGE"),
            event["DESCRIPTION"].params.get("LANGUAGE")) == ("es", "en")
    assert b"SUMMARY;LANGUAGE=es:Paridad en la pr" in data
    assert not libical_errors(data)


def test_the_session_texts_name_the_language_each_is_in(app):
    """A Spanish reader of a session described in English only: the title is in Spanish,
    the description in English."""
    session = TrainingSession(
        title_en="Parity in practice", title_es="Paridad en la práctica",
        description_en="Bring your questions.", starts_at=KATHMANDU.starts_at,
        ends_at=KATHMANDU.ends_at, time_zone="Asia/Kathmandu")
    with app.test_request_context(), force_locale("es"):
        texts = notices.texts(session, "es", "Asia/Kathmandu", join_link=False)
    assert (texts.summary_language, texts.description_language) == ("es", "en")
    with app.test_request_context(), force_locale("fr"):
        texts = notices.texts(session, "fr", "Asia/Kathmandu", join_link=False)
    assert (texts.summary_language, texts.description_language) == ("en", "en")
