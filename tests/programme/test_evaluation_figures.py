"""Every place that shows a session's evaluation figures agrees with its results page when
guests answered too: the overview, the dashboard and its downloads, the Office's home, the
threshold before results are shown, and a person's learning record."""
import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from gfp_portal.attendance import evaluations
from gfp_portal.attendance.records import learning_record
from tests.helpers import login
from tests.programme.places import answered_session


@pytest.fixture
def mixed(make_session, make_appointee, coordinator):
    """A session that ended twelve days ago (real time), its evaluation closing in two: four
    people of the network attended and three answered, a fifth was absent; two guests
    attended and answered, a third was absent. Five answers (just enough to be shown, only
    with the guests') from the six who attended, two of them from guests."""
    session, people = answered_session(make_session, make_appointee, coordinator,
                                       started_ago=timedelta(days=12, hours=2))
    return {"session": session, "people": people}


def test_the_session_page_counts_five_answers_from_six_who_attended(mixed):
    response = evaluations.response(mixed["session"])
    assert (response.answers, response.from_guests, response.may_answer) == (5, 2, 6)
    assert evaluations.results([mixed["session"].id]).shown


def test_the_overview_counts_the_same_answers_and_shows_them(client, mixed):
    session = mixed["session"]
    [(_, per_session)] = evaluations.results_of([session])
    overview = evaluations.overview()
    [(_, per_year)] = [row for row in overview["years"] if row[0] == session.starts_at.year]
    [(_, per_series)] = [row for row in overview["series"] if row[0].id == session.series_id] \
        or [(None, per_year)]
    for results in (per_session, per_year, per_series):
        assert results.answers == evaluations.response(session).answers == 5
        assert results.shown  # the five answers reach the threshold only with the guests'
        assert results.shares == evaluations.results([session.id]).shares
    login(client, "coord@example.org")
    html = client.get("/sessions/evaluations?lang=en").get_data(as_text=True)
    assert "Fewer than 5 answers: not shown" not in html


def test_the_dashboard_and_its_downloads_count_the_same_answers(client, mixed):
    session = mixed["session"]
    login(client, "coord@example.org")
    year = str(session.starts_at.year)
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/evaluations.csv?lang=en")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    [row] = [row for row in rows if row[0] == year]
    assert row[1] == "5" and row[2] != ""  # the answers, and the shares shown
    sheet = load_workbook(io.BytesIO(client.get("/dashboard/evaluations.xlsx?lang=en")
                                     .get_data())).active
    [cells] = [cells for cells in sheet.iter_rows(values_only=True) if str(cells[0]) == year]
    assert cells[1] == 5 and cells[2] is not None


def test_the_office_home_counts_the_guests_who_attended_and_answered(client, mixed):
    """The evaluations closing on the Office's home say what the session's results page
    says: five answers from the six who attended, people and guests."""
    login(client, "coord@example.org")
    html = client.get("/?lang=en").get_data(as_text=True)
    assert f'data-evaluation="{mixed["session"].id}"' in html
    said = re.search(r"\d+ of \d+ participants? answered", html)
    assert said.group(0) == "5 of 6 participants answered"


def test_a_guest_answer_does_not_make_a_member_look_as_if_they_answered(mixed):
    people = mixed["people"]
    evaluated = [[line.evaluated for line in learning_record(person)] for person in people]
    assert evaluated == [[True], [True], [True], [False], [False]]
