"""The nomination form: an RC chooses among the UN Country Team's member entities, required
fields are marked, the page is titled by the role nominated, and the UN-SWAP warnings come
before the nomination is submitted (without JavaScript: the form comes back once)."""
import re

from sqlalchemy import func, select

from gfp_portal.extensions import db
from gfp_portal.nominations.models import Nomination
from tests.nominations.test_views import _FormReader, sign_in

FILLED = {"scope": "KEN", "entity": "UNDP", "role": "focal_point", "given_name": "Amani",
          "family_name": "Chebet", "email": "amani.chebet@undp.org", "grade": "P-3",
          "preferred_language": "en", "duty_station": "0", "replaces": "0",
          "justification": "Leads the office's gender parity action plan.", "submit": "Submit"}


def _count():
    return db.session.scalar(select(func.count(Nomination.id)))


def test_an_rc_chooses_among_the_member_entities_of_the_country_team(client,
                                                                      kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    page = client.get("/nominations/new?unct=KEN").get_data(as_text=True)
    select_html = page.split('name="entity"')[1].split("</select>")[0]
    options = re.findall(r'<option[^>]*value="([^"]*)"', select_html)
    assert options == ["", "UNDP", "UNICEF", "WFP"]
    with client.application.app_context():
        before = _count()
    response = client.post("/nominations/new", data={**FILLED, "entity": "UNHCR"})
    assert response.status_code == 200
    assert "Please correct the fields marked below." in response.get_data(as_text=True)
    with client.application.app_context():
        assert _count() == before


def test_the_office_still_chooses_among_every_entity(client, kenya_nomination):
    sign_in(client, "coord@example.org")
    page = client.get("/nominations/new").get_data(as_text=True)
    select_html = page.split('name="entity"')[1].split("</select>")[0]
    assert 'value="UNHCR"' in select_html and 'value="UNDP"' in select_html


def test_required_fields_are_marked_and_the_mark_explained(client, kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    page = client.get("/nominations/new").get_data(as_text=True)
    assert "Fields marked with an asterisk (*) are required." in page
    label = re.search(r'<label[^>]*for="justification"[^>]*>(.*?)</label>', page, re.S).group(1)
    assert 'class="required-mark' in label and 'aria-hidden="true"' in label
    label = re.search(r'<label[^>]*for="grade"[^>]*>(.*?)</label>', page, re.S).group(1)
    assert "required-mark" not in label


def test_the_page_is_titled_by_the_role_nominated(client, kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    page = client.get("/nominations/new?unct=KEN&role=alternate").get_data(as_text=True)
    assert "<h1" in page and "Nominate an alternate</h1>" in page
    page = client.get("/nominations/new?unct=KEN&role=focal_point").get_data(as_text=True)
    assert "Nominate a focal point</h1>" in page
    page = client.get("/nominations/new?unct=KEN&role=alternate&lang=fr").get_data(as_text=True)
    assert "Proposer un(e) suppléant(e)</h1>" in page


def test_unswap_warnings_come_before_the_nomination_is_submitted(app, client,
                                                                 kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    with app.app_context():
        before = _count()
    response = client.post("/nominations/new", data=FILLED)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "UN-SWAP check" in page
    assert "Grade below the expected level" in page and "No terms of reference on file" in page
    with app.app_context():
        assert _count() == before
    reader = _FormReader()
    reader.feed(page)
    assert reader.fields["warnings_seen"]
    response = client.post("/nominations/new", data={**reader.fields, "submit": "Submit"})
    assert response.status_code == 302
    with app.app_context():
        assert _count() == before + 1


def test_a_changed_nomination_with_new_warnings_is_checked_again(app, client,
                                                                 kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    reader = _FormReader()
    reader.feed(client.post("/nominations/new", data=FILLED).get_data(as_text=True))
    fields = {**reader.fields, "time_share": "5", "submit": "Submit"}
    response = client.post("/nominations/new", data=fields)
    assert response.status_code == 200
    assert "Less working time than expected" in response.get_data(as_text=True)


def test_a_nomination_without_warnings_goes_at_once(app, client, kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    response = client.post("/nominations/new", data={
        **FILLED, "grade": "P-4", "time_share": "30", "tor_acknowledged": "y"})
    assert response.status_code == 302
