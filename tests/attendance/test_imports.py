"""Meeting reports: the shipped Teams (UTF-16, tabs) and Zoom (CSV) fixtures."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from gfp_portal.attendance import imports, reports
from gfp_portal.attendance.models import Attendance, AttendanceImport
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.sessions import registration
from tests.helpers import ATTENDANCE_FILES, NOW

TEAMS = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()
ZOOM = (ATTENDANCE_FILES / "zoom_participants.csv").read_bytes()


def statuses(session):
    return {a.registration.person.given_name: (a.status.value, a.minutes)
            for a in db.session.scalars(select(Attendance))}


def test_teams_intervals_are_merged_per_person():
    report = reports.parse(TEAMS)
    assert report.format == "teams"
    minutes = {a.name: a.minutes for a in report.attendees}
    # Amina joined from two devices at once (10:30-10:40 counted once), then came back.
    assert minutes == {"Host Person": 97, "Amina Diallo": 80, "Jonas Berg": 30, "Li Wei": 10}


def test_zoom_rows_are_merged_and_guests_keep_their_original_name():
    report = reports.parse(ZOOM)
    assert report.format == "zoom"
    people = {a.name: a for a in report.attendees}
    assert people["Amina D."].minutes == 85 and people["Amina D."].other_names == {
        "Amina Diallo"}
    assert people["Phone user"].email is None
    assert people["Phone user"].other_names == {"Fatou Ndiaye"}


def test_a_report_saved_with_semicolons_reads_as_the_original():
    """Excel in many European languages writes CSV with semicolons between the cells: a
    report opened and saved there reads as the report the meeting tool gave."""
    for original in (ZOOM, TEAMS.decode("utf-16").encode("utf-8")):
        resaved = original.replace(b"\t", b";").replace(b",", b";") if original is ZOOM else \
            original.replace(b"\t", b";")
        expected, report = reports.parse(original), reports.parse(resaved)
        assert report.format == expected.format
        assert {a.name: (a.email, a.minutes) for a in report.attendees} == \
            {a.name: (a.email, a.minutes) for a in expected.attendees}


def test_a_teams_report_marks_by_threshold_and_lists_the_unmatched(held, coordinator):
    session, people = held
    _report, lines = imports.plan(session, TEAMS)
    unmatched = [line.attendee.name for line in lines if line.registration is None]
    assert unmatched == ["Host Person"]
    imports.apply(session, TEAMS, filename="Attendance.csv", confirmed={}, actor=coordinator)
    assert statuses(session) == {"Amina": ("present", 80), "Jonas": ("partial", 30),
                                 "Li": ("absent", 10)}
    record, = db.session.scalars(select(AttendanceImport)).all()
    assert (record.filename, record.report_format, len(record.sha256)) == \
        ("Attendance.csv", "teams", 64)


def test_zoom_guest_matched_by_name_after_confirmation(held, coordinator):
    session, people = held
    _report, lines = imports.plan(session, ZOOM)
    guest = next(line for line in lines if line.attendee.name == "Phone user")
    fatou = guest.suggestions[0]
    assert fatou.person.given_name == "Fatou"
    imports.apply(session, ZOOM, filename="participants.csv",
                  confirmed={guest.number: fatou.id}, actor=coordinator)
    assert statuses(session)["Fatou"] == ("present", 85)
    assert statuses(session)["Amina"] == ("present", 85)


def test_the_same_file_twice_changes_nothing(held, coordinator):
    session, _people = held
    imports.apply(session, TEAMS, filename="a.tsv", confirmed={}, actor=coordinator)
    db.session.commit()
    before = (statuses(session), db.session.scalar(select(func.count(AttendanceImport.id))))
    with pytest.raises(DomainError) as error:
        imports.apply(session, TEAMS, filename="again.tsv", confirmed={}, actor=coordinator)
    assert error.value.code == "already_imported"
    db.session.rollback()
    assert (statuses(session), db.session.scalar(select(func.count(AttendanceImport.id)))) \
        == before


@pytest.mark.parametrize("data", [
    ZOOM[: ZOOM.index(b"Jonas Berg") + 30],   # cut in the middle of a row
    TEAMS.decode("utf-16")[:TEAMS.decode("utf-16").rindex("Li Wei") + 12].encode("utf-16"),
    b"",
    b"just,some,csv\n1,2,3\n",
])
def test_a_malformed_file_is_refused_and_nothing_is_written(held, coordinator, data):
    session, _people = held
    with pytest.raises(DomainError) as error:
        imports.apply(session, data, filename="bad.csv", confirmed={}, actor=coordinator)
    assert error.value.code == "malformed_report"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Attendance.id))) == 0
    assert db.session.scalar(select(func.count(AttendanceImport.id))) == 0


def test_a_report_of_a_cancelled_session_is_refused_before_it_is_read(held, coordinator):
    """Neither previewed nor applied (a report of nobody known would otherwise be recorded as
    imported): a cancelled session records no attendance."""
    session, _people = held
    session.status = "cancelled"
    for action in (lambda: imports.plan(session, TEAMS),
                   lambda: imports.plan(session, b""),
                   lambda: imports.apply(session, ZOOM_HEADER, filename="a.csv", confirmed={},
                                         actor=coordinator)):
        with pytest.raises(DomainError) as error:
            action()
        assert error.value.code == "cancelled"
    assert db.session.scalar(select(func.count(AttendanceImport.id))) == 0



def test_a_report_of_a_draft_is_refused_before_it_is_read(make_session, coordinator):
    """A draft has not been held: its report is neither previewed nor applied, and no import
    is recorded for it."""
    draft = make_session(publish=False)
    for action in (lambda: imports.plan(draft, TEAMS),
                   lambda: imports.apply(draft, TEAMS, filename="a.tsv", confirmed={},
                                         actor=coordinator)):
        with pytest.raises(DomainError) as error:
            action()
        assert error.value.code == "not_held"
    assert db.session.scalar(select(func.count(AttendanceImport.id))) == 0


ZOOM_HEADER = b"Name (Original Name),User Email,Join Time,Leave Time\n"
ZOOM_ROW = b"Amina,a@undp.org,03/15/2027 10:00:00 AM,03/15/2027 11:00:00 AM\n"


@pytest.mark.parametrize("data", [
    TEAMS[:-1],
    b"\xff\xfe" + "Name\tJoin time\tLeave time\r\n".encode("utf-16-le") + b"\x00\xd8A\x00",
    "Name\tJoin time\tLeave time\r\n".encode("utf-16-le") + b"\x00\xdc",
    ZOOM_HEADER.replace(b"Leave Time", b"Leave Time,Name (Original Name)") + ZOOM_ROW,
    ZOOM_HEADER + b"x" * 200_000 + ZOOM_ROW,
    ZOOM_HEADER + ZOOM_ROW.replace(b"Amina", b"A" * 5_000),
    b"\n" * 60_000 + ZOOM_HEADER + ZOOM_ROW,
    ZOOM_HEADER + b"Am\x00ina" + ZOOM_ROW,
], ids=["odd-length-utf16", "lone-surrogate-bom", "lone-surrogate", "duplicated-column",
        "huge-cell", "long-cell", "too-many-lines", "nul-byte"])
def test_a_hostile_report_is_refused_with_its_reason(app, data):
    with app.test_request_context(), pytest.raises(DomainError) as error:
        reports.parse(data)
    assert error.value.code == "malformed_report"
    assert str(error.value.message)


def test_a_name_in_arabic_is_suggested_only_for_the_person_of_that_name(held, make_appointee):
    """People are named in every script: a guest's Arabic name (vowel marks and all) suggests
    the person of that name, not everyone whose name is written in another alphabet."""
    session, _people = held
    for given, family in (("محمد", "علي"), ("فاطمة", "الزهراء"), ("Ивана", "Петрова")):
        person = make_appointee(given=given)
        person.family_name = family
        registration.register(session, person, actor=None, now=NOW, by_coordinator=True,
                              notify=False)
    db.session.flush()
    report = ZOOM_HEADER + "مُحَمَّد عَلِي,,03/15/2027 10:00:00 AM,03/15/2027 11:30:00 AM\n" \
        .encode()
    _report, (line,) = imports.plan(session, report)
    assert [(r.person.given_name, r.person.family_name) for r in line.suggestions] == \
        [("محمد", "علي")]


@pytest.mark.parametrize(("registered", "in_report"), [
    (("Aoife", "O’Brien"), "Aoife O'Brien"),     # a curly apostrophe in the registry
    (("Rohan", "D'Souza"), "Rohan D’Souza"),     # a curly apostrophe in the report
    (("Rohan", "D'Souza"), "Rohan DSouza"),      # or none
    (("Cœur", "Lacroix"), "Coeur Lacroix"),      # a ligature typed as two letters
    (("Jean-Luc", "Ba"), "BA, Jean Luc"),        # a hyphen as a space, the family name first
    (("علي", "الحسن"), "عـلي الحـسن"),          # an Arabic name with tatweel
    (("فاطمة", "مصطفى"), "فاطمه مصطفي"),        # a heh for ta marbuta, a yeh for alef maqsura
])
def test_a_name_typed_another_way_suggests_the_registered_person(held, make_appointee,
                                                                 registered, in_report):
    """The meeting tool shows the name as the attendee typed it: matched as the portal's
    search folds names (core.search.fold)."""
    session, _people = held
    person = make_appointee(given=registered[0])
    person.family_name = registered[1]
    registration.register(session, person, actor=None, now=NOW, by_coordinator=True,
                          notify=False)
    db.session.flush()
    report = (ZOOM_HEADER.decode() + f'"{in_report}",,03/15/2027 10:00:00 AM,'
              "03/15/2027 11:30:00 AM\n").encode()
    _report, (line,) = imports.plan(session, report)
    assert [r.person.id for r in line.suggestions] == [person.id]


ZOOM_TWO_DEVICES = (ZOOM_HEADER.replace(b"Leave Time\n", b"Leave Time,Duration (Minutes),Guest\n")
                    + b"Amina D. (Amina Diallo),amina.diallo@example.org,03/15/2027 10:00:00 AM,"
                      b"03/15/2027 11:25:00 AM,85,No\n"
                      b"Phone user (Amina Diallo),,03/15/2027 10:00:00 AM,"
                      b"03/15/2027 10:05:00 AM,5,Yes\n")


@pytest.mark.parametrize("order", [1, -1])
def test_a_person_on_two_lines_is_marked_once_from_the_longer(held, coordinator, order):
    """Amina signed in for 85 minutes (matched by her address) and dialled in for 5; the
    coordinator confirms the phone line as hers. She stays present for 85 minutes, whichever
    line the report lists last (the later line overwrote the other: absent, 5 minutes)."""
    session, people = held
    header, *rows = ZOOM_TWO_DEVICES.splitlines(keepends=True)
    data = header + b"".join(rows[::order])
    _report, lines = imports.plan(session, data)
    phone = next(line for line in lines if line.registration is None)
    assert [r.person.given_name for r in phone.suggestions] == ["Amina"]
    __, marked = imports.apply(session, data, filename="participants.csv",
                               confirmed={phone.number: phone.suggestions[0].id},
                               actor=coordinator)
    amina = registration.registration_of(session, people["Amina"])
    mark = db.session.scalars(select(Attendance).filter_by(registration_id=amina.id)).one()
    assert (marked, mark.status.value, mark.minutes) == (1, "present", 85)


def _written(header, *rows, separator=","):
    """A report of `header` and `rows`, their cells separated by `separator`."""
    return "\n".join(separator.join(cells) for cells in (header, *rows)).encode()


ZOOM_COLUMNS = ("Name (Original Name)", "User Email", "Join Time", "Leave Time",
               "Duration (Minutes)")
TEAMS_COLUMNS = ("Name", "First Join", "Last Leave", "Email")


@pytest.mark.parametrize("zone, starts, ends, data, expected, scheduled", [
    # Geneva, 31 October 2027: at 03:00 the clocks go back to 02:00, which they show twice.
    # Amina stays from 01:30 to 02:30 the second time (120 minutes, as Zoom counts them);
    # Jonas leaves at 02:20 the first time; Li comes and goes within one of the two hours;
    # Fatou joins at 02:50 the first time and leaves at 02:10 the second.
    ("Europe/Zurich", "2027-10-30T23:30", "2027-10-31T01:30", _written(
        ZOOM_COLUMNS,
        ("Amina", "amina@example.org", "10/31/2027 01:30:00 AM", "10/31/2027 02:30:00 AM",
         "120"),
        ("Jonas", "jonas@example.org", "10/31/2027 01:30:00 AM", "10/31/2027 02:20:00 AM",
         "50"),
        ("Li", "li@example.org", "10/31/2027 02:10:00 AM", "10/31/2027 02:40:00 AM", "30"),
        ("Fatou", "fatou@example.org", "10/31/2027 02:50:00 AM", "10/31/2027 02:10:00 AM",
         "20")),
     {"Amina": 120, "Jonas": 50, "Li": 30, "Fatou": 20}, 120),
    # The same in Teams, whose rows say how long each stay was ("2h 0m 0s"); or, in its
    # list of participants, how long each person was in the meeting, which the span from
    # their first join to their last leave is not shorter than.
    ("Europe/Zurich", "2027-10-30T23:30", "2027-10-31T01:30", _written(
        ("Name", "Join Time", "Leave Time", "Duration", "Email"),
        ("Amina", "10/31/27, 1:30:00 AM", "10/31/27, 2:30:00 AM", "2h 0m 0s",
         "amina@example.org"),
        ("Li", "10/31/27, 2:10:00 AM", "10/31/27, 2:40:00 AM", "30m 0s", "li@example.org"),
        separator="\t"), {"Amina": 120, "Li": 30}, 120),
    ("Europe/Zurich", "2027-10-30T23:30", "2027-10-31T01:30", _written(
        ("Name", "First Join", "Last Leave", "In-Meeting Duration", "Email"),
        ("Amina", "10/31/27, 1:30:00 AM", "10/31/27, 2:30:00 AM", "1h 50m 0s",
         "amina@example.org"),
        ("Jonas", "10/31/27, 1:30:00 AM", "10/31/27, 2:20:00 AM", "45m 0s",
         "jonas@example.org"),
        separator="\t"), {"Amina": 120, "Jonas": 50}, 120),
    # New York, 7 November 2027: 00:30 EDT to 02:30 EST is three hours.
    ("America/New_York", "2027-11-07T04:30", "2027-11-07T07:30", _written(
        TEAMS_COLUMNS,
        ("Amina", "11/7/27, 12:30:00 AM", "11/7/27, 2:30:00 AM", "amina@example.org"),
        ("Jonas", "11/7/27, 12:45:00 AM", "11/7/27, 12:55:00 AM", "jonas@example.org"),
        separator="\t"),
     {"Amina": 180, "Jonas": 10}, 180),
    # New York, 14 March 2027: the clocks skip from 02:00 to 03:00; 01:00 to 04:00 is two
    # hours, and Amina, there from 01:00 to 03:30, was there for 90 minutes of them.
    ("America/New_York", "2027-03-14T06:00", "2027-03-14T08:00", _written(
        TEAMS_COLUMNS,
        ("Amina", "3/14/27, 1:00:00 AM", "3/14/27, 3:30:00 AM", "amina@example.org"),
        ("Jonas", "3/14/27, 3:15:00 AM", "3/14/27, 4:00:00 AM", "jonas@example.org"),
        separator="\t"),
     {"Amina": 90, "Jonas": 45}, 120),
])
def test_the_minutes_of_a_report_count_the_hour_the_clocks_move(
        make_session, zone, starts, ends, data, expected, scheduled):
    """A report gives the times its clocks showed, in the session's zone. Across a change of
    time they count the minutes that passed, not the difference of what the clocks showed:
    the hour shown twice when they go back is counted twice, the hour they skip not at all."""
    session = make_session(time_zone=zone)
    session.starts_at = datetime.fromisoformat(starts).replace(tzinfo=UTC)
    session.ends_at = datetime.fromisoformat(ends).replace(tzinfo=UTC)
    _report_read, lines = imports.plan(session, data)
    assert {line.attendee.name: line.minutes for line in lines} == expected
    assert session.duration_minutes == scheduled
