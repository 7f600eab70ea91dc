"""/join's rate limits count every request but those whose form (fields or memo) is refused:
shown again with its errors, such a form saved and sent nothing, and counting it would hold
back the newcomer's corrected form for the rest of the day. The rest are counted as the limit
is checked, in one step, so that requests sent at once cannot all pass it. A request held back
offers its entries back."""
import io

from sqlalchemy import select

from gfp_portal.extensions import db
from gfp_portal.nominations import join_views
from gfp_portal.nominations.models import Nomination
from tests.helpers import PDF, at_once, link_token, login, meet_first
from tests.nominations.test_join_views import form, malawi, messages, post_join  # noqa: F401

NOT_A_DOCUMENT = (b"MZ\x90\x00", "memo.pdf")


def _refused(client, url="/join", **overrides):
    data = form(memo=(io.BytesIO(NOT_A_DOCUMENT[0]), NOT_A_DOCUMENT[1]), **overrides)
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 200  # shown again with its error: nothing was kept
    assert "not an accepted document" in response.get_data(as_text=True)
    return response


def test_requests_refused_by_the_form_do_not_use_up_the_daily_limit(client, malawi):  # noqa: F811
    for _ in range(6):  # beyond both limits: three a day per address, five an hour per IP
        _refused(client)
    response = post_join(client, memo=(io.BytesIO(PDF), "memo.pdf"))
    assert response.status_code == 302, response.status_code


def test_requests_taken_still_count(client, malawi):  # noqa: F811
    for _ in range(3):
        _refused(client)  # in between, changes nothing
        assert post_join(client).status_code == 302
    assert post_join(client).status_code == 429


def test_a_request_held_back_offers_its_entries_back(client, malawi):  # noqa: F811
    for _ in range(3):
        assert post_join(client).status_code == 302
    held = post_join(client)
    page = held.get_data(as_text=True)
    assert held.status_code == 429
    assert 'id="kept-entries"' in page and "Back to the form, with your entries" in page


def test_a_page_asked_for_too_often_offers_no_entries(client, reference):
    """A GET sent nothing to keep: the offer would give back another form's old entries."""
    answers = [client.get("/certificates/NO-SUCH-CODE") for _ in range(11)]
    assert answers[-1].status_code == 429
    assert 'id="kept-entries"' not in answers[-1].get_data(as_text=True)


def test_amendments_refused_by_the_form_do_not_use_up_the_limit(app, client, malawi):  # noqa: F811
    post_join(client)
    token = link_token(messages(app, "join_verify")[0], "/join/verify/")
    client.post(f"/join/verify/{token}")
    with app.app_context():
        request_id = db.session.scalars(select(Nomination.id)).one()
    login(client, "coord@example.org")
    client.post(f"/nominations/{request_id}/request-changes", data={"text": "Your grade?"})
    client.post("/logout")
    amend = link_token(messages(app, "join_decision")[0], "/join/amend/")
    url = f"/join/amend/{amend}"
    for _ in range(6):  # beyond the five an hour per IP
        _refused(client, url)
    response = client.post(url, data=form(grade="NO-C"), content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Your completed request is back with the Office" in response.get_data(as_text=True)


def test_requests_sent_at_once_cannot_pass_the_per_ip_limit(app, malawi, monkeypatch):  # noqa: F811
    """The limit is checked and counted in one step, before anything is saved or mailed: eight
    requests sent at the same moment from one address get five verification emails, not
    eight."""
    # Every request that reaches the view waits there for the others (or 4 s, when the limit
    # keeps them out, as it should).
    meet_first(monkeypatch, join_views, "_data", parties=8, timeout=4)
    answers = at_once([(app.test_client(), "post", "/join", form(email=f"someone{n}@wfp.org"))
                       for n in range(8)])
    statuses = [answer if isinstance(answer, str) else answer.status for answer in answers]
    assert sorted(statuses) == [302] * 5 + [429] * 3, statuses  # JOIN_RATE_LIMIT: 5 an hour
    assert len(messages(app, "join_verify")) == 5


def test_wrong_amendment_links_are_held_back_by_the_per_ip_limit(client, malawi):  # noqa: F811
    """A link to amend a request is all there is to guess, as on /join/verify: every wrong
    one counts."""
    answers = [client.post(f"/join/amend/guess-{n}", data=form(),
                           content_type="multipart/form-data").status_code for n in range(7)]
    assert answers == [404] * 5 + [429] * 2
