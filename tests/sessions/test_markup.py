"""A session's page and its Office pages carry several forms: valid HTML all the same."""
import pytest

from gfp_portal.extensions import db
from tests.helpers import login
from tests.markup import markup_problems, parse


def test_a_draft_with_several_forms_repeats_no_id(client, make_session):
    session = make_session(publish=False)
    db.session.commit()
    login(client, "coord@example.org")
    for url in (f"/sessions/{session.id}", f"/sessions/{session.id}/edit",
                f"/sessions/{session.id}/roster", f"/sessions/{session.id}/attendance"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert markup_problems(response.get_data(as_text=True)) == [], url


def test_the_month_filter_has_no_maxlength(client, coordinator):
    login(client, "coord@example.org")
    html = client.get("/sessions/?month=2027-03").get_data(as_text=True)
    assert 'type="month"' in html
    assert markup_problems(html) == []


DIRECTIONS = {"en": "ltr", "fr": "ltr", "es": "ltr", "ar": "rtl"}


@pytest.mark.parametrize("page_language", ["en", "ar"])
def test_each_language_of_a_text_is_typed_in_its_own_direction(client, make_session,
                                                               page_language):
    """On the English page the Arabic title was typed in a left-to-right box; on the Arabic
    page the English one right to left ("(part 2)" showed as "(part 2"). Each box of a text
    in one language says which, and its direction; its label stays in the page's."""
    session = make_session(publish=False)
    db.session.commit()
    login(client, "coord@example.org")
    pages = {"/sessions/new": ("title", "description"), "/sessions/series/new": ("title",),
             f"/sessions/{session.id}/agenda": ("title", "description"),
             "/sessions/topics/": ("name",)}
    for url, texts in pages.items():
        html = client.get(f"{url}?lang={page_language}").get_data(as_text=True)
        elements = parse(html)
        for text in texts:
            for code, direction in DIRECTIONS.items():
                box = next(e for e in elements if e.attrs.get("name") == f"{text}_{code}")
                assert (box.attrs.get("lang"), box.attrs.get("dir")) == (code, direction), \
                    (url, box.attrs)
                label = next(e for e in elements if e.tag == "label"
                             and e.attrs.get("for") == box.attrs["id"])
                assert "lang" not in label.attrs and "dir" not in label.attrs
        assert markup_problems(html) == [], url
