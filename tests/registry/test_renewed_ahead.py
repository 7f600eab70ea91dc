"""A term renewed ahead (the Office renews it before its end date) is held until its last day
and followed by the renewal: one role held on, which the pages that list a person's current
terms show once, never flagged "Ends soon"."""
import re
from datetime import timedelta

from gfp_portal.accounts.models import User
from gfp_portal.core.db import utcnow
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry
from tests.helpers import entity, login


def _renewed_focal_point(app, create_user):
    """A focal point of UNDP headquarters with an account, whose term ends in 30 days and
    has just been renewed (as the Office does ahead of the end)."""
    coordinator_id = create_user("coord@example.org", roles=["coordinator"])
    user_id = create_user("renewed@undp.org", roles=["focal_point"], given_name="Renata",
                          family_name="Renewed")
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        person = db.session.get(User, user_id).person
        today = utcnow().date()
        term = registry.appoint(person, {
            "role": "focal_point", "entity": entity("UNDP"), "unct": None,
            "start_date": today - timedelta(days=700), "end_date": today + timedelta(days=30)},
            actor=coordinator)
        renewal = registry.renew(term, actor=coordinator)
        db.session.commit()
        assert term.status.value == "ended" and term.ended_on == today + timedelta(days=30)
        assert renewal.status.value == "active"
        return person.id, renewal.end_date


def test_the_directory_lists_a_role_renewed_ahead_once(app, client, reference, create_user):
    _renewed_focal_point(app, create_user)
    create_user("viewer@undp.org", roles=["focal_point"])
    assert login(client, "viewer@undp.org").status_code == 302
    html = client.get("/registry/?q=Renewed&lang=en").get_data(as_text=True)
    card = html.split("Renata Renewed")[1].split("</ul>")[0]
    lines = re.findall(r"<li>(.*?)</li>", card, re.S)
    assert len(lines) == 1, f"one role listed {len(lines)} times: {lines}"


def test_the_home_of_a_focal_point_renewed_ahead_says_no_term_ends_soon(app, client, reference,
                                                                        create_user):
    """As the coverage page and the terms ending soon have it: a renewed term is not ending."""
    _person_id, _new_end = _renewed_focal_point(app, create_user)
    assert login(client, "renewed@undp.org").status_code == 302
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Ends soon" not in html, "a renewed term is shown as ending soon"
    assert html.count("Your term ends on") == 1, "the one role is listed twice"


def test_me_lists_a_role_renewed_ahead_once(app, client, reference, create_user):
    _renewed_focal_point(app, create_user)
    assert login(client, "renewed@undp.org").status_code == 302
    html = client.get("/me?lang=en").get_data(as_text=True)
    block = html.split(">Appointments</dt>")[1].split("</dd>")[0]
    assert block.count("<li>") == 1, block
