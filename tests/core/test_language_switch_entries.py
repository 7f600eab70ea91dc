"""Every form that the answer to a POST shows again keeps what was typed through the header's
language switch, as the forms saved by save_form do: the same page in the other language,
the entries in it, and nothing saved, audited, emailed or queued, also when the entries
would pass (core.http.LANGUAGE_ONLY)."""
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from gfp_portal.accounts.models import User
from gfp_portal.accounts.passwords import verify_password
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.jobs import Job
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from tests.admin.test_settings import VALID as SETTINGS
from tests.attendance.test_views import _two_on_the_register
from tests.helpers import PASSWORD, PDF, login, switch_to
from tests.markup import filled_form
from tests.nominations.test_join_views import form as join_form
from tests.nominations.test_join_views import malawi  # noqa: F401 — a fixture
from tests.practices.test_views import world  # noqa: F401 — a fixture
from tests.privacy.test_views import leaver  # noqa: F401 — a fixture
from tests.sessions.test_views import network  # noqa: F401 — a fixture

TYPED = "Typed-entry"


def traces(app):
    """What a save leaves: audit events, emails, jobs."""
    with app.app_context():
        return [db.session.scalar(select(func.count()).select_from(model))
                for model in (AuditEvent, OutboxMessage, Job)]


def shown(page):
    """The page without the language switch's own form, which carries the entries hidden."""
    return page.split('id="language-switch"')[0]


@dataclass
class Sent:
    """A form of a page: where it is sent, entries it refuses and entries it would save
    (each a function, since a file is read once), and what shows them on a page."""
    path: str
    refused: Callable | None
    passing: Callable
    mark: str = TYPED
    passing_mark: str | None = None
    status: int = 200  # of the refused page


def changed(entries, changes):
    """`entries` (a MultiDict a page's form sends) with `changes` in place of their values."""
    entries = entries.copy()
    for name, value in changes.items():
        entries[name] = value
    return entries


def _decision(action):
    def setup(request, client):
        nomination = request.getfixturevalue("kenya_nomination")
        assert login(client, "coord@example.org").status_code == 302
        return Sent(f"/nominations/{nomination['id']}/{action}",
                    lambda: {"text": TYPED + "x" * 4000}, lambda: {"text": TYPED}, status=400)
    return setup


def _practice_decision(request, client):
    practices = request.getfixturevalue("world")
    assert login(client, "coord@example.org").status_code == 302
    return Sent(f"/practices/{practices['pending']}/request-changes",
                lambda: {"text": TYPED + "x" * 4000}, lambda: {"text": TYPED}, status=400)


def _profile(request, client):
    request.getfixturevalue("reference")
    request.getfixturevalue("login_as")("focal_point")
    entries = filled_form(client.get("/me").get_data(as_text=True), "profile-phone")
    entries = changed(entries, {"profile-position_title": TYPED,
                                "profile-submit": "Save my profile"})
    return Sent("/me", lambda: changed(entries, {"profile-phone": "1" * 65}), lambda: entries)


def _settings(request, client):
    request.getfixturevalue("login_as")("admin")
    passing = {**SETTINGS, "induction_terms": "typed-entry"}
    return Sent("/admin/settings", lambda: passing | {"alert_days": "soon"}, lambda: passing,
                mark='value="typed-entry"')


NOMINEE = {"scope": "KEN", "entity": "UNICEF", "role": "focal_point", "replaces": "0",
           "given_name": TYPED, "family_name": "Kamau", "email": "w.kamau@unicef.org",
           "position_title": "Education Specialist", "grade": "P-4", "duty_station": "0",
           "preferred_language": "en", "time_share": "20", "tor_acknowledged": "y",
           "justification": "Experienced and willing.", "submit": "Submit"}


def _nomination(request, client):
    request.getfixturevalue("kenya_nomination")
    assert login(client, "rc.kenya@example.org").status_code == 302
    return Sent("/nominations/new", lambda: NOMINEE | {"family_name": ""}, lambda: NOMINEE)


def _nomination_edit(request, client):
    nomination = request.getfixturevalue("kenya_nomination")
    path = f"/nominations/{nomination['id']}"
    assert login(client, "coord@example.org").status_code == 302
    assert client.post(f"{path}/request-changes", data={"text": "The grade."}).status_code \
        == 302
    client.post("/logout")
    assert login(client, "rc.kenya@example.org").status_code == 302
    entries = filled_form(client.get(f"{path}/edit").get_data(as_text=True), "given_name")
    # What UN-SWAP asks, so that no warning holds the nomination back.
    entries = changed(entries, {"given_name": TYPED, "grade": "P-4", "time_share": "20",
                                "tor_acknowledged": "y", "submit": "Submit"})
    return Sent(f"{path}/edit", lambda: changed(entries, {"family_name": ""}),
                lambda: entries)


def _join(request, client):
    request.getfixturevalue("malawi")
    return Sent("/join", lambda: join_form(given_name=TYPED, family_name=""),
                lambda: join_form(given_name=TYPED))


def _plan(request, client):
    request.getfixturevalue("reference")
    request.getfixturevalue("login_as")("coordinator")
    assert client.post("/plans/periods", data={
        "name": "2025–2027", "first_year": "2025", "last_year": "2027",
        "deadline": "2027-03-31"}).status_code == 302
    page = client.get("/plans/new").get_data(as_text=True)
    unicef = re.search(r'<option value="(\d+)">UNICEF<', page).group(1)
    entries = changed(filled_form(page, "entity"), {"entity": unicef})
    return Sent("/plans/new", None, lambda: entries,
                mark=f'<option selected value="{unicef}">UNICEF<')


def _appointment(request, client):
    request.getfixturevalue("reference")
    create_user = request.getfixturevalue("create_user")
    create_user("coord@example.org", roles=["coordinator"])
    person_id = _person_of(request, create_user("newcomer@example.org"))
    assert login(client, "coord@example.org").status_code == 302
    entries = {"role": "focal_point", "entity": "UNICEF", "scope": "HQ",
               "start_date": "2027-06-01", "time_share": "30", "appointed_by_name": TYPED}
    return Sent(f"/registry/people/{person_id}/appointments/new",
                lambda: entries | {"end_date": "2027-05-31"}, lambda: entries)


def _person_of(request, user_id):
    with request.getfixturevalue("app").app_context():
        return db.session.get(User, user_id).person_id


def _anonymisation(request, client):
    person_id = request.getfixturevalue("leaver")[1]
    request.getfixturevalue("create_user")("coord@example.org", roles=["coordinator"])
    assert login(client, "coord@example.org").status_code == 302
    return Sent(f"/registry/people/{person_id}/anonymise", lambda: {"family_name": TYPED},
                lambda: {"family_name": "quillfeatherova"}, mark=f'value="{TYPED}"',
                passing_mark='value="quillfeatherova"')


def _register(request, client):
    app, running = request.getfixturevalue("app"), request.getfixturevalue("running")
    first, second = _two_on_the_register(app, running,
                                         request.getfixturevalue("create_user"))
    assert login(client, "coord@example.org").status_code == 302
    return Sent(f"/sessions/{running['session']}/attendance",
                lambda: {f"status-{first}": "excused", f"status-{second}": "partial",
                         f"minutes-{second}": "999"},
                lambda: {f"status-{first}": "excused", f"status-{second}": "partial",
                         f"minutes-{second}": "45"},
                mark='value="999"', passing_mark='value="45"')


def _session(request, client):
    session_id = request.getfixturevalue("network")["session"]
    assert login(client, "coord@example.org").status_code == 302
    path = f"/sessions/{session_id}/edit"
    entries = filled_form(client.get(path).get_data(as_text=True), "title_en")
    entries["title_en"] = TYPED
    return Sent(path, lambda: changed(entries, {"capacity": ""}), lambda: entries)


def _login(request, client):
    request.getfixturevalue("create_user")("typed-entry@example.org")
    entries = {"email": "typed-entry@example.org", "password": PASSWORD}
    return Sent("/login", lambda: entries | {"password": "not the password"}, lambda: entries,
                mark='value="typed-entry@example.org"')


def _reset(request, client):
    request.getfixturevalue("create_user")("typed-entry@example.org")
    return Sent("/password/reset", lambda: {"email": "typed-entry@"},
                lambda: {"email": "typed-entry@example.org"}, mark='value="typed-entry@')


FORMS = {
    "nomination rejection": _decision("reject"),
    "nomination changes asked": _decision("request-changes"),
    "practice changes asked": _practice_decision,
    "own profile": _profile,
    "settings": _settings,
    "nomination": _nomination,
    "nomination changed": _nomination_edit,
    "request to join": _join,
    "implementation plan": _plan,
    "appointment": _appointment,
    "anonymisation": _anonymisation,
    "attendance register": _register,
    "session": _session,
    "sign-in": _login,
    "password reset": _reset,
}


def _data(entries):
    """Entries as a test client sends them: a form with a file, as multipart."""
    return {"data": entries, **({"content_type": "multipart/form-data"} if any(
        isinstance(value, tuple) for value in entries.values()) else {})}


def as_switched(entries):
    """The entries as the language switch sends them."""
    if isinstance(entries, MultiDict):
        return changed(entries, {"lang_only": "1"})
    return {**entries, "lang_only": "1"}


@pytest.mark.parametrize("name", [name for name in FORMS if name != "implementation plan"])
def test_a_refused_form_comes_back_in_the_other_language_with_the_entries(app, client,
                                                                          request, name):
    sent = FORMS[name](request, client)
    refused = client.post(sent.path, **_data(sent.refused()))
    assert refused.status_code == sent.status
    assert sent.mark in shown(refused.get_data(as_text=True))
    before = traces(app)

    switched = switch_to(client, refused.get_data(as_text=True), "fr")

    assert (switched.status_code, switched.request.path) == (sent.status, sent.path)
    page = switched.get_data(as_text=True)
    assert '<html lang="fr"' in page and sent.mark in shown(page)
    assert traces(app) == before


@pytest.mark.parametrize("name", FORMS)
def test_entries_that_would_pass_sent_by_the_switch_are_shown_and_never_saved(
        app, client, request, name):
    sent = FORMS[name](request, client)
    before = traces(app)
    switched = client.post(f"{sent.path}?lang=ar", **_data(as_switched(sent.passing())))
    assert switched.status_code == 200
    page = switched.get_data(as_text=True)
    assert '<html lang="ar"' in page and (sent.passing_mark or sent.mark) in shown(page)
    assert traces(app) == before
    # Sent without the switch, the same entries are saved.
    assert client.post(sent.path, **_data(sent.passing())).status_code == 302


def test_a_plan_status_refused_comes_back_in_the_other_language(client, request):
    sent = _plan(request, client)
    created = client.post(sent.path, data=sent.passing())
    path = created.headers["Location"].split("?")[0] + "/status"
    refused = client.post(path, data={"status": "bogus"})
    assert refused.status_code == 400

    switched = switch_to(client, refused.get_data(as_text=True), "es")

    assert (switched.status_code, switched.request.path) == (400, path)
    assert '<html lang="es"' in switched.get_data(as_text=True)


def test_the_switch_never_signs_in(client, request):
    sent = _login(request, client)
    client.post("/login?lang=fr", data={**sent.passing(), "lang_only": "1"})
    assert client.get("/me").status_code == 302  # to the sign-in page


def test_the_switch_never_changes_a_password(app, client, login_as):
    user_id = login_as("focal_point")
    page = client.post("/me", data={"pw-current_password": PASSWORD,
                                    "pw-password": "a brand new passphrase 2",
                                    "pw-confirm": "a brand new passphrase 2",
                                    "pw-submit": "Change password", "lang_only": "1"})
    assert page.status_code == 200
    with app.app_context():
        assert verify_password(db.session.get(User, user_id).password_hash, PASSWORD)


def test_the_switch_never_changes_the_preferences(app, client, login_as):
    user_id = login_as("focal_point")
    page = client.post("/me?lang=es", data={"prefs-locale": "ar", "prefs-time_zone": "Asia/Tokyo",
                                            "prefs-submit": "Save preferences",
                                            "lang_only": "1"})
    assert page.status_code == 200 and '<html lang="es"' in page.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.locale, user.time_zone) == ("en", "UTC")


def test_the_switch_of_a_page_of_several_forms_passes_the_token_check(
        app, client, login_as, reference, monkeypatch):
    """/me holds several forms, each with a token of its own name ("profile-csrf_token"):
    the page's one token, which the switch sends, is taken for them."""
    login_as("focal_point")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    entries = changed(filled_form(client.get("/me").get_data(as_text=True), "profile-phone"),
                      {"profile-phone": "1" * 65, "profile-submit": "Save my profile"})
    refused = client.post("/me", data=entries).get_data(as_text=True)

    switched = switch_to(client, refused, "fr").get_data(as_text=True)

    assert "1" * 65 in shown(switched)
    assert "CSRF" not in switched


def test_the_settings_gone_back_to_from_their_confirmation_come_back_in_the_other_language(
        app, client, login_as):
    """"No, go back" on the confirmation of a shorter retention period shows the form again,
    as it was filled in: so does the switch of that page."""
    login_as("admin")
    entries = {**SETTINGS, "induction_terms": "typed-entry", "went_back": "1"}
    back = client.post("/admin/settings", data=entries).get_data(as_text=True)
    assert 'value="typed-entry"' in shown(back)
    before = traces(app)

    switched = switch_to(client, back, "ar")

    assert switched.request.path == "/admin/settings"
    page = switched.get_data(as_text=True)
    assert '<html lang="ar"' in page and 'value="typed-entry"' in shown(page)
    assert traces(app) == before


@pytest.mark.parametrize("page", ["edit", "duplicate", "new"])
def test_checking_the_hours_of_a_session_comes_back_in_the_other_language(app, client,
                                                                          request, page):
    """Not a refusal: the page the button "Check the hours" answers, shown again."""
    session_id = request.getfixturevalue("network")["session"]
    assert login(client, "coord@example.org").status_code == 302
    edit = f"/sessions/{session_id}/edit"
    path = "/sessions/new" if page == "new" else f"/sessions/{session_id}/{page}"
    entries = filled_form(client.get(edit).get_data(as_text=True), "title_en")
    entries = changed(entries, {"title_en": TYPED, "check_hours": "Check the hours"})
    checked = client.post(path, data=entries).get_data(as_text=True)
    before = traces(app)

    switched = switch_to(client, checked, "es")

    assert switched.request.path == path
    page = switched.get_data(as_text=True)
    assert '<html lang="es"' in page and TYPED in shown(page) and "data-hours-share" in page
    assert traces(app) == before


def test_switching_does_not_count_as_a_refused_sign_in(client, request):
    """Five switches after a wrong password (the limit per account is five a minute) do not
    hold the right password back: the switch checks no password."""
    sent = _login(request, client)
    page = client.post("/login", data=sent.refused()).get_data(as_text=True)
    for code in ("fr", "es", "ar", "fr", "es"):
        page = switch_to(client, page, code).get_data(as_text=True)
    assert client.post("/login", data=sent.passing()).status_code == 302


def test_switching_does_not_count_as_a_reset_asked_for(client, request):
    sent = _reset(request, client)
    page = client.post("/password/reset", data=sent.refused()).get_data(as_text=True)
    for code in ("fr", "es", "ar", "fr", "es"):
        page = switch_to(client, page, code).get_data(as_text=True)
    assert client.post("/password/reset", data=sent.passing()).status_code == 302


@pytest.mark.usefixtures("malawi")
def test_a_memo_sent_with_the_switch_is_not_kept(app, client, tmp_path, monkeypatch):
    """A request to join sent by the switch with its memo (a file no switch sends, but a
    crafted request may): nothing stored, nothing sent."""
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path))
    client.post("/join?lang=fr", content_type="multipart/form-data",
                data=join_form(memo=(io.BytesIO(PDF), "memo.pdf"), lang_only="1"))
    assert list(tmp_path.rglob("*.*")) == []
