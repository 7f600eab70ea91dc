"""A nomination's page: its history and the Office's decision forms are valid HTML."""
from gfp_portal.extensions import db
from gfp_portal.nominations import services
from tests.helpers import login
from tests.markup import markup_problems, parse


def test_the_decision_forms_and_the_history_are_valid(client, users, nomination_data):
    nomination = services.submit_nomination(nomination_data(), actor=users["rc_kenya"])
    db.session.commit()
    login(client, "coord@example.org")
    html = client.get(f"/nominations/{nomination.id}").get_data(as_text=True)

    assert markup_problems(html) == []
    times = [e.attrs["datetime"] for e in parse(html) if e.tag == "time"]
    assert times and all(len(t) == len("2027-03-01T12:00:00+00:00") for t in times)
    # "Request changes" in dark text on amber, not amber text on white (1.63:1).
    form = next(e for e in parse(html) if e.tag == "form"
                and e.attrs.get("action", "").endswith("/request-changes"))
    button = next(e for e in form.children if e.tag == "button")
    assert "btn-outline-warning" not in button.attrs["class"].split()

