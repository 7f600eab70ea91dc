"""History and audit pages read as sentences in the reader's language, not field dumps."""
import html as html_lib
import re
from datetime import date

import pytest
from sqlalchemy import select

from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.reference.services import get_or_create_duty_station
from gfp_portal.registry import services
from tests.helpers import login


def _appoint(in_kenya):
    """A UNESCO focal point for Kenya (or at headquarters), appointed 17 Nov 2026 to
    16 Nov 2028: the person's id."""
    unesco = db.session.scalars(select(Entity).filter_by(acronym="UNESCO")).one()
    kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    if unesco not in kenya.members:
        kenya.members.append(unesco)
    unct = kenya if in_kenya else None
    person = services.create_person({
        "given_name": "Amani", "family_name": "Odhiambo", "email": "amani@unesco.org",
        "entity": unesco, "grade": "P-4"}, actor=None)
    services.appoint(person, {"entity": unesco, "unct": unct, "role": "focal_point",
                              "start_date": date(2026, 11, 17),
                              "end_date": date(2028, 11, 16), "time_share": 20,
                              "tor_on_file": False}, actor=None)
    db.session.commit()
    return person.id


@pytest.fixture
def appointed(app, reference):
    """A UNESCO focal point for Kenya, appointed 17 Nov 2026 to 16 Nov 2028."""
    with app.app_context():
        return _appoint(in_kenya=True)


@pytest.fixture
def appointed_at_headquarters(app, reference):
    with app.app_context():
        return _appoint(in_kenya=False)


def _page(client, url):
    return html_lib.unescape(client.get(url).get_data(as_text=True))


def test_person_history_says_what_happened(client, appointed, login_as):
    login_as("coordinator")
    page = _page(client, f"/registry/people/{appointed}")
    assert ("Appointed focal point for \u2068UNESCO\u2069 — \u2068Kenya\u2069, "
            "\u2068Nov 17, 2026 – Nov 16, 2028\u2069") in page
    assert "Terms of reference on file" in page
    assert "tor_on_file" not in page and "appointment.create" not in page
    assert "[" not in page.split('id="history-heading"')[1]  # no Python lists


def test_history_in_the_readers_language(client, appointed, login_as):
    login_as("coordinator")
    page = _page(client, f"/registry/people/{appointed}?lang=fr")
    assert ("Désignation comme point focal pour \u2068UNESCO\u2069 — \u2068Kenya\u2069, "
            "\u206817 nov. 2026 – 16 nov. 2028\u2069") in page
    assert "Mandat versé au dossier" in page and "tor_on_file" not in page
    page = _page(client, f"/registry/people/{appointed}?lang=ar")
    assert "tor_on_file" not in page and "appointment.create" not in page


def test_audit_log_reads_as_sentences(client, appointed, login_as):
    login_as("admin")
    page = _page(client, "/admin/audit/")
    assert "Appointed focal point for \u2068UNESCO\u2069 — \u2068Kenya\u2069" in page
    assert "Added to the registry" in page
    assert "person.create" not in page and "tor_on_file" not in page


@pytest.mark.parametrize(("role", "url"), [("coordinator", "/registry/people/{}?lang=ar"),
                                         ("admin", "/admin/audit/?lang=ar")])
def test_an_arabic_history_sentence_keeps_the_acronym_apart_from_the_term(
        client, appointed_at_headquarters, login_as, role, url):
    """In "…في مقر UNESCO، 17/11/2026 – …" a right-to-left page would run the Latin acronym
    and the first date into one left-to-right run ("2026/11/UNESCO، 17"): the acronym and
    the term are each isolated (U+2068…U+2069), the sentence's own words are not."""
    login_as(role)
    page = _page(client, url.format(appointed_at_headquarters))
    sentence = re.search(r">(التعيين جهةً[^<]*)<", page).group(1)
    assert sentence.startswith("التعيين جهةً للتنسيق في مقر \u2068UNESCO\u2069، \u2068"), \
        sentence
    assert sentence.endswith("2028\u2069"), sentence


def test_a_time_zone_reads_as_its_city_in_the_readers_language(client, appointed, login_as):
    login_as("admin")
    with client.application.app_context():
        person = db.session.get(services.Person, appointed)
        services.update_person(person, {"time_zone": "Africa/Nairobi"}, actor=None)
        db.session.commit()
    page = _page(client, "/admin/audit/?lang=fr")
    assert "Nairobi (\u2066UTC+3\u2069)" in page
    assert "Africa/Nairobi" not in page


@pytest.mark.parametrize("text", ["2024-13-45", "2024-02-30T25:99"])
def test_a_text_shaped_like_a_date_that_is_none_reads_as_typed(client, appointed, login_as,
                                                                app, text):
    from gfp_portal.registry.models import Person

    with app.app_context():
        services.update_person(db.session.get(Person, appointed), {"position_title": text},
                               actor=None)
        db.session.commit()
    login_as("coordinator")
    response = client.get(f"/registry/people/{appointed}")
    assert response.status_code == 200
    assert text in html_lib.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(("text", "zone"), [("0001-01-01T00:00", "America/New_York"),
                                            ("9999-12-31T23:59", "Asia/Tokyo")])
def test_a_text_shaped_like_a_time_at_the_ends_of_the_calendar_reads_as_typed(
        client, appointed, login_as, app, text, zone):
    """Moved into the reader's time zone, such a time would fall before year 1 or after 9999:
    the history shows the text as it was typed rather than failing."""
    from gfp_portal.accounts.models import User
    from gfp_portal.registry.models import Person

    user_id = login_as("coordinator")
    with app.app_context():
        db.session.get(User, user_id).time_zone = zone
        services.update_person(db.session.get(Person, appointed), {"position_title": text},
                               actor=None)
        db.session.commit()
    response = client.get(f"/registry/people/{appointed}")
    assert response.status_code == 200
    assert text in html_lib.unescape(response.get_data(as_text=True))


def test_a_duty_station_reads_in_the_readers_language_whoever_changed_it(
        client, appointed, create_user, app):
    """An Arabic-speaking coordinator moves the person to Geneva: a reader in English or in
    French sees the country named in their own language, not in the writer's."""
    with app.app_context():
        geneva = get_or_create_duty_station("Geneva", "CHE", "Europe/Zurich").id
        db.session.commit()
    create_user("office-ar@example.org", roles=["coordinator"], locale="ar")
    assert login(client, "office-ar@example.org").status_code == 302
    response = client.post(f"/registry/people/{appointed}/edit", data={
        "given_name": "Amani", "family_name": "Odhiambo", "email": "amani@unesco.org",
        "grade": "P-4", "entity": "UNESCO", "duty_station": geneva,
        "preferred_language": "en", "time_zone": "UTC"})
    assert response.status_code == 302
    history = _page(client, f"/registry/people/{appointed}?lang=en").split(
        'id="history-heading"')[1]
    assert "Geneva, Switzerland" in history and "سويسرا" not in history
    history = _page(client, f"/registry/people/{appointed}?lang=fr").split(
        'id="history-heading"')[1]
    assert "Geneva, Suisse" in history and "سويسرا" not in history
