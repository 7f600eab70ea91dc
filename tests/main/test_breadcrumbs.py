"""Deep pages say where they sit: one breadcrumb trail (a nav with an ordered list, the page
itself marked current) in place of the old "back" link."""
import re
from datetime import UTC, datetime, timedelta

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.sessions.models import TrainingSession

TRAIL = re.compile(r'<nav aria-label="Breadcrumb">\s*<ol class="breadcrumb">(.*?)</ol>\s*</nav>',
                   re.S)


def _trail(html):
    found = TRAIL.findall(html)
    assert len(found) == 1, "one breadcrumb trail per page"
    items = re.findall(r'<li class="breadcrumb-item( active" aria-current="page)?">(.*?)</li>',
                       found[0], re.S)
    return [(" ".join(re.sub(r"<[^>]+>", "", text).split()), bool(current))
            for current, text in items]


def test_a_person_in_the_registry(client, app, reference, login_as, create_user):
    login_as("coordinator")
    fp = create_user("fp@example.org", given_name="Ama", family_name="Owusu")
    with app.app_context():
        person_id = db.session.get(User, fp).person_id
    html = client.get(f"/registry/people/{person_id}").get_data(as_text=True)
    assert _trail(html) == [("Home", False), ("Registry", False), ("Ama Owusu", True)]
    assert "← Registry" not in html


def test_a_sessions_attendance_register_and_in_arabic(client, app, reference, login_as):
    login_as("coordinator")
    with app.app_context():
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
        session = TrainingSession(
            title_en="Parity dashboard", title_ar="لوحة التكافؤ", topic="parity_dashboard",
            format="virtual", starts_at=starts, ends_at=starts + timedelta(hours=1),
            time_zone="UTC", languages="en", capacity=10, audience="both", status="published")
        db.session.add(session)
        db.session.commit()
        session_id = session.id
    html = client.get(f"/sessions/{session_id}/attendance").get_data(as_text=True)
    assert _trail(html) == [("Home", False), ("Training sessions", False),
                            ("Parity dashboard", False), ("Attendance register", True)]
    assert f'href="/sessions/{session_id}"' in TRAIL.search(html).group(1)
    arabic = client.get(f"/sessions/{session_id}?lang=ar").get_data(as_text=True)
    assert '<nav aria-label="مسار التنقل">' in arabic
    assert "→" not in arabic.split("<main", 1)[1].split("</h1>", 1)[0]


def test_a_resident_coordinators_own_team(client, app, reference, login_as):
    login_as("resident_coordinator", uncts=["KEN"])
    html = client.get("/coverage/KEN").get_data(as_text=True)
    assert _trail(html) == [("Home", False), ("Kenya", True)]


def test_an_administration_page(client, reference, login_as):
    login_as("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    assert _trail(html) == [("Home", False), ("Administration", False), ("Settings", True)]


def test_a_resource_for_anonymous_visitors(client, create_resource):
    create_resource("guide", {"en": "Guide"})
    html = client.get("/resources/guide").get_data(as_text=True)
    assert _trail(html) == [("Home", False), ("Resource library", False), ("Guide", True)]
