"""Pages with personal data are never kept by a browser or a proxy cache."""
import pytest

from tests.helpers import login


@pytest.mark.parametrize("url", ["/me", "/registry/", "/sessions/", "/resources/",
                                 "/coverage/export.csv", "/no-such-page"])
def test_signed_in_pages_are_not_stored(client, login_as, reference, url):
    login_as("coordinator")
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/login", "/password/reset", "/calendar/not-a-token.ics",
                                 "/certificates/NOCODE"])
def test_anonymous_pages_about_a_person_are_not_stored(client, url):
    response = client.get(url)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_sign_in_answer_is_not_stored(client, create_user):
    create_user("fp@example.org")
    assert login(client, "fp@example.org").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/resources/", "/healthz", "/static/css/portal.css"])
def test_public_pages_and_static_files_stay_cacheable(client, url):
    with client.get(url) as response:
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_a_page_left_to_caches_varies_by_the_language_it_is_shown_in(client, reference):
    """Shown in the browser's language (Accept-Language), a page a shared cache keeps must
    name that header in Vary, or the French page is served to the next visitor, whatever
    their language."""
    english = client.get("/resources/", headers={"Accept-Language": "en"})
    french = client.get("/resources/", headers={"Accept-Language": "fr"})
    assert 'lang="en"' in english.get_data(as_text=True)[:200]
    assert 'lang="fr"' in french.get_data(as_text=True)[:200]
    for response in (english, french):
        assert "no-store" not in response.headers.get("Cache-Control", "")
        assert "accept-language" in {value.strip().lower() for value in
                                     response.headers.get("Vary", "").split(",")}
