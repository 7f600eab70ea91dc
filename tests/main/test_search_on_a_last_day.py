"""Which day is "today" for a term ended ahead, on the pages a person views: the viewer's day,
for the directory as for the header's search of it. On the evening of a last day west of
Greenwich (or the morning after, east of it) the server's UTC day is another."""
from datetime import UTC, date, datetime

import pytest

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry
from tests.helpers import entity, login

# 19:00 on 6 December in Los Angeles, already 7 December in UTC.
MOMENT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
LAST_DAY = date(2026, 12, 6)


@pytest.fixture
def frozen(monkeypatch):
    import gfp_portal.core.i18n as i18n
    import gfp_portal.main.views as main_views
    import gfp_portal.registry.views as registry_views
    for module in (i18n, main_views, registry_views):
        if hasattr(module, "utcnow"):
            monkeypatch.setattr(module, "utcnow", lambda: MOMENT)


def _leaving_on_last_day(app, create_user):
    coordinator_id = create_user("coord@example.org", roles=["coordinator"])
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        person = registry.create_person({"given_name": "Lastday", "family_name": "Leaver",
                                         "email": "leaver@undp.org",
                                         "entity": entity("UNDP")}, actor=coordinator)
        term = registry.appoint(person, {"role": "alternate", "entity": entity("UNDP"),
                                         "unct": None, "start_date": date(2025, 1, 1)},
                                actor=coordinator, now=datetime(2025, 1, 1, tzinfo=UTC))
        registry.end_appointment(term, reason="left_entity", ended_on=LAST_DAY,
                                 actor=coordinator, now=datetime(2026, 12, 1, tzinfo=UTC))
        db.session.commit()


def test_directory_and_search_agree_on_a_last_day(app, client, reference, create_user,
                                                     frozen):
    """A focal point in Los Angeles looks up a colleague whose last day is today (6
    December, 19:00 there): the directory and the header's search both find her."""
    _leaving_on_last_day(app, create_user)
    create_user("viewer@undp.org", roles=["focal_point"], time_zone="America/Los_Angeles")
    assert login(client, "viewer@undp.org").status_code == 302
    directory = client.get("/registry/?q=Leaver&lang=en").get_data(as_text=True)
    search = client.get("/search?q=Leaver&lang=en").get_data(as_text=True)
    assert "Lastday Leaver" in directory  # the directory: still in office today
    assert "Lastday Leaver" in search, "the search of the directory does not find her"
