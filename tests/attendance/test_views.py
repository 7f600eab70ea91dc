"""Attendance pages: the register with its code and report upload, check-in, the evaluation,
certificates and their public verification."""
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from openpyxl import load_workbook
from sqlalchemy import delete, select

from gfp_portal.accounts.models import User
from gfp_portal.attendance import certificates, services
from gfp_portal.attendance.models import Attendance, CheckInCode, EvaluationAnswer
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Person
from gfp_portal.sessions import registration
from gfp_portal.sessions import services as sessions
from gfp_portal.sessions.models import Registration, TrainingSession
from tests.factories import NOW
from tests.helpers import (
    ATTENDANCE_FILES,
    appoint_undp_alternate,
    breadcrumb_links,
    login,
    page_links,
    sent_from,
    switch_to,
)
from tests.markup import filled_form, inside, markup_problems, parse


def test_the_register_shows_the_code_and_a_qr_code(client, running):
    login(client, "coord@example.org")
    html = client.get(f"/sessions/{running['session']}/attendance").get_data(as_text=True)
    assert "<svg" in html and f"/sessions/{running['session']}/check-in" in html
    assert "Amina" in html or "Test Person" in html


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
def test_the_register_heads_each_column_with_its_own_words(client, running, lang):
    """The registration status and how the attendance was recorded are two columns: headed
    alike ("التسجيل" for both), a reader, or a screen reader announcing a cell's header,
    could not tell them apart."""
    login(client, "coord@example.org")
    html = client.get(f"/sessions/{running['session']}/attendance?lang={lang}").get_data(
        as_text=True)
    headers = [element.all_text().strip() for element in parse(html)
               if element.tag == "th" and element.attrs.get("scope") == "col"]
    assert len(headers) == 5 and len(set(headers)) == 5, headers


def test_showing_the_register_writes_nothing(app, client, running, count_queries):
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    with count_queries() as counted:
        html = client.get(url).get_data(as_text=True)
    assert all(s.lstrip().upper().startswith("SELECT") for s in counted.statements)
    with app.app_context():
        assert db.session.scalars(select(CheckInCode)).all() == []
        shown = services.check_in_code(db.session.get(TrainingSession, running["session"]))
    assert shown in html and client.get(url).get_data(as_text=True).count(shown) == 1


def test_a_new_code_replaces_the_one_shown(app, client, running):
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    before = re.search(r'font-monospace" dir="ltr">([A-Z0-9]{6})<', client.get(url).get_data(
        as_text=True)).group(1)
    response = client.post(url + "/rotate-code", follow_redirects=True)
    assert "A new check-in code is shown" in response.get_data(as_text=True)
    with app.app_context():
        now_shown = services.check_in_code(db.session.get(TrainingSession, running["session"]))
    assert now_shown != before and now_shown in client.get(url).get_data(as_text=True)


def test_focal_points_cannot_open_the_register(client, running):
    login(client, "amina.diallo@example.org")
    assert client.get(f"/sessions/{running['session']}/attendance").status_code == 403


def _end_the_session(app, session_id):
    with app.app_context():
        from gfp_portal.sessions.models import TrainingSession
        session = db.session.get(TrainingSession, session_id)
        session.starts_at = datetime.now(UTC) - timedelta(minutes=100)
        session.ends_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()


def test_check_in_with_the_code_then_the_certificate_in_arabic(app, client, running):
    with app.app_context():
        from gfp_portal.sessions.models import TrainingSession
        code = services.check_in_code(db.session.get(TrainingSession, running["session"]))
        db.session.commit()
    login(client, "amina.diallo@example.org")
    url = f"/sessions/{running['session']}/check-in"
    response = client.post(url + "?lang=en", data={"code": "WRONG9"})
    assert response.status_code == 200
    assert "This is not the code of this session" in response.get_data(as_text=True)
    assert client.post(url, data={"code": code}).status_code == 302
    with app.app_context():
        attendance = db.session.scalars(select(Attendance)).one()
        assert attendance.source == "self_check_in"
    # The session is still running: no certificate yet, and no link to one.
    assert "/certificate" not in client.get(f"/sessions/{running['session']}?lang=en").get_data(
        as_text=True)
    response = client.get(f"/sessions/{running['session']}/certificate?lang=en")
    assert response.status_code == 302
    assert "after the session has ended" in client.get(response.location).get_data(as_text=True)
    _end_the_session(app, running["session"])
    assert "/certificate" in client.get(f"/sessions/{running['session']}").get_data(as_text=True)
    client.post(f"/sessions/{running['session']}/certificate")
    html = client.get(f"/sessions/{running['session']}/certificate?lang=ar").get_data(
        as_text=True)
    assert '<html lang="ar" dir="rtl">' in html and "تدخل الشهود" in html


def test_opening_the_certificate_link_issues_nothing_until_asked(
        app, client, running, count_queries):
    with app.app_context():
        code = services.check_in_code(db.session.get(TrainingSession, running["session"]))
    login(client, "amina.diallo@example.org")
    client.post(f"/sessions/{running['session']}/check-in", data={"code": code})
    _end_the_session(app, running["session"])
    url = f"/sessions/{running['session']}/certificate"
    with count_queries() as counted:
        html = client.get(url + "?lang=en").get_data(as_text=True)
    assert all(s.lstrip().upper().startswith("SELECT") for s in counted.statements)
    assert "Issue my certificate" in html
    with app.app_context():
        assert db.session.scalars(select(certificates.Certificate)).all() == []
    response = client.post(url)
    assert response.status_code == 302 and response.location.endswith(url)
    assert client.post(url).status_code == 302  # asking again issues no second one
    with app.app_context():
        code = db.session.scalars(select(certificates.Certificate.code)).one()
    assert code in client.get(url).get_data(as_text=True)


def test_a_refused_certificate_reads_the_same_opened_or_asked(client, running):
    """Before the session has ended: opening the link and pressing the button both go back to
    the session with the same message, shown alike."""
    login(client, "amina.diallo@example.org")
    with client.session_transaction() as stored:
        stored.pop("_flashes", None)  # the welcome
    url, shown = f"/sessions/{running['session']}/certificate", []
    for ask in (client.get, client.post):
        response = ask(url)
        assert response.status_code == 302
        assert response.location.endswith(f"/sessions/{running['session']}")
        with client.session_transaction() as stored:
            shown.append(stored.pop("_flashes"))
    assert shown[0] == shown[1] and len(shown[0]) == 1 and shown[0][0][0] == "danger"


def test_check_in_attempts_are_rate_limited(client, running):
    login(client, "amina.diallo@example.org")
    url = f"/sessions/{running['session']}/check-in"
    codes = [client.post(url, data={"code": f"BAD{n:03d}"}).status_code for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_switching_the_language_of_a_refused_check_in_uses_up_no_attempt(app, client,
                                                                         running):
    """The switch checks no code: ten switches (the limit a minute) after a wrong code do not
    hold the right one back."""
    with app.app_context():
        code = services.check_in_code(db.session.get(TrainingSession, running["session"]))
        db.session.commit()
    login(client, "amina.diallo@example.org")
    url = f"/sessions/{running['session']}/check-in"
    page = client.post(url, data={"code": "WRONG9"}).get_data(as_text=True)
    for code_of_language in ("fr", "ar", "es", "en") * 2 + ("fr", "ar"):
        switched = switch_to(client, page, code_of_language)
        assert switched.status_code == 200
        page = switched.get_data(as_text=True)
    assert client.post(url, data={"code": code}).status_code == 302


def test_verification_says_valid_revoked_or_unknown(app, client, running):
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        person = db.session.get(Person, running["person"])
        row = db.session.scalars(select(Registration)).one()
        services.mark(row, "present", actor=None)
        code = certificates.certificate_for(session, person, now=session.ends_at).code
        db.session.commit()
    html = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "This certificate is valid." in html and "Bystander intervention" in html
    assert "amina.diallo@example.org" not in html  # the name, the session, the date only
    assert client.get("/certificates/NOSUCHCODE").status_code == 404
    login(client, "coord@example.org")
    client.post(f"/certificates/{code}/revoke", data={"reason": "Error", "confirm": "y"})
    client.post("/logout")
    assert "revoked" in client.get(f"/certificates/{code}").get_data(as_text=True)


def test_verification_gives_the_date_the_certificate_bears(app, client, running):
    """A morning session in Suva is held on the evening before in UTC: the public page gives
    the session's own date, as the certificate does, whoever reads it."""
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        session.time_zone = "Pacific/Fiji"
        session.starts_at = datetime(2027, 3, 14, 21, 0, tzinfo=UTC)  # 09:00 on 15 March
        session.ends_at = session.starts_at + timedelta(minutes=90)
        person = db.session.get(Person, running["person"])
        services.mark(db.session.scalars(select(Registration)).one(), "present", actor=None)
        code = certificates.certificate_for(session, person, now=session.ends_at).code
        db.session.commit()
    html = client.get(f"/certificates/{code}?lang=en").get_data(as_text=True)
    assert "March 15, 2027" in html and "March 14, 2027" not in html


def test_a_refused_revocation_keeps_the_reason_typed_and_says_what_is_wrong(
        app, client, running):
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        person = db.session.get(Person, running["person"])
        services.mark(db.session.scalars(select(Registration)).one(), "present", actor=None)
        code = certificates.certificate_for(session, person, now=session.ends_at).code
        db.session.commit()
    login(client, "coord@example.org")
    url = f"/certificates/{code}/revoke?lang=en"
    forgotten = client.post(url, data={"reason": "Marked present by mistake"})
    html = forgotten.get_data(as_text=True)
    assert "Marked present by mistake" in html
    assert "Tick the confirmation to revoke the certificate." in html
    too_long = client.post(url, data={"reason": "x" * 2001, "confirm": "y"}).get_data(
        as_text=True)
    assert "Tick the confirmation" not in too_long and "2000" in too_long
    with app.app_context():
        assert not certificates.find(code).is_revoked


def test_a_report_is_previewed_then_imported_once(app, client, running):
    login(client, "coord@example.org")
    data = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()
    url = f"/sessions/{running['session']}/attendance/import"
    html = client.post(url, data={"file": (io.BytesIO(data), "Attendance.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Host Person" in html and "Not registered: left out" in html
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(url + "/confirm", data={"token": token, "filename": "Attendance.csv"})
    assert response.status_code == 302
    with app.app_context():
        attendance = db.session.scalars(select(Attendance)).one()
        assert attendance.minutes == 80 and attendance.status == "present"
    again = client.post(url, data={"file": (io.BytesIO(data), "Attendance.csv")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "already imported" in again


@pytest.mark.parametrize("minutes, lang, said", [
    (1, "en", "Attendance.csv: 1 minute scheduled."),
    (2, "ar", "المدة المقررة دقيقتان."),
    (11, "ar", "المدة المقررة 11 دقيقةً."),
])
def test_the_preview_counts_the_minutes_scheduled_in_the_languages_plural(
        app, client, running, minutes, lang, said):
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        session.ends_at = session.starts_at + timedelta(minutes=minutes)
        db.session.commit()
    login(client, "coord@example.org")
    data = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()
    html = client.post(f"/sessions/{running['session']}/attendance/import?lang={lang}",
                       data={"file": (io.BytesIO(data), "Attendance.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert said in html and "1 minutes scheduled" not in html


def test_a_malformed_report_is_refused_with_its_reason(client, running):
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance/import"
    response = client.post(url, data={"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "not a Teams or Zoom attendance report" in response.get_data(as_text=True)


def test_figures_page_and_export(client, running):
    login(client, "coord@example.org")
    for by in ("session", "entity", "unct", "region"):
        assert client.get(f"/sessions/attendance-figures?by={by}").status_code == 200
    response = client.get("/sessions/attendance-figures.csv?by=session")
    assert response.mimetype == "text/csv" and "Bystander intervention" in response.get_data(
        as_text=True)
    header = response.get_data(as_text=True).splitlines()[0]
    assert header.startswith("\ufeffSession,Date,Registered")
    assert client.get("/sessions/attendance-figures.xlsx").data[:2] == b"PK"


def test_the_figures_file_dates_a_session_on_the_day_the_page_gives(app, client, reference,
                                                                   create_user, make_session):
    # 08:00 on 10 March 2027 in Apia (UTC+13) is 19:00 on 9 March in UTC: for a coordinator
    # there, the page and the file both give 10 March.
    create_user("apia@example.org", roles=["coordinator"], time_zone="Pacific/Apia")
    fp = create_user("sina@undp.org", roles=["focal_point"])
    starts = datetime(2027, 3, 9, 19, 0, tzinfo=UTC)
    with app.app_context():
        session = make_session(starts_in=starts - NOW, time_zone="Pacific/Apia",
                               title_en="Pacific briefing")
        person = appoint_undp_alternate(db.session.get(User, fp)).person
        registration.register(session, person, actor=None, notify=False, now=NOW)
        db.session.commit()
    login(client, "apia@example.org")
    html = client.get("/sessions/attendance-figures?lang=en").get_data(as_text=True)
    assert "Mar 10, 2027" in html
    lines = client.get("/sessions/attendance-figures.csv?lang=en").get_data(as_text=True)
    assert lines.splitlines()[1].startswith("Pacific briefing,2027-03-10,1,")


def test_the_figures_workbook_holds_numbers_and_dates_a_spreadsheet_can_work_on(
        client, running):
    """The workbook is offered beside the CSV to be totalled and sorted in a spreadsheet: its
    counts are numbers (=SUM() adds them up, none is "a number stored as text") and a
    session's day is a date, the day the CSV gives."""
    login(client, "coord@example.org")
    for by in ("session", "entity", "unct", "region"):
        response = client.get(f"/sessions/attendance-figures.xlsx?by={by}&lang=en")
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        counts = sheet[2][[cell.value for cell in sheet[1]].index("Registered"):]
        assert [(cell.value, cell.data_type) for cell in counts] == [(1, "n"), *[(0, "n")] * 4], by
    day = load_workbook(io.BytesIO(client.get(
        "/sessions/attendance-figures.xlsx?by=session").data)).worksheets[0]["B2"]
    line = client.get("/sessions/attendance-figures.csv?by=session").get_data(as_text=True)
    assert day.is_date and day.value.date().isoformat() == line.splitlines()[1].split(",")[1]


def test_the_figures_file_names_each_session_in_the_readers_language(client, running):
    """As the page does: the title in the reader's language, else the English one."""
    login(client, "coord@example.org")
    for lang, title in (("ar", "تدخل الشهود"), ("fr", "Bystander intervention")):
        lines = client.get(f"/sessions/attendance-figures.csv?lang={lang}").get_data(
            as_text=True).splitlines()
        assert lines[1].split(",")[0] == title, (lang, lines)
        sheet = load_workbook(io.BytesIO(client.get(
            f"/sessions/attendance-figures.xlsx?lang={lang}").data)).worksheets[0]
        assert sheet["A2"].value == title, lang


def test_the_figures_workbooks_sheet_is_named_in_the_readers_language(client, running):
    """Named for what its rows are, as the tabs of the page say it, not by the address's
    value ("session", "unct"): within the 31 characters a sheet's name may have."""
    login(client, "coord@example.org")
    names = {}
    for lang in ("en", "fr", "es", "ar"):
        for by in ("session", "entity", "unct", "region"):
            names[lang, by] = load_workbook(io.BytesIO(client.get(
                f"/sessions/attendance-figures.xlsx?by={by}&lang={lang}").data)).active.title
    assert names["fr", "session"] == "Par séance" and names["en", "unct"] == "Per UN Country Team"
    assert names["ar", "region"] == "حسب المنطقة"
    assert len(set(names.values())) == len(names)
    assert not {"session", "entity", "unct", "region"} & set(names.values())


def test_the_learning_record_is_on_my_account(client, running):
    login(client, "amina.diallo@example.org")
    html = client.get("/me?lang=en").get_data(as_text=True)
    assert "Learning record" in html and "Bystander intervention" in html


def test_the_evaluation_overview_per_year_series_and_session(client, running):
    login(client, "coord@example.org")
    html = client.get("/sessions/evaluations?lang=en").get_data(as_text=True)
    assert "Per year" in html and "Per series" in html and "Per session" in html


def test_the_evaluation_overview_shows_a_page_of_sessions_and_sums_each_series(
        app, client, ctx, coordinator, make_session, count_queries, monkeypatch):
    from gfp_portal.attendance.models import EvaluationAnswer
    from gfp_portal.sessions.models import TrainingSeries

    series = TrainingSeries(title_en="Parity clinics")
    db.session.add(series)

    def evaluated(n):
        session = make_session(title_en=f"Parity clinic {n}")
        session.starts_at -= timedelta(days=100 - n)
        session.ends_at -= timedelta(days=100 - n)
        session.series = series
        # Five answers each; n + 2 of them find the resources applicable.
        db.session.add_all(EvaluationAnswer(session_id=session.id, applicable=k < n + 2,
                                            rating="good", belonging=True, empowered=False)
                           for k in range(5))
        db.session.commit()

    for n in range(3):
        evaluated(n)
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    login(client, "coord@example.org")
    with count_queries() as few:
        first = client.get("/sessions/evaluations?lang=en").get_data(as_text=True)
    second = client.get("/sessions/evaluations?lang=en&page=2").get_data(as_text=True)
    assert "Parity clinic 2" in first and "Parity clinic 1" in first
    assert "Parity clinic 0" not in first and "Parity clinic 0" in second
    # The series sums its three sessions: 15 answers, (2 + 3 + 4) / 15 applicable.
    row = re.search(r"<bdi[^>]*>Parity clinics</bdi>.*?</tr>", first, re.S).group(0)
    assert ">15<" in row and ">60%<" in row
    for n in range(3, 6):
        evaluated(n)
    with count_queries() as more:
        html = client.get("/sessions/evaluations?lang=en").get_data(as_text=True)
    assert more.count == few.count
    # Summed again once answers were committed: 30 answers, (2 + 3 + 4 + 5 + 5 + 5) / 30
    # applicable.
    row = re.search(r"<bdi[^>]*>Parity clinics</bdi>.*?</tr>", html, re.S).group(0)
    assert ">30<" in row and ">80%<" in row


def test_years_and_series_sum_only_sessions_whose_own_results_are_shown(
        app, client, ctx, coordinator, make_session):
    """A session below the threshold hides its results; were it summed into its series and
    year, their results less those of the sessions shown would give it away."""
    from gfp_portal.attendance import evaluations
    from gfp_portal.attendance.models import EvaluationAnswer
    from gfp_portal.sessions.models import TrainingSeries

    series = TrainingSeries(title_en="Parity clinics")
    db.session.add(series)
    for title, answers, applicable in (("Shown clinic", 5, True), ("Small clinic", 3, False)):
        session = make_session(title_en=title)
        session.starts_at -= timedelta(days=30)
        session.ends_at -= timedelta(days=30)
        session.series = series
        db.session.add_all(EvaluationAnswer(session_id=session.id, applicable=applicable,
                                            rating="poor", belonging=False, empowered=False)
                           for _ in range(answers))
    db.session.commit()
    login(client, "coord@example.org")
    html = client.get("/sessions/evaluations?lang=en").get_data(as_text=True)
    row = re.search(r"<bdi[^>]*>Parity clinics</bdi>.*?</tr>", html, re.S).group(0)
    assert ">5<" in row and ">100%<" in row
    assert "Years and series sum only the sessions with at least 5 answers" in html
    (_, year), = evaluations.results_per_year()
    assert year.answers == 5 and year.shares["applicable"] == 1


def test_the_register_runs_a_fixed_number_of_queries(app, client, running, count_queries):
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    client.get(url)
    with count_queries() as one:
        assert client.get(url).status_code == 200
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        for n in range(20):
            person = Person(given_name="P", family_name=str(n), email=f"p{n}@example.org")
            db.session.add(Registration(session=session, person=person, status="registered"))
        db.session.commit()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == one.count


def _two_on_the_register(app, running, create_user):
    """The registration ids of the running session's focal point and of a second person
    registered beside them."""
    other = create_user("jonas.berg@example.org", roles=["focal_point"], given_name="Jonas",
                        family_name="Berg")
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        registration.register(session, db.session.get(User, other).person, actor=None,
                              notify=False, by_coordinator=True,
                              now=session.starts_at - timedelta(hours=1))
        db.session.commit()
        ids = {r.person_id: r.id for r in db.session.scalars(select(Registration))}
    return ids[running["person"]], next(v for k, v in ids.items() if k != running["person"])


def test_a_status_that_is_not_one_is_refused_and_nothing_is_written(app, client, running,
                                                                   create_user):
    first, second = _two_on_the_register(app, running, create_user)
    login(client, "coord@example.org")
    response = client.post(f"/sessions/{running['session']}/attendance?lang=fr",
                           data={f"status-{first}": "present", f"status-{second}": "bogus",
                                 f"minutes-{first}": "90"})
    assert response.status_code == 200
    assert "n’est pas un statut de présence" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Attendance)).all() == []
        assert db.session.get(Person, running["person"]) is not None


def test_a_refused_register_is_shown_again_with_every_mark_typed(app, client, running,
                                                                 create_user):
    """One row the service refuses (minutes beyond twice the session) sends the register back
    with what the coordinator chose in every row, and that row marked: nothing typed is lost,
    nothing is written."""
    first, second = _two_on_the_register(app, running, create_user)
    login(client, "coord@example.org")
    response = client.post(f"/sessions/{running['session']}/attendance?lang=en", data={
        f"status-{first}": "excused", f"status-{second}": "partial",
        f"minutes-{second}": "999"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Minutes attended must be between 0 and 180." in html
    first_select = re.search(rf'<select[^>]*name="status-{first}".*?</select>', html, re.S)
    assert '<option value="excused" selected>' in first_select.group(0)
    second_select = re.search(rf'<select[^>]*name="status-{second}".*?</select>', html, re.S)
    assert '<option value="partial" selected>' in second_select.group(0)
    minutes = re.search(rf'<input[^>]*name="minutes-{second}"[^>]*>', html).group(0)
    assert 'value="999"' in minutes and 'aria-invalid="true"' in minutes
    with app.app_context():
        assert db.session.scalars(select(Attendance)).all() == []


@pytest.mark.parametrize("typed", ["45.5", "forty", "1e3", "²"])
def test_minutes_that_are_not_a_whole_number_are_refused_not_dropped(app, client, running,
                                                                      create_user, typed):
    """The register is sent without the browser's checks: "45.5" minutes is refused on its
    row, in the reader's language, and nothing is written (it was dropped, and the person
    recorded present with no minutes, which a certificate reads as the whole session)."""
    first, second = _two_on_the_register(app, running, create_user)
    login(client, "coord@example.org")
    response = client.post(f"/sessions/{running['session']}/attendance?lang=es", data={
        f"status-{first}": "present", f"status-{second}": "partial",
        f"minutes-{second}": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Indique los minutos de asistencia con un número entero." in html
    minutes = re.search(rf'<input[^>]*name="minutes-{second}"[^>]*>', html).group(0)
    assert f'value="{typed}"' in minutes and 'aria-invalid="true"' in minutes
    with app.app_context():
        assert db.session.scalars(select(Attendance)).all() == []


def test_marking_everyone_present_says_to_how_many_first_and_acts_when_confirmed(
        app, client, running, create_user):
    """A bulk action: the first click shows who it records (those registered without a
    mark) and writes nothing; confirmed, it marks them; with nobody left, it is refused."""
    first, second = _two_on_the_register(app, running, create_user)
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance/all-present"
    client.post(f"/sessions/{running['session']}/attendance",
                data={f"status-{first}": "excused"})
    response = client.post(url + "?lang=fr")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("1 personne inscrite sans statut de présence est enregistrée comme présente pour "
            "toute la durée de la séance.") in html
    with app.app_context():
        assert [a.registration_id for a in db.session.scalars(select(Attendance))] == [first]
    response = client.post(url + "?lang=en", data={"confirmed": "1"}, follow_redirects=True)
    assert "1 person marked present." in response.get_data(as_text=True)
    with app.app_context():
        marks = {a.registration_id: a.status.value for a in
                 db.session.scalars(select(Attendance))}
        assert marks == {first: "excused", second: "present"}
    response = client.post(url, follow_redirects=True)
    assert "Everyone registered already has a mark." in response.get_data(as_text=True)


def _both_present_then_corrected(app, client, running, create_user):
    """The register of the running session as the coordinator's page shows it with both
    people present, and who corrects the first to absent meanwhile: another host."""
    first, second = _two_on_the_register(app, running, create_user)
    other = create_user("host.b@example.org", roles=["coordinator"], given_name="Host",
                        family_name="Bravo")
    with app.app_context():
        for row_id in (first, second):
            services.mark(db.session.get(Registration, row_id), "present", minutes=90,
                          actor=db.session.get(User, running["coordinator"]))
        db.session.commit()
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    shown = filled_form(client.get(url).get_data(as_text=True), f"status-{first}")
    with app.app_context():
        services.mark(db.session.get(Registration, first), "absent", minutes=0,
                      actor=db.session.get(User, other), reason="She never connected.")
        db.session.commit()
    return first, second, url, shown


def _statuses(app):
    with app.app_context():
        return {a.registration_id: a.status.value for a in db.session.scalars(
            select(Attendance))}


def test_a_register_saved_from_a_page_shown_before_a_correction_keeps_it(
        app, client, running, create_user):
    """Host B corrects the first person to absent; host A, whose page still shows her
    present, marks the second as partly present and saves: the second is recorded, the
    first stays absent (she was put back to present, without a reason, and the certificate
    the correction revoked was valid again)."""
    first, second, url, shown = _both_present_then_corrected(app, client, running, create_user)
    shown[f"status-{second}"], shown[f"minutes-{second}"] = "partial", "30"
    response = client.post(url + "?lang=en", data=shown, follow_redirects=True)
    assert _statuses(app) == {first: "absent", second: "partial"}
    assert "1 attendance recorded." in response.get_data(as_text=True)


def test_changing_a_mark_changed_since_the_page_was_shown_is_refused_and_kept_to_send_again(
        app, client, running, create_user):
    """Host A changes the first person (whom host B has meanwhile corrected) and the second:
    nothing is recorded, the page says who changed whose attendance to what, and shows A's
    entries again with the marks as they are now; sent again as shown, A's entries are
    recorded."""
    first, second, url, shown = _both_present_then_corrected(app, client, running, create_user)
    shown[f"status-{first}"] = "excused"
    shown[f"status-{second}"], shown[f"minutes-{second}"] = "partial", "30"
    response = client.post(url + "?lang=en", data=shown)
    assert _statuses(app) == {first: "absent", second: "present"}
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and markup_problems(html) == []
    assert ("While this page was open, \u2068Host Bravo\u2069 changed Attendance of "
            "\u2068Test Person\u2069 (now: \u2068Absent\u2069). Nothing was saved") in html
    first_select = re.search(rf'<select[^>]*name="status-{first}".*?</select>', html, re.S)
    assert 'aria-invalid="true"' in first_select.group(0)
    assert '<option value="excused" selected>' in first_select.group(0)
    assert _register_refusal(html)[1] == [f"#status-{first}"]  # the row changed meanwhile
    again = filled_form(html, f"status-{first}")
    assert (again[f"status-{second}"], again[f"minutes-{second}"]) == ("partial", "30")
    response = client.post(url + "?lang=en", data=again, follow_redirects=True)
    assert "2 attendances recorded." in response.get_data(as_text=True)
    assert _statuses(app) == {first: "excused", second: "partial"}


def test_nothing_is_recorded_for_a_session_cancelled_while_its_register_was_open(
        app, client, running, create_user):
    """Host B cancels the session while host A has its register open: A's save and "Mark
    everyone present" are refused with the reason, and record nothing."""
    first, second = _two_on_the_register(app, running, create_user)
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    shown = filled_form(client.get(url).get_data(as_text=True), f"status-{first}")
    with app.test_request_context():
        sessions.cancel_session(db.session.get(TrainingSession, running["session"]),
                                reason="The speaker could not connect.",
                                actor=db.session.get(User, running["coordinator"]))
        db.session.commit()
    shown[f"status-{first}"] = "present"
    response = client.post(url + "?lang=fr", data=shown)
    assert _statuses(app) == {}
    assert response.status_code == 200
    assert "Cette séance est annulée\u00a0: aucune présence n’est enregistrée." in \
        response.get_data(as_text=True)
    for confirmed in ({}, {"confirmed": "1"}):
        response = client.post(url + "/all-present?lang=en", data=confirmed,
                               follow_redirects=True)
        assert "This session is cancelled: no attendance is recorded." in response.get_data(
            as_text=True)
    assert _statuses(app) == {}


def _person_in_registry(app, given, family, email):
    with app.app_context():
        person = registry.create_person({"given_name": given, "family_name": family,
                                         "email": email}, actor=None)
        db.session.commit()
        return person.id


def test_the_coordinator_adds_a_walk_in_found_by_name_and_marks_them_present(
        app, client, running):
    from gfp_portal.sessions.models import Registration
    kofi = _person_in_registry(app, "Kofi", "Mensah", "kofi.mensah@example.org")
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    html = client.get(url + "?walk_in=mensah").get_data(as_text=True)
    assert "Kofi Mensah" in html and f'name="person" value="{kofi}"' in html
    assert "Amina" not in client.get(url + "?walk_in=amina").get_data(as_text=True).split(
        'id="walk-in"')[1]  # already registered
    response = client.post(url + "/walk-in", data={"person": str(kofi)}, follow_redirects=True)
    assert "Kofi Mensah is added as a walk-in and marked present." in response.get_data(
        as_text=True)
    with app.app_context():
        row = db.session.scalars(select(Registration).filter_by(person_id=kofi)).one()
        attendance = services.attendance_of(row)
        assert (row.status, attendance.status, attendance.source) == \
            ("registered", "present", "manual")


@pytest.mark.parametrize("value", ["", "abc", "99999999", "-1", "9" * 20])
def test_a_walk_in_for_nobody_is_refused_with_a_message(app, client, running, value):
    from gfp_portal.sessions.models import Registration
    login(client, "coord@example.org")
    response = client.post(f"/sessions/{running['session']}/attendance/walk-in",
                           data={"person": value}, follow_redirects=True)
    assert response.status_code == 200
    assert "Choose the person to add" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Registration.id))) == 1


def test_focal_points_cannot_add_walk_ins(client, running):
    login(client, "amina.diallo@example.org")
    response = client.post(f"/sessions/{running['session']}/attendance/walk-in",
                           data={"person": str(running["person"])})
    assert response.status_code == 403


def test_the_import_offers_unregistered_people_of_the_registry_as_walk_ins(app, client,
                                                                           running):
    from gfp_portal.sessions.models import Registration
    host = _person_in_registry(app, "Host", "Person", "host.person@example.org")
    login(client, "coord@example.org")
    data = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()
    url = f"/sessions/{running['session']}/attendance/import"
    html = client.post(url, data={"file": (io.BytesIO(data), "Attendance.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="(walk-in-\d+)"[^>]*>', html)
    assert box and f'value="{host}"' in box.group(0) and "checked" not in box.group(0)
    assert "Add as a walk-in" in html
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(url + "/confirm", data={"token": token, "filename": "Attendance.csv",
                                                   box.group(1): str(host)})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalars(select(Registration).filter_by(person_id=host)).one()
        attendance = services.attendance_of(row)
        assert (row.status, attendance.status, attendance.source) == \
            ("registered", "present", "import")


def test_a_coordinator_who_attended_evaluates_then_reads_the_results(app, client, running,
                                                                      create_user):
    """An account may hold several roles: a coordinator who is also a focal point attended
    the session; the link "Evaluate the session" opens the form, and the results once
    answered."""
    user_id = create_user("both@example.org", roles=("focal_point", "coordinator"))
    with app.app_context():
        user = db.session.get(User, user_id)
        appoint_undp_alternate(user)
        session = db.session.get(TrainingSession, running["session"])
        session.starts_at = datetime.now(UTC) + timedelta(days=1)  # registered beforehand
        session.ends_at = session.starts_at + timedelta(minutes=90)
        row = registration.register(session, user.person, actor=None, by_coordinator=True,
                                    notify=False)
        services.mark(row, "present", actor=None)
        session.starts_at = datetime.now(UTC) - timedelta(minutes=100)
        session.ends_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()
    login(client, "both@example.org")
    url = f"/sessions/{running['session']}/evaluation?lang=en"
    assert "Evaluate the session" in client.get(f"/sessions/{running['session']}?lang=en") \
        .get_data(as_text=True)
    assert "Send my evaluation" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"applicable": "yes", "rating": "good", "belonging": "yes",
                                  "empowered": "no"}).status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Send my evaluation" not in html and 'name="rating"' not in html


def test_the_evaluation_form_says_when_it_closes_in_the_readers_zone(app, client, running):
    """Fourteen days after the session's end, read where the participant is (Tokyo), in the
    page's language."""
    ends = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        row = db.session.scalars(select(Registration).filter_by(
            session_id=session.id, person_id=running["person"])).one()
        services.mark(row, "present", actor=None)
        session.starts_at, session.ends_at = ends - timedelta(minutes=90), ends
        db.session.scalars(select(User).filter_by(person_id=running["person"])).one() \
            .time_zone = "Asia/Tokyo"
        db.session.commit()
    login(client, "amina.diallo@example.org")
    url = f"/sessions/{running['session']}/evaluation"
    closes = ends + timedelta(days=14)
    for language, sentence in (("en", "The evaluation closes on %s"),
                               ("fr", "L’évaluation sera close le %s")):
        page = client.get(f"{url}?lang={language}").get_data(as_text=True)
        assert 'name="rating"' in page
        reading = format_datetime(closes, "short", tzinfo=ZoneInfo("Asia/Tokyo"),
                                  locale=language)
        assert sentence % f"{reading} Tokyo (\u2066UTC+9\u2069)." in page


def test_an_evaluation_sent_just_after_its_window_closed_gives_the_answers_back(
        app, client, running):
    comment = "The Nairobi examples were the most useful; please repeat the panel on parity."
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        row = db.session.scalars(select(Registration).filter_by(
            session_id=session.id, person_id=running["person"])).one()
        services.mark(row, "present", actor=None)
        session.starts_at = datetime.now(UTC) - timedelta(minutes=100)
        session.ends_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()
    login(client, "amina.diallo@example.org")
    url = f"/sessions/{running['session']}/evaluation?lang=en"
    assert 'name="comment"' in client.get(url).get_data(as_text=True)
    # While the person writes, the evaluation period ends.
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        session.starts_at -= timedelta(days=400)
        session.ends_at -= timedelta(days=400)
        db.session.commit()
    response = client.post(url, data={"applicable": "yes", "rating": "good", "belonging": "yes",
                                      "empowered": "no", "comment": comment})
    page = response.get_data(as_text=True)
    assert page.count("The evaluation of this session is closed.") == 1
    assert comment in page
    assert "Send my evaluation" not in page  # shown to copy, not to send
    answers = page[page.find('id="answers-kept"'):]
    assert "Good" in answers and "No" in answers
    assert markup_problems(page) == []
    # Nothing was sent: the page shows no answers.
    assert 'id="answers-kept"' not in client.get(url).get_data(as_text=True)


def test_a_refused_evaluation_says_why_once(app, client, running):
    """Sent by someone who did not attend, a second time, or once the evaluation closed: the
    page says why once, not in a message above and again in its body."""
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        session.starts_at = datetime.now(UTC) - timedelta(minutes=100)
        session.ends_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()
    login(client, "amina.diallo@example.org")
    url = f"/sessions/{running['session']}/evaluation?lang=en"
    answers = {"applicable": "yes", "rating": "good", "belonging": "yes", "empowered": "no"}

    def said_once(reason):
        for page in (client.post(url, data=answers), client.get(url)):
            assert page.status_code == 200
            assert page.get_data(as_text=True).count(reason) == 1

    said_once("Only people who attended the session evaluate it.")
    with app.app_context():
        services.mark(db.session.scalars(select(Registration).filter_by(
            session_id=running["session"], person_id=running["person"])).one(), "present",
            actor=None)
        db.session.commit()
    assert client.post(url, data=answers).status_code == 302
    said_once("You have already evaluated this session; thank you.")
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        session.starts_at -= timedelta(days=400)
        session.ends_at -= timedelta(days=400)
        db.session.commit()
    said_once("You have already evaluated this session; thank you.")


def test_the_evaluation_of_a_session_cancelled_after_its_check_in_shows_why_and_no_form(
        app, client, running):
    """Checked in, then the session is cancelled: the evaluation page says why once and
    offers no form to fill in, on opening it as when answers are sent."""
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        services.mark(db.session.scalars(select(Registration).filter_by(
            session_id=session.id, person_id=running["person"])).one(), "present", actor=None)
        session.starts_at = datetime.now(UTC) - timedelta(minutes=100)
        session.ends_at = datetime.now(UTC) - timedelta(minutes=10)
        session.status = "cancelled"
        db.session.commit()
    login(client, "amina.diallo@example.org")
    url = f"/sessions/{running['session']}/evaluation?lang=en"
    answers = {"applicable": "yes", "rating": "good", "belonging": "yes", "empowered": "no"}
    for page in (client.get(url), client.post(url, data=answers)):
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert html.count("This session was cancelled: it is not evaluated.") == 1
        assert "Send my evaluation" not in html


def test_the_register_of_a_cancelled_session_is_shown_read_only(app, client, running):
    """Its marks are kept and shown, with why nothing more is recorded: no save, no "Mark
    everyone present", no check-in code to show, no report to import."""
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        services.mark(db.session.scalars(select(Registration).filter_by(
            session_id=session.id, person_id=running["person"])).one(), "present", actor=None)
        session.status = "cancelled"
        db.session.commit()
        code = services.check_in_code(session)
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    html = client.get(url + "?lang=en").get_data(as_text=True)
    assert html.count("This session is cancelled: no attendance is recorded.") == 1
    assert 'value="present" selected' in html
    for action in ("Save the register", "Mark everyone registered as present",
                   "Show a new code", "/attendance/all-present", "/attendance/rotate-code",
                   "/attendance/import", code, "<svg"):
        assert action not in html
    assert markup_problems(html) == []
    french = client.get(url + "?lang=fr").get_data(as_text=True)
    assert "Cette séance est annulée\u00a0: aucune présence n’est enregistrée." in french
    refused = client.post(url + "/all-present?lang=en", data={"confirmed": "1"},
                          follow_redirects=True).get_data(as_text=True)
    assert refused.count("This session is cancelled: no attendance is recorded.") == 1


def test_a_report_uploaded_for_a_cancelled_session_is_refused_with_the_reason(
        app, client, running):
    with app.app_context():
        db.session.get(TrainingSession, running["session"]).status = "cancelled"
        db.session.commit()
    login(client, "coord@example.org")
    data = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()
    response = client.post(f"/sessions/{running['session']}/attendance/import?lang=fr",
                           data={"file": (io.BytesIO(data), "Attendance.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert html.count("Cette séance est annulée\u00a0: aucune présence n’est enregistrée.") == 1
    assert 'name="token"' not in html


def test_the_register_of_a_draft_offers_none_of_its_actions(app, client, running):
    """A draft has not been held: its register says so, with no "Mark everyone present", no
    check-in code to show and no report to import; a code asked for anyway is refused."""
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        db.session.execute(delete(Registration).where(Registration.session_id == session.id))
        session.status = "draft"
        db.session.commit()
        code = services.check_in_code(session)
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    html = client.get(url + "?lang=en").get_data(as_text=True)
    draft = "This session is a draft: no attendance is recorded until it is published."
    assert html.count(draft) == 1
    for action in ("Save the register", "Mark everyone registered as present",
                   "Show a new code", "/attendance/all-present", "/attendance/rotate-code",
                   "/attendance/import", code, "<svg"):
        assert action not in html
    assert markup_problems(html) == []
    refused = client.post(url + "/rotate-code?lang=en", data={"confirmed": "1"},
                          follow_redirects=True).get_data(as_text=True)
    assert refused.count(draft) == 1
    with app.app_context():
        assert db.session.scalars(select(CheckInCode)).all() == []
    for lang in ("fr", "es", "ar"):
        page = client.get(url + f"?lang={lang}").get_data(as_text=True)
        assert draft not in page and "<svg" not in page
    assert "Cette séance est un brouillon\u00a0: aucune présence n’est enregistrée" in \
        client.get(url + "?lang=fr").get_data(as_text=True)


def _evaluation_open(app, running):
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        row = db.session.scalars(select(Registration).filter_by(
            session_id=session.id, person_id=running["person"])).one()
        services.mark(row, "present", actor=None)
        session.starts_at = datetime.now(UTC) - timedelta(minutes=100)
        session.ends_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()
    return f"/sessions/{running['session']}/evaluation?lang=en"


ANSWERS = {"applicable": "yes", "rating": "good", "belonging": "yes", "empowered": "no"}


def _evaluations(app):
    with app.app_context():
        return db.session.scalars(select(EvaluationAnswer)).all()


def test_a_comment_the_browser_let_through_is_recorded(app, client, running):
    """The box counts a line break as one character against its maxlength; the browser sends
    it as CR LF, two: the comment it allowed was refused."""
    url = _evaluation_open(app, running)
    login(client, "amina.diallo@example.org")
    box = next(e for e in parse(client.get(url).get_data(as_text=True))
               if e.attrs.get("name") == "comment")
    lines = ["x" * 99] * 40
    assert len("\n".join(lines)) <= int(box.attrs["maxlength"])
    response = client.post(url, data={**ANSWERS, "comment": "\r\n".join(lines)})
    assert response.status_code == 302
    answer, = _evaluations(app)
    assert answer.comment == "\n".join(lines)


def test_a_refused_comment_says_why(app, client, running):
    url = _evaluation_open(app, running)
    login(client, "amina.diallo@example.org")
    response = client.post(url, data={**ANSWERS, "comment": "y" * 4001})
    assert response.status_code == 200 and _evaluations(app) == []
    page = response.get_data(as_text=True)
    box = next(e for e in parse(page) if e.attrs.get("name") == "comment")
    assert box.attrs.get("aria-invalid") == "true"
    error = next(e for e in parse(page) if e.attrs.get("id") in
                 box.attrs.get("aria-describedby", "").split())
    assert "4000" in error.all_text().replace(",", "").replace("\u202f", "")
    assert box.attrs.get("dir") == "auto" and "y" * 4001 in page  # kept as typed
    assert markup_problems(page) == []


def _register_refusal(html):
    """The register's box of what it refused, and the links in it."""
    elements = parse(html)
    box = next(e for e in elements if e.attrs.get("id") == "register-refusal")
    return box, [a.attrs["href"] for a in elements if a.tag == "a" and inside(a, box)]


def _title(html):
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


def test_a_refused_register_leads_to_the_refused_field_and_says_so_in_the_title(
        app, client, running, create_user):
    """A register of many rows refused for one of them (minutes below zero): the box at its
    top links to that field, which its page may show far below, names it, takes the focus
    (tabindex, as a form's summary), and the title says that the page holds an error."""
    first, second = _two_on_the_register(app, running, create_user)
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    fresh = _title(client.get(url + "?lang=en").get_data(as_text=True))
    html = client.post(url + "?lang=en", data={
        f"status-{first}": "present", f"status-{second}": "partial",
        f"minutes-{second}": "-5"}).get_data(as_text=True)
    assert _title(html) == "Error: " + fresh
    box, links = _register_refusal(html)
    assert links == [f"#minutes-{second}"]
    assert box.attrs.get("tabindex") == "-1" and "error-summary" in box.attrs["class"]
    words = " ".join(box.all_text().split())
    assert "Minutes attended by Jonas Berg" in words
    assert "Minutes attended must be between 0 and 180." in words
    assert markup_problems(html) == []


def test_a_register_refused_for_its_reason_leads_to_the_reason(app, client, running,
                                                                create_user):
    """A status recorded long ago changed without a reason: the box links to the reason."""
    first, second = _two_on_the_register(app, running, create_user)
    with app.app_context():
        services.mark(db.session.get(Registration, first), "present", minutes=90, actor=None,
                      now=datetime.now(UTC) - timedelta(hours=2))
        db.session.commit()
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    html = client.post(url + "?lang=en", data={f"status-{first}": "absent",
                                               f"minutes-{first}": "90"}).get_data(as_text=True)
    assert _title(html).startswith("Error: ")
    box, links = _register_refusal(html)
    assert links == ["#reason"]
    assert "Give the reason for correcting a recorded attendance." in box.all_text()
    assert markup_problems(html) == []


def test_a_session_opened_from_a_page_of_the_evaluation_results_leads_back_to_it(
        app, client, ctx, coordinator, make_session, monkeypatch):
    """Page 2 of the evaluation results per session, one opened: its breadcrumb leads back
    to that page of the results, not to the list of sessions."""
    for n in range(2):
        session = make_session(title_en=f"Parity clinic {n}")
        db.session.add_all(EvaluationAnswer(session_id=session.id, applicable=True,
                                            rating="good", belonging=True, empowered=False)
                           for __ in range(5))
    db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    login(client, "coord@example.org")
    listing = "/sessions/evaluations?page=2"
    link = next(link for link in page_links(client.get(listing).get_data(as_text=True))
                if re.match(r"/sessions/\d+/evaluation(\?|$)", link))
    trail = breadcrumb_links(client.get(link).get_data(as_text=True))
    assert listing in trail and "/sessions/" not in trail


@pytest.fixture
def register_from_figures(app, client, reference, create_user, make_session, monkeypatch):
    """(page 2 of the attendance figures per session, the link there to a session's attendance
    register), as the coordinator signed in on `client` sees them."""
    create_user("coord.figures@example.org", roles=["coordinator"])
    fp = create_user("sina@undp.org", roles=["focal_point"])
    with app.app_context():
        person = appoint_undp_alternate(db.session.get(User, fp)).person
        for n in range(2):
            session = make_session(starts_in=timedelta(days=n + 1), title_en=f"Briefing {n}")
            registration.register(session, person, actor=None, notify=False, now=NOW)
        db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    login(client, "coord.figures@example.org")
    listing = "/sessions/attendance-figures?by=session&page=2"
    link = next(link for link in page_links(client.get(listing).get_data(as_text=True))
                if re.match(r"/sessions/\d+/attendance(\?|$)", link))
    return listing, link


def test_a_session_opened_from_a_page_of_the_attendance_figures_leads_back_to_it(
        client, register_from_figures):
    """Page 2 of the attendance figures per session, one opened: the breadcrumb of its
    attendance register leads back to that page of the figures."""
    listing, link = register_from_figures
    trail = breadcrumb_links(client.get(link).get_data(as_text=True))
    assert listing in trail and "/sessions/" not in trail


def test_the_register_opened_from_a_page_of_the_figures_keeps_the_way_back_through_its_actions(
        client, register_from_figures):
    """The attendance register opened from page 2 of the attendance figures: after the marks
    are saved, a new check-in code shown, everyone marked present and a walk-in added, its
    breadcrumb still leads back to that page of the figures."""
    listing, link = register_from_figures
    answer = client.post(link, data=filled_form(client.get(link).get_data(as_text=True),
                                                "reason"))
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert listing in breadcrumb_links(page)
    for action in ("/rotate-code", "/all-present"):
        page = sent_from(client, page, action)
        assert listing in breadcrumb_links(page), action
    walk_in = link.replace("/attendance", "/attendance/walk-in", 1)
    answer = client.post(walk_in, data={"person": ""})  # nobody chosen: back, refused
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Choose the person to add" in page and listing in breadcrumb_links(page)


def test_a_report_imported_on_the_register_opened_from_the_figures_keeps_the_way_back(
        client, register_from_figures):
    """The attendance register opened from page 2 of the attendance figures: once a report
    is refused, or previewed, and once a preview that expired is confirmed, the register
    still leads back to that page of the figures; a way back that is not the figures on this
    site is left out."""
    listing, link = register_from_figures
    register = client.get(link).get_data(as_text=True)
    upload = re.findall(r'<form[^>]*action="([^"]*/attendance/import[^"]*)"', register)[0]
    upload = upload.replace("&amp;", "&")
    for sent in ({"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")}, {}):  # refused, missing
        answer = client.post(upload, data=sent, content_type="multipart/form-data")
        assert answer.status_code == 302
        page = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert listing in breadcrumb_links(page), sent
    data = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()
    preview = client.post(upload, data={"file": (io.BytesIO(data), "Attendance.csv")},
                          content_type="multipart/form-data").get_data(as_text=True)
    way_back = next(link for link in page_links(preview)
                    if re.match(r"/sessions/\d+/attendance(\?|$)", link))
    assert listing in breadcrumb_links(client.get(way_back).get_data(as_text=True))
    page = sent_from(client, preview, "/attendance/import/confirm", token="expired")
    assert "This preview has expired" in page and listing in breadcrumb_links(page)
    for elsewhere in ("https://elsewhere.example.org/sessions/attendance-figures",
                      "//elsewhere.example.org/", "/admin/users/"):
        answer = client.post(upload.split("?")[0], query_string={"back": elsewhere},
                             data={}, content_type="multipart/form-data")
        trail = breadcrumb_links(client.get(answer.headers["Location"]).get_data(as_text=True))
        assert "/sessions/" in trail and elsewhere not in trail
