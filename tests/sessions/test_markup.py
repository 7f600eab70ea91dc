"""A session's page and its Office pages carry several forms: valid HTML all the same."""
from gfp_portal.extensions import db
from tests.helpers import login
from tests.markup import markup_problems


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
