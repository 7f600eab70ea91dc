"""Right to left: left-to-right values keep to their line, "Name, Title" keeps its order, and
Arabic lists take the Arabic comma."""
from datetime import date

from sqlalchemy import select

from gfp_portal.core.i18n import join_list, name_and_title
from gfp_portal.extensions import db
from gfp_portal.reference.models import DutyStation, Entity, Unct
from gfp_portal.registry import services


def test_name_and_title_take_the_comma_of_their_script():
    assert name_and_title("Amina Diallo", "Executive Director") == \
        "Amina Diallo, Executive Director"
    assert name_and_title("أمينة ديالو", "المديرة التنفيذية") == "أمينة ديالو، المديرة التنفيذية"
    assert name_and_title("Amina Diallo", None) == "Amina Diallo"


def test_lists_take_the_comma_of_the_viewers_language():
    assert join_list(["Kenya", "Uganda", "Somalia"], "ar") == "Kenya، Uganda، Somalia"
    assert join_list(["Kenya", "Uganda"], "fr") == "Kenya, Uganda"
    assert join_list([], "ar") == ""


def test_a_duty_station_names_its_city_and_country_with_the_arabic_comma(app):
    with app.test_request_context("/?lang=ar"):
        station = DutyStation(city="New York", country_iso3="USA", time_zone="America/New_York")
        assert str(station) == "New York، الولايات المتحدة الأمريكية"
    with app.test_request_context("/?lang=en"):
        assert str(station) == "New York, United States of America"


def _appointed_person(app):
    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        kenya.members = [undp]
        person = services.create_person({"given_name": "Wanjiku", "family_name": "Otieno",
                                         "email": "w.otieno@undp.org", "entity": undp},
                                        actor=None)
        services.appoint(person, {"entity": undp, "unct": kenya, "role": "focal_point",
                                  "start_date": date.today(),
                                  "appointed_by_name": "Gambira Wibowo",
                                  "appointed_by_title": "Resident Coordinator"}, actor=None)
        db.session.commit()
        return person.id


def test_name_and_title_read_as_one_left_to_right_value_in_arabic(app, client, reference,
                                                                  login_as):
    person_id = _appointed_person(app)
    login_as("coordinator", email="coord@undp.org")
    html = client.get(f"/registry/people/{person_id}?lang=ar").get_data(as_text=True)
    # One isolate for the pair: in a right-to-left line it still reads "Name, Title".
    assert '<bdi class="name-title">Gambira Wibowo, Resident Coordinator</bdi>' in html
    assert '<bdi dir="ltr" class="ltr-value">w.otieno@undp.org</bdi>' in html
    assert '<bdi dir="ltr" class="ltr-value">coord@undp.org</bdi>' in html   # signed in as


def test_each_language_of_a_session_keeps_its_place_in_an_arabic_line(app, client, login_as):
    """Language names and codes are written left to right: unless each is isolated, an
    Arabic line lays them out as one left-to-right run, read from the last to the first. They
    are listed with the Arabic comma."""
    from datetime import UTC, datetime

    from gfp_portal.sessions.models import TrainingSession

    with app.app_context():
        session = TrainingSession(
            title_en="Parity", topic="parity_dashboard", format="virtual",
            starts_at=datetime(2030, 1, 1, 10, tzinfo=UTC),
            ends_at=datetime(2030, 1, 1, 11, tzinfo=UTC), time_zone="UTC",
            languages="en fr es ar", capacity=10, audience="both", status="published")
        db.session.add(session)
        db.session.commit()
        session_id = session.id
    login_as("focal_point")
    html = client.get(f"/sessions/{session_id}?lang=ar").get_data(as_text=True)
    assert ('<span lang="en" dir="ltr">English</span>، <span lang="fr" dir="ltr">français</span>'
            '، <span lang="es" dir="ltr">español</span>، <span lang="ar" dir="rtl">العربية</span>'
            in html)
    listed = client.get("/sessions/?lang=ar").get_data(as_text=True)
    assert "<bdi>EN</bdi> · <bdi>FR</bdi> · <bdi>ES</bdi> · <bdi>AR</bdi>" in listed
