"""What a page tells assistive technology about itself: a title of its own (WCAG 2.4.2), a
refused form said in the title and summed up with links to its fields (3.3.1, GOV.UK's error
summary), repeated controls told apart (2.4.4, 2.4.6) and data tables named."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gfp_portal.attendance import services as attendance
from gfp_portal.extensions import db
from gfp_portal.sessions.models import Registration, TrainingSession
from tests.core.test_hostile_queries import world  # noqa: F401 — its fixture, for `site`
from tests.helpers import login
from tests.markup import enclosing, inside, parse


@pytest.fixture
def site(request):
    """The hostile-query sweep's world: one of everything a route can name (`urls`), and a
    signed-in client per role (`clients`)."""
    return request.getfixturevalue("world")


def title_of(html):
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


def text(element):
    return " ".join(element.all_text().split())


def first(elements, tag):
    return text(next(e for e in elements if e.tag == tag))


def page(client, url, lang="en"):
    with client.get(url + ("&" if "?" in url else "?") + f"lang={lang}") as response:
        assert response.status_code == 200, url
        return response.get_data(as_text=True)


# Pages with different purposes (reading a record or changing it, adding a language version
# or changing one, a new session or a copy of another), which the coordinator reaches.
DISTINCT = [
    ("registry.person", "registry.edit_person"),
    ("main.entity", "reference.edit_entity"),
    ("resources.detail", "resources.manage.edit"),
    ("resources.manage.add_version", "resources.manage.edit_version"),
    ("practices.add_version", "practices.edit_version"),
    ("resources.manage.edit_version", "practices.edit_version"),
    ("sessions.manage.create", "sessions.manage.duplicate"),
]


def test_distinct_pages_have_distinct_titles(site):
    client = site["clients"]["coordinator"]
    shared = []
    for lang in ("en", "ar"):
        for a, b in DISTINCT:
            titles = [title_of(page(client, site["urls"][e], lang)) for e in (a, b)]
            if titles[0] == titles[1]:
                shared.append((lang, a, b, titles[0]))
    assert shared == []


def test_the_roster_and_the_copy_of_a_session_name_it_in_the_viewers_language(client, running):
    login(client, "coord@example.org")
    session_id = running["session"]
    assert "تدخل الشهود" in title_of(page(client, f"/sessions/{session_id}", "ar"))
    roster = title_of(page(client, f"/sessions/{session_id}/roster", "ar"))
    assert "تدخل الشهود" in roster and "Bystander" not in roster, roster
    copy = parse(page(client, f"/sessions/{session_id}/duplicate", "ar"))
    assert "تدخل الشهود" in first(copy, "h1"), first(copy, "h1")
    # A title written in English only: the Arabic page names it in English, marked so.
    with client.application.app_context():
        db.session.get(TrainingSession, session_id).title_ar = None
        db.session.commit()
    copy = parse(page(client, f"/sessions/{session_id}/duplicate", "ar"))
    h1 = next(e for e in copy if e.tag == "h1")
    assert "Bystander intervention" in text(h1)
    assert any(e.attrs.get("lang") == "en" and text(e) == "Bystander intervention"
               for e in copy if inside(e, h1))


# (role, address, data): a form each kind of user sends, refused because fields are empty.
REFUSED = [
    ("coordinator", "/registry/people/new", {"given_name": "", "family_name": "", "email": ""}),
    ("coordinator", "/sessions/new", {"title_en": ""}),
    ("coordinator", "/reference/entities/new", {"acronym": "", "name": ""}),
    ("coordinator", "/messages/new", {"subject_en": ""}),
    ("resident_coordinator", "/nominations/new", {"given_name": ""}),
    ("focal_point", "/practices/new", {"title": ""}),
    ("anonymous", "/join", {"given_name": ""}),
]
ERROR = {"en": "Error: ", "fr": "Erreur : ", "es": "Error: ", "ar": "خطأ: "}


def refused_page(client, url, data, lang):
    with client.post(f"{url}?lang={lang}", data=data) as response:
        assert response.status_code in (200, 400), url
        return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_refused_form_says_so_in_the_title(site, lang):
    for role, url, data in REFUSED:
        client = site["clients"][role]
        fresh = title_of(page(client, url, lang))
        assert not fresh.startswith(ERROR[lang]), fresh
        html = refused_page(client, url, data, lang)
        assert title_of(html) == ERROR[lang] + fresh, (url, title_of(html))


def test_the_summary_of_a_refused_form_links_to_each_field_it_refused(site):
    for role, url, data in REFUSED:
        elements = parse(refused_page(site["clients"][role], url, data, "en"))
        invalid = [e for e in elements if e.attrs.get("aria-invalid") == "true"]
        summary = next(e for e in elements if e.attrs.get("role") == "alert")
        assert invalid and summary.attrs.get("tabindex") == "-1", url
        links = {a.attrs["href"][1:]: text(a) for a in elements
                 if a.tag == "a" and inside(a, summary) and a.attrs.get("href", "")[:1] == "#"}
        ids = {e.attrs["id"]: e for e in elements if e.attrs.get("id")}
        assert set(links) <= set(ids), url
        # Each field refused is reached from the summary (a group of options by its first).
        fields = {e.attrs["id"] for e in invalid if not re.search(r"-[1-9]\d*$", e.attrs["id"])}
        assert fields == set(links), url
        for target, words in links.items():
            option = target.endswith("-0") and target[:-2]  # a group's message is the group's
            assert text(ids[f"{option or target}-error"]) in words, (url, words)


def test_a_refused_filter_says_so_in_the_title(site):
    client = site["clients"]["coordinator"]
    fresh = title_of(page(client, "/registry/"))
    with client.get("/registry/?expiring=-5&lang=en") as response:
        assert title_of(response.get_data(as_text=True)) == "Error: " + fresh


def test_a_form_shown_again_without_errors_keeps_its_title(site):
    client = site["clients"]["coordinator"]
    html = page(client, "/sessions/new")
    assert title_of(html) == "New session · GFP Portal"
    assert not [e for e in parse(html) if e.attrs.get("role") == "alert"]


def _evaluation_ready(app, running):
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        row = db.session.scalars(select(Registration).filter_by(
            session_id=session.id, person_id=running["person"])).one()
        attendance.mark(row, "present", actor=None)
        session.starts_at = datetime.now(UTC) - timedelta(minutes=100)
        session.ends_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()


def _radios(html):
    return [e for e in parse(html) if e.tag == "input" and e.attrs.get("type") == "radio"]


def test_the_options_of_an_unanswered_question_are_marked_invalid(app, client, running):
    _evaluation_ready(app, running)
    login(client, "amina.diallo@example.org")
    url = f"/sessions/{running['session']}/evaluation"
    assert not [e for e in _radios(page(client, url)) if "aria-invalid" in e.attrs]
    html = refused_page(client, url, {"applicable": "yes", "comment": "x"}, "en")
    marked = {e.attrs["name"] for e in _radios(html) if e.attrs.get("aria-invalid") == "true"}
    assert marked == {"rating", "belonging", "empowered"}


def test_a_refused_evaluation_says_so_in_the_title(app, client, running):
    """A form drawn by hand, with groups of options: summed up and titled as the others."""
    _evaluation_ready(app, running)
    login(client, "amina.diallo@example.org")
    url = f"/sessions/{running['session']}/evaluation"
    fresh = title_of(page(client, url))
    html = refused_page(client, url, {"applicable": "yes"}, "en")
    assert title_of(html) == "Error: " + fresh
    elements = parse(html)
    summary = next(e for e in elements if e.attrs.get("role") == "alert")
    assert [a.attrs["href"] for a in elements if a.tag == "a" and inside(a, summary)] == [
        "#rating-0", "#belonging-0", "#empowered-0"]


def test_the_kinds_of_a_refused_message_are_marked_invalid(client, reference, login_as):
    login_as("coordinator")
    html = refused_page(client, "/messages/new", {"kind": "nonsense"}, "en")
    kinds = [e for e in _radios(html) if e.attrs["name"] == "kind"]
    assert kinds and all(e.attrs.get("aria-invalid") == "true" for e in kinds)
    assert all(e.attrs.get("aria-describedby") == "kind-error" for e in kinds)
    assert "kind-error" in {e.attrs.get("id") for e in parse(html)}


def test_the_own_training_of_another_roles_account_is_not_titled_home(client, reference,
                                                                      login_as):
    login_as("resident_coordinator", "focal_point", uncts=["KEN"])
    home = page(client, "/")
    training = page(client, "/me/training")
    assert title_of(training) == "My training as a focal point · GFP Portal"
    assert first(parse(training), "h1") == "My training as a focal point"
    assert title_of(home) == "Home · GFP Portal"
    assert title_of(page(client, "/me/training", "fr")) != title_of(page(client, "/", "fr"))


def repeated_names(html):
    """The names of links and buttons that several rows of a table repeat, each for a
    different target, in rows without a row header."""
    found = []
    elements = parse(html)
    for table in (e for e in elements if e.tag == "table"):
        named = {}
        for control in (e for e in elements if e.tag in ("a", "button")
                        and enclosing(e, "table") is table):
            row = enclosing(control, "tr")
            if any(c.tag == "th" and c.attrs.get("scope") == "row" for c in row.children):
                continue
            form = enclosing(control, "form")
            target = control.attrs.get("href") or (form.attrs.get("action") if form else None)
            named.setdefault(control.attrs.get("aria-label") or text(control), set()).add(target)
        found += [name for name, targets in named.items() if len(targets) > 1]
    return found


def test_the_downloads_of_a_resources_versions_are_told_apart(client, reference,
                                                             create_resource, login_as):
    create_resource("guide", {"en": "Guide", "fr": "Guide FR", "ar": "دليل"})
    login_as("focal_point")
    html = page(client, "/resources/guide")
    assert repeated_names(html) == []
    # Each language's own name, in that language, as the table's first column gives it.
    links = {text(a): a for a in parse(html) if a.tag == "a" and text(a).startswith("Download")}
    assert set(links) == {"Download English", "Download français", "Download العربية"}
    assert links["Download français"].children[0].attrs["lang"] == "fr"


def test_the_retry_buttons_of_the_outbox_are_told_apart(site):
    outbox = parse(page(site["clients"]["coordinator"], site["urls"]["admin.outbox"]))
    retries = [text(b) for b in outbox if b.tag == "button" and text(b).startswith("Retry now")]
    assert len(retries) > 1 and len(set(retries)) == len(retries), retries


def test_the_delete_buttons_of_the_topics_are_told_apart(site):
    client = site["clients"]["coordinator"]
    topics = parse(page(client, site["urls"]["topics.index"]))
    deletes = [text(b) for b in topics if b.tag == "button" and text(b).startswith("Delete")]
    assert len(deletes) > 1 and len(set(deletes)) == len(deletes), deletes
    assert "Delete Bystander intervention" in deletes


# The pages whose data tables had no name, and the role that reads them.
NAMED_TABLES = [
    ("focal_point", "accounts.me"), ("focal_point", "privacy.my_summary"),
    ("coordinator", "privacy.person_summary"), ("coordinator", "registry.person"),
    ("focal_point", "resources.detail"), ("coordinator", "resources.manage.index"),
    ("coordinator", "evaluations.index"),
]


def test_every_data_table_of_these_pages_has_a_name(site):
    nameless, seen = [], set()
    for role, endpoint in NAMED_TABLES:
        elements = parse(page(site["clients"][role], site["urls"][endpoint]))
        ids = {e.attrs.get("id"): e for e in elements if e.attrs.get("id")}
        for table in (e for e in elements if e.tag == "table"):
            seen.add(endpoint)
            caption = [c for c in table.children if c.tag == "caption" and text(c)]
            label = ids.get(table.attrs.get("aria-labelledby"))
            if not (caption or (label is not None and text(label))):
                nameless.append(endpoint)
    assert nameless == []
    assert seen == {endpoint for _, endpoint in NAMED_TABLES}


def _summary(elements):
    """The page's summary of what it refused (role=alert, focusable by script), or None."""
    return next((e for e in elements if e.attrs.get("role") == "alert"), None)


def _links_in(elements, box):
    return [a.attrs["href"] for a in elements if a.tag == "a" and inside(a, box)]


@pytest.mark.parametrize("email", ["fp@example.org", "nobody@example.org"])
def test_a_refused_sign_in_is_said_on_the_password_and_in_the_title(client, create_user,
                                                                     email):
    """A wrong password, or an address no account has: the same words, on the password field
    (never on the address, which would tell whether an account uses it), summed up, and the
    title says so."""
    create_user("fp@example.org")
    fresh = title_of(page(client, "/login"))
    html = refused_page(client, "/login", {"email": email, "password": "not the password"},
                        "en")
    assert title_of(html) == "Error: " + fresh
    elements = parse(html)
    password = next(e for e in elements if e.attrs.get("id") == "password")
    address = next(e for e in elements if e.attrs.get("id") == "email")
    assert password.attrs.get("aria-invalid") == "true" and "aria-invalid" not in address.attrs
    summary = _summary(elements)
    assert summary.attrs.get("tabindex") == "-1" and _links_in(elements, summary) == [
        "#password"]
    assert "The email address or password is not correct." in text(summary)


def test_a_red_banner_is_an_alert_that_the_title_announces(client, running):
    """A refusal shown in a banner (here a walk-in sent without a person) is an alert the
    script brings the reader to, and the title of the page it is shown on says so; a
    banner that reports what was done is not."""
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/attendance"
    fresh = title_of(page(client, url))
    with client.post(url + "/walk-in?lang=en", data={"person": ""},
                     follow_redirects=True) as response:
        html = response.get_data(as_text=True)
    assert title_of(html) == "Error: " + fresh
    elements = parse(html)
    banner = _summary(elements)
    assert banner.attrs.get("tabindex") == "-1" and "alert-danger" in banner.attrs["class"]
    assert text(banner) == "Choose the person to add from the search results."
    with client.post(url + "?lang=en", follow_redirects=True) as response:
        html = response.get_data(as_text=True)
    assert title_of(html) == fresh
    status = next(e for e in parse(html) if "alert-success" in e.attrs.get("class", ""))
    assert status.attrs.get("role") == "status" and "tabindex" not in status.attrs


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_confirmation_refused_for_its_reason_sums_it_up(client, running, reason):
    """Cancelling a session confirmed without a reason: the refusal is summed up at the top,
    linking to the reason, as on every form, and the title says so."""
    login(client, "coord@example.org")
    html = refused_page(client, f"/sessions/{running['session']}/cancel",
                        {"confirmed": "1", "reason": reason}, "en")
    assert title_of(html).startswith("Error: ")
    elements = parse(html)
    summary = _summary(elements)
    assert summary is not None and summary.attrs.get("tabindex") == "-1"
    assert "error-summary" in summary.attrs["class"]
    assert _links_in(elements, summary) == ["#reason"]
    error = next(e for e in elements if e.attrs.get("id") == "reason-error")
    assert text(error) in text(summary)
    assert "Reason (required, kept in the history)" in text(summary)
