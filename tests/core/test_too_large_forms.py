"""A form sent with a body above MAX_CONTENT_LENGTH (a file too large) is refused outright
(413). The page offers the entries back (#kept-entries, static/js/entries.js), as "The form has
expired" does: any page without the offer makes the browser forget what was typed."""
import io

from flask import render_template
from werkzeug.exceptions import RequestEntityTooLarge

from tests.nominations.test_join_views import form, malawi  # noqa: F401


def test_a_form_too_large_offers_its_entries_back(app, client, malawi, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/join", data=form(memo=(io.BytesIO(b"%PDF-" + b"0" * 4096),
                                                    "memo.pdf")),
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert 'id="kept-entries"' in page and "Back to the form, with your entries" in page


def test_a_page_asked_for_offers_no_entries(app):
    """Nothing was sent to keep: the offer would give back another form's old entries."""
    with app.test_request_context("/join", method="GET"):
        page = render_template("errors/413.html", error=RequestEntityTooLarge(), code=413)
    assert "File too large" in page
    assert 'id="kept-entries"' not in page
