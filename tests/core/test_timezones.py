"""Time zones are chosen from a short localized list of canonical zones ("Nairobi (UTC+3)");
a value saved under a deprecated alias still reads, opens and saves as its zone."""
import re
from datetime import UTC, datetime

import pytest

from gfp_portal.core.timezones import (
    canonical_zone,
    from_wall_time,
    is_skipped,
    timezone_choices,
    timezone_names,
    wall_time,
    zone_name,
)
from gfp_portal.extensions import db

WINTER = datetime(2026, 12, 3, 9, tzinfo=UTC)
SUMMER = datetime(2027, 7, 1, 9, tzinfo=UTC)
ISOLATED = re.compile("[\u2066\u2069]")


def _labels(language, now=WINTER):
    return {zone: ISOLATED.sub("", label) for zone, label in timezone_choices(language, now)}


def test_only_canonical_zones_are_offered():
    names = set(timezone_names())
    assert {"Asia/Kolkata", "Europe/Kyiv", "Africa/Nairobi", "Africa/Addis_Ababa",
            "America/New_York", "UTC"} <= names
    assert not names & {"Asia/Calcutta", "Europe/Kiev", "US/Eastern", "Asia/Saigon",
                        "Africa/Asmera", "America/Buenos_Aires", "Etc/UTC", "GMT"}
    assert len(names) < 450


@pytest.mark.parametrize(("alias", "zone"), [
    ("Asia/Calcutta", "Asia/Kolkata"), ("Europe/Kiev", "Europe/Kyiv"),
    ("US/Eastern", "America/New_York"), ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
    ("Etc/UTC", "UTC"), ("Africa/Nairobi", "Africa/Nairobi"), ("Mars/Olympus", None)])
def test_an_alias_maps_to_its_canonical_zone(alias, zone):
    assert canonical_zone(alias) == zone


@pytest.mark.parametrize(("language", "zone", "label"), [
    ("en", "Africa/Nairobi", "Nairobi (UTC+3)"),
    ("en", "Asia/Kolkata", "Kolkata (UTC+5:30)"),
    ("en", "America/New_York", "New York (UTC−5)"),
    ("fr", "Europe/Zurich", "Zurich (UTC+1)"),
    ("es", "America/New_York", "Nueva York (UTC−5)"),
    ("ar", "Africa/Nairobi", "نيروبي (UTC+3)"),
    ("en", "UTC", "UTC"),
])
def test_a_choice_reads_as_its_city_and_offset_in_the_viewers_language(language, zone, label):
    assert _labels(language)[zone] == label


def test_the_offset_is_that_of_the_season():
    assert _labels("en", SUMMER)["Europe/Zurich"] == "Zurich (UTC+2)"


def test_choices_are_sorted_by_city_in_the_viewers_language_and_read_apart():
    for language in ("en", "fr", "es", "ar"):
        labels = list(_labels(language).values())
        assert len(set(labels)) == len(labels), language
    english = list(_labels("en").values())
    assert english.index("Nairobi (UTC+3)") < english.index("New York (UTC−5)")
    arabic = [zone for zone in _labels("ar")]
    assert arabic.index("Africa/Nairobi") > arabic.index("Asia/Tokyo")   # طوكيو < نيروبي


def test_a_saved_alias_reads_as_its_zone(app):
    with app.app_context():
        assert ISOLATED.sub("", zone_name("Asia/Calcutta", "en", WINTER)) == \
            "Kolkata (UTC+5:30)"
        assert zone_name("", "en") == ""


def test_a_saved_alias_opens_selected_as_its_zone_and_saves_as_it(client, login_as, app):
    from gfp_portal.accounts.models import User

    user_id = login_as("focal_point")
    with app.app_context():
        db.session.get(User, user_id).time_zone = "Asia/Calcutta"
        db.session.commit()
    html = client.get("/me").get_data(as_text=True)
    assert re.search(r"<option selected value=\"Asia/Kolkata\">", html)
    assert 'value="Asia/Calcutta"' not in html and 'value="Europe/Kiev"' not in html
    assert "Kolkata (" in html
    response = client.post("/me", data={"prefs-locale": "en", "prefs-time_zone": "Europe/Kiev",
                                        "prefs-submit": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).time_zone == "Europe/Kyiv"


def test_the_session_form_offers_labelled_zones(client, login_as):
    login_as("coordinator")
    html = client.get("/sessions/new?lang=fr").get_data(as_text=True)
    assert '<option value="Africa/Nairobi">Nairobi (\u2066UTC+3\u2069)</option>' in html
    assert 'value="Asia/Calcutta"' not in html


@pytest.mark.parametrize("name", ["x" * 1000, "Africa/" + "N" * 300, "../../etc/passwd",
                                  "tzdata.zi", "zone.tab", "Africa/\x00"])
def test_a_name_that_is_no_zone_is_refused_without_reading_a_file_of_it(name):
    assert canonical_zone(name) is None


def test_a_zone_name_too_long_for_a_file_is_a_form_error(client, login_as, app):
    from gfp_portal.accounts.models import User

    user_id = login_as("focal_point")
    response = client.post("/me", data={"prefs-locale": "en", "prefs-time_zone": "x" * 1000,
                                        "prefs-submit": "1"})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).time_zone != "x" * 1000


@pytest.mark.parametrize("zone, local, skipped", [
    ("America/New_York", datetime(2027, 3, 14, 2, 30), True),   # 02:00 -> 03:00
    ("America/New_York", datetime(2027, 3, 14, 3, 0), False),
    ("America/New_York", datetime(2027, 11, 7, 1, 30), False),  # shown twice, not skipped
    ("Australia/Lord_Howe", datetime(2027, 10, 3, 2, 15), True),  # a half-hour change
    ("America/Santiago", datetime(2027, 9, 5, 0, 30), True),    # at midnight: 00:00 -> 01:00
    ("Africa/Nairobi", datetime(2027, 3, 14, 2, 30), False),
    ("UTC", datetime(2027, 3, 14, 2, 30), False),
])
def test_a_time_the_clocks_skip_is_told_from_one_they_show(zone, local, skipped):
    assert is_skipped(local, zone) is skipped
    if not skipped:
        assert wall_time(from_wall_time(local, zone), zone) == local


def test_of_an_hour_the_clocks_show_twice_the_first_is_taken():
    moment = from_wall_time(datetime(2027, 11, 7, 1, 30), "America/New_York")
    assert moment == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # still EDT, UTC-4
    assert from_wall_time(None, "UTC") is None and wall_time(None, "UTC") is None


def test_a_time_the_clocks_show_twice_keeps_the_moment_it_was_shown_for():
    """A form shows a stored moment as the time the clocks show: sent back unchanged, it is
    that moment again, also the second of an hour shown twice; any other time is read as
    entered."""
    first = datetime(2027, 11, 7, 5, 30, tzinfo=UTC)   # 01:30 EDT
    second = datetime(2027, 11, 7, 6, 30, tzinfo=UTC)  # 01:30 EST, an hour later
    zone = "America/New_York"
    assert from_wall_time(datetime(2027, 11, 7, 1, 30), zone, keep=second) == second
    assert from_wall_time(datetime(2027, 11, 7, 1, 30), zone, keep=first) == first
    assert from_wall_time(datetime(2027, 11, 7, 1, 45), zone, keep=second) == \
        datetime(2027, 11, 7, 5, 45, tzinfo=UTC)
    assert from_wall_time(None, zone, keep=second) is None
