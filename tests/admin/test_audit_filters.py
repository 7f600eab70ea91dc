"""The audit log's filters (the kind of object, who acted, and the days, as the reader's time
zone runs them), its reasons, and its links to the records."""
import html as html_lib
from datetime import UTC, datetime

import pytest

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent, log_action
from gfp_portal.core.db import utcnow
from gfp_portal.extensions import db


@pytest.fixture
def events(app, create_user):
    """Three events: Amani Odhiambo's change of an entity late on 1 March 2026 (UTC), which is
    already 2 March in Tokyo; her change of a person on 10 March; a change by the portal."""
    amani = create_user("amani@unesco.org", roles=("coordinator",), given_name="Amani",
                        family_name="Odhiambo")
    with app.app_context():
        actor = db.session.get(User, amani)
        log_action("entity.update", object_type="entities", object_id=7, actor=actor,
                   changes={"name": ["Old name", "Entity Seven"]},
                   now=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
        log_action("person.update", object_type="people", object_id=8, actor=actor,
                   changes={"given_name": ["Anna", "Person Eight"]},
                   now=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
        log_action("person.update", object_type="people", object_id=9, actor=None,
                   changes={"given_name": ["Ben", "Person Nine"]},
                   now=datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
        db.session.commit()


def _shown(client, query):
    response = client.get("/admin/audit/", query_string=query)
    assert response.status_code == 200
    page = html_lib.unescape(response.get_data(as_text=True))
    return page, [name for name in ("Entity Seven", "Person Eight", "Person Nine")
                  if name in page]


def test_the_audit_log_lists_every_event_without_filters(client, events, login_as):
    login_as("admin")
    assert _shown(client, {})[1] == ["Entity Seven", "Person Eight", "Person Nine"]


def test_the_audit_log_filters_by_kind_of_object(client, events, login_as):
    login_as("admin")
    page, shown = _shown(client, {"object_type": "people"})
    assert shown == ["Person Eight", "Person Nine"]
    # The choices name the kinds of record in words.
    assert '<option selected value="people">Person</option>' in page


def test_the_audit_log_filters_by_who_acted_by_email_or_name(client, events, login_as):
    login_as("admin")
    assert _shown(client, {"who": "UNESCO.org"})[1] == ["Entity Seven", "Person Eight"]
    assert _shown(client, {"who": "odhiambo"})[1] == ["Entity Seven", "Person Eight"]
    assert _shown(client, {"who": "nobody-here"})[1] == []
    assert "No event matches these filters." in _shown(client, {"who": "nobody-here"})[0]


@pytest.mark.parametrize(("zone", "day", "shown"), [
    ("UTC", "2026-03-01", ["Entity Seven"]),
    ("UTC", "2026-03-02", []),
    ("Asia/Tokyo", "2026-03-01", []),
    ("Asia/Tokyo", "2026-03-02", ["Entity Seven"]),
])
def test_the_audit_log_filters_by_the_days_of_the_readers_time_zone(
        client, events, login_as, app, zone, day, shown):
    user_id = login_as("admin")
    with app.app_context():
        db.session.get(User, user_id).time_zone = zone
        db.session.commit()
    assert _shown(client, {"since": day, "until": day})[1] == shown


def test_the_audit_log_days_include_both_ends(client, events, login_as):
    login_as("admin")
    assert _shown(client, {"since": "2026-03-10", "until": "2026-03-12"})[1] == \
        ["Person Eight", "Person Nine"]
    assert _shown(client, {"since": "2026-03-11"})[1] == ["Person Nine"]
    assert _shown(client, {"until": "2026-03-09"})[1] == ["Entity Seven"]


def test_an_end_day_before_the_first_is_explained_and_filters_nothing(client, events,
                                                                     login_as):
    login_as("admin")
    page, shown = _shown(client, {"since": "2026-03-12", "until": "2026-03-01", "lang": "fr"})
    assert "La date de fin ne peut pas être antérieure à la date de début." in page
    assert shown == ["Person Nine"]


def test_a_filter_of_actions_from_the_address_is_kept_by_the_form(client, events, login_as):
    login_as("admin")
    page, shown = _shown(client, {"action": "person."})
    assert shown == ["Person Eight", "Person Nine"]
    assert '<input name="action" type="hidden" value="person.">' in page


def test_a_reason_reads_in_words_only_when_the_portal_wrote_it_as_a_code(client, app,
                                                                          login_as):
    user_id = login_as("admin")
    with app.app_context():
        for actor in (None, db.session.get(User, user_id)):
            log_action("person.anonymise", object_type="people", object_id=5, actor=actor,
                       reason="retention")
        db.session.commit()
    page = html_lib.unescape(client.get("/admin/audit/").get_data(as_text=True))
    assert page.count("Under the retention periods") == 1
    assert page.count("<bdi>retention</bdi>") == 1  # typed by a person: as typed


def test_the_audit_log_links_to_the_records_that_still_exist(client, app, login_as):
    from gfp_portal.registry.models import Person

    login_as("admin")
    with app.app_context():
        person_id = db.session.scalars(db.select(Person.id)).first()
        for object_type, object_id in (("people", person_id), ("people", 999_999),
                                       ("training_sessions", 999_998), ("system", None)):
            log_action("x.update", object_type=object_type, object_id=object_id, actor=None)
        db.session.commit()
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert f'<a href="/registry/people/{person_id}">Person <bdi>#{person_id}</bdi></a>' in page
    # Gone (or never there): named, not linked.
    assert "Person <bdi>#999999</bdi></td>" in page
    assert "Training session <bdi>#999998</bdi></td>" in page
    assert page.count('href="/registry/people/') == 1


def test_a_page_past_the_end_of_the_log_goes_to_its_last_page(client, login_as, app):
    """Page 9 of a log of three entries: not "Nothing recorded yet", but its one page."""
    login_as("coordinator")
    with app.app_context():
        for _n in range(3):
            db.session.add(AuditEvent(action="settings.update", object_type="settings",
                                      changes={}, created_at=utcnow()))
        db.session.commit()
    response = client.get("/admin/audit/?action=settings.update&page=9")
    assert response.status_code == 302
    assert response.location == "/admin/audit/?action=settings.update&page=1"
    html = client.get(response.location).get_data(as_text=True)
    assert "Nothing recorded yet." not in html and "3 items" in html
