"""The confirmation step's "No, go back" (core/confirm.py, templates/confirm.html): a button
that posts the form's entries back without `confirmed`, so that nothing is done and the form
comes back as it was filled in. A plain link to the form's page showed the stored values
again: the pages are no-store, so the browser's own Back does not bring the entries back."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.core.confirm import confirmation_page
from gfp_portal.core.jobs import Job
from gfp_portal.core.settings import Setting
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import EndReason
from gfp_portal.sessions.models import Registration, TrainingSession
from tests.admin.test_settings import VALID
from tests.helpers import login
from tests.markup import filled_form, parse
from tests.registry.test_export_jobs import network  # noqa: F401
from tests.sessions.test_bulk_jobs import office  # noqa: F401


def going_back(html):
    """The URL and the data that the confirmation page of `html` sends when "No, go back"
    is pressed, as a browser sends them: the form's fields and the button's own value."""
    elements = parse(html)
    button = next(e for e in elements if e.attrs.get("name") == "went_back")
    assert button.tag == "button" and button.attrs.get("type") == "submit"
    form = button.parent
    while form.tag != "form":
        form = form.parent
    data = filled_form(html, "went_back")
    data.add("went_back", button.attrs["value"])
    return form.attrs["action"], data


def test_the_confirmation_is_sent_to_the_address_of_the_form(app):
    """The path as it was sent: a ? it held (an acronym "A?B"), decoded, would end it."""
    with app.test_request_context("/entities/A%3FB/edit", method="POST", data={"x": "1"}):
        page, _status = confirmation_page("Delete?", ["It goes."])
    assert 'action="/entities/A%3FB/edit"' in page


@pytest.fixture
def leaver(app, reference):
    """Someone who left UNDP 400 days ago: a year's retention period anonymises them."""
    with app.app_context():
        person = registry.create_person({
            "given_name": "Leaver", "family_name": "Old", "email": "old@undp.org",
            "entity": db.session.scalar(select(Entity).filter_by(acronym="UNDP"))}, actor=None)
        appointment = registry.appoint(person, {
            "role": "alternate", "entity": person.entity, "unct": None,
            "start_date": date.today() - timedelta(days=800)}, actor=None)
        registry.end_appointment(appointment, reason=EndReason.left_entity,
                                 ended_on=date.today() - timedelta(days=400), actor=None)
        db.session.commit()


def test_going_back_from_the_retention_confirmation_keeps_the_entries(
        app, client, login_as, leaver):
    login_as("admin")
    page = client.post("/admin/settings", data={**VALID, "min_time_share": "35",
                                                "contact_data_days": "365"})
    html = page.get_data(as_text=True)
    assert 'name="confirmed"' in html
    # The admin decides to keep people longer and goes back to the form.
    url, data = going_back(html)
    assert url == "/admin/settings" and "confirmed" not in data
    back = client.post(url, data=data)
    form = back.get_data(as_text=True)
    assert back.status_code == 200 and 'name="confirmed"' not in form
    assert filled_form(form, "min_time_share")["min_time_share"] == "35"
    assert filled_form(form, "contact_data_days")["contact_data_days"] == "365"
    with app.app_context():
        assert db.session.get(Setting, "privacy.contact_data_days") is None
        assert db.session.get(Setting, "policy.min_time_share") is None
    # Changed there, the form is sent again: asked again, then saved once confirmed.
    data = filled_form(form, "contact_data_days")
    data["contact_data_days"] = "700"
    assert client.post("/admin/settings", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Setting, "privacy.contact_data_days").value == 700


def test_going_back_from_a_group_registration_registers_nobody(app, client, office):  # noqa: F811
    login(client, "coord@example.org")
    url = f"/sessions/{office['session']}/roster/group"
    html = client.post(url, data={"role": "alternate"}).get_data(as_text=True)
    action, data = going_back(html)
    assert action == url and data.getlist("role") == ["alternate"] and "confirmed" not in data
    response = client.post(action, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sessions/{office['session']}/roster"
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 0
        assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_going_back_from_cancelling_a_session_needs_no_reason(app, client, office):  # noqa: F811
    """The reason is required to cancel, not to change one's mind."""
    login(client, "coord@example.org")
    url = f"/sessions/{office['session']}/cancel"
    html = client.post(url, data={"reason": "Speaker ill"}).get_data(as_text=True)
    action, data = going_back(html)
    data["reason"] = ""
    response = client.post(action, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sessions/{office['session']}"
    with app.app_context():
        assert db.session.get(TrainingSession, office["session"]).status == "published"


def test_going_back_from_deactivating_an_account_keeps_it(app, client, login_as, create_user):
    login_as("admin")
    user_id = create_user("fp@example.org")
    url = f"/admin/users/{user_id}/deactivate"
    action, data = going_back(client.post(url, data={"reason": "left"}).get_data(as_text=True))
    assert data["reason"] == "left"
    response = client.post(action, data=data)
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{user_id}"
    with app.app_context():
        assert db.session.get(User, user_id).is_active


def test_going_back_from_a_large_registry_export_starts_nothing(
        app, client, login_as, network):  # noqa: F811
    login_as("coordinator")
    action, data = going_back(client.get("/registry/export.csv?entity=UNDP&role=focal_point")
                              .get_data(as_text=True))
    response = client.post(action, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/registry/?entity=UNDP&role=focal_point"
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 0


def test_going_back_is_never_taken_for_a_confirmation(app, client, login_as, create_user):
    """Sent with `confirmed` as well (a page of before), going back still does nothing."""
    login_as("admin")
    user_id = create_user("fp@example.org")
    response = client.post(f"/admin/users/{user_id}/deactivate",
                           data={"confirmed": "1", "went_back": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).is_active
