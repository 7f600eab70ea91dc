"""The forms of the main pages are valid, labelled HTML (what the Nu Html Checker and axe-core
check in the browser tests), page by page through the test client."""
import pytest

from tests.markup import markup_problems, parse

ANONYMOUS_PAGES = ["/login", "/password/reset", "/join", "/resources/"]
OFFICE_PAGES = [
    "/", "/me", "/registry/", "/registry/people/new", "/registry/import", "/coverage/",
    "/nominations/", "/nominations/new", "/sessions/", "/sessions/new", "/sessions/series/new",
    "/sessions/attendance-figures", "/sessions/fair-hours", "/sessions/evaluations",
    "/resources/manage/",
    "/resources/new", "/resources/categories", "/reference/entities/new",
    "/reference/uncts/new", "/admin/outbox/", "/admin/audit/", "/admin/users/",
    "/admin/users/new", "/admin/settings",
]


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_public_pages_have_clean_markup(client, reference, url):
    response = client.get(url)
    assert response.status_code == 200
    assert markup_problems(response.get_data(as_text=True)) == []


@pytest.mark.parametrize("url", OFFICE_PAGES)
def test_office_pages_have_clean_markup(client, reference, login_as, url):
    login_as("admin")
    response = client.get(url)
    assert response.status_code == 200
    assert markup_problems(response.get_data(as_text=True)) == []


def test_a_field_help_is_text_even_where_it_names_a_placeholder(client, reference, login_as):
    """The address of a resource is described as "/resources/<address>": shown as written,
    not swallowed as an unknown element."""
    login_as("coordinator")
    html = client.get("/resources/new").get_data(as_text=True)
    assert "/resources/&lt;address&gt;" in html
    help_texts = [e for e in parse(html) if "form-text" in e.attrs.get("class", "")]
    assert help_texts and all(not e.children for e in help_texts)


def test_the_language_switcher_is_named_by_the_language_it_shows(client):
    html = client.get("/login?lang=fr").get_data(as_text=True)
    summary = next(e for e in parse(html) if e.tag == "summary"
                   and "nav-link" in e.attrs.get("class", "").split())
    assert "aria-label" not in summary.attrs
    assert " ".join(summary.all_text().split()) == "français · Langue"


def test_required_choices_are_announced_as_required(client, reference, login_as):
    login_as("coordinator")
    selects = {e.attrs["name"]: e for e in parse(client.get("/sessions/new").get_data(
        as_text=True)) if e.tag == "select"}
    assert selects["topic"].attrs.get("aria-required") == "true"
    assert "required" not in selects["topic"].attrs
    assert "aria-required" not in selects["series"].attrs  # optional


def test_each_category_name_field_shows_its_label(client, reference, login_as):
    login_as("coordinator")
    client.post("/resources/categories", data={"name": "Training material"})
    html = client.get("/resources/categories").get_data(as_text=True)
    assert 'value="Training material"' in html
    assert markup_problems(html) == []
