"""The header's global search: who sees which people, entities, country teams, sessions and
resources; accents, case and Arabic forms ignored; bad input refused with a reason; a fixed
number of queries whatever the size of the network."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from gfp_portal.extensions import db
from gfp_portal.main.search import SHOWN
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry.models import Appointment, Person
from gfp_portal.sessions.models import TrainingSession


def _appoint(person, acronym, iso3=None):
    db.session.add(Appointment(
        person=person, entity=db.session.scalars(select(Entity).filter_by(acronym=acronym)).one(),
        unct=db.session.scalars(select(Unct).filter_by(iso3=iso3)).one() if iso3 else None,
        role="alternate", status="active", start_date=date.today() - timedelta(days=30),
        end_date=date.today() + timedelta(days=300)))


def _person(given, family, email, *, consent=False, acronym="UNICEF", iso3="KEN",
            appointed=True):
    person = Person(given_name=given, family_name=family, email=email,
                    directory_consent=consent,
                    entity=db.session.scalars(select(Entity).filter_by(acronym=acronym)).one())
    db.session.add(person)
    if appointed:
        _appoint(person, acronym, iso3)
    return person


def _session(title_en, *, status="published", days=10, **titles):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    session = TrainingSession(title_en=title_en, topic="parity_dashboard", format="virtual",
                              starts_at=starts, ends_at=starts + timedelta(hours=1),
                              time_zone="UTC", languages="en", capacity=10, audience="both",
                              status=status, **titles)
    db.session.add(session)
    return session


@pytest.fixture
def world(app, reference, create_resource):
    with app.app_context():
        _person("Lucía", "Fernández", "lucia.private@unicef.org")
        _person("Amadou", "Fernandes", "amadou.shared@unicef.org", consent=True)
        _person("Hidden", "Fernandez-Uganda", "uganda.only@unicef.org", iso3="UGA")
        _person("Retired", "Fernandez-Past", "no.term@unicef.org", appointed=False)
        _session("Gender parity", title_fr="Égalité des sexes", title_ar="المُسَاواة بين الجنسين")
        _session("Draft about parity", status="draft", title_fr="Brouillon egalite")
        db.session.commit()
    create_resource("eeg", {"en": "Enabling environment guidelines",
                            "ar": "إرشادات البيئة التمكينية"})
    create_resource("brief", {"en": "Network brief on parity"}, visibility="network")


def _page(client, q, **params):
    response = client.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/search?q=parity")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("roles", [("coordinator",), ("admin",)])
def test_the_office_finds_everyone_with_their_email(client, world, login_as, roles):
    login_as(*roles)
    page = _page(client, "fernandez")
    for email in ("lucia.private@unicef.org", "uganda.only@unicef.org", "no.term@unicef.org"):
        assert email in page
    assert re.search(r'href="/registry/people/\d+"', page)
    assert "Draft about parity" in _page(client, "parity")


def test_a_focal_point_sees_the_directory_and_only_consented_contact_data(client, world,
                                                                         login_as):
    login_as("focal_point")
    page = _page(client, "FERNAND")
    assert "Lucía Fernández" in page and "Amadou Fernandes" in page
    assert "lucia.private@unicef.org" not in page
    assert "amadou.shared@unicef.org" in page
    assert "Fernandez-Past" not in page          # no active term: not in the directory
    assert "/registry/people/" not in page
    parity = _page(client, "parity")
    assert "Gender parity" in parity and "Draft about parity" not in parity
    assert "Network brief on parity" in parity   # network resources: members signed in


def test_a_person_found_reads_entity_then_duty_station_in_arabic(app, client, world,
                                                                  login_as):
    from gfp_portal.reference.models import DutyStation

    with app.app_context():
        person = db.session.scalars(select(Person).filter_by(family_name="Fernandes")).one()
        person.duty_station = DutyStation(city="Nairobi", country_iso3="KEN",
                                          time_zone="Africa/Nairobi")
        db.session.commit()
    login_as("focal_point")
    page = _page(client, "Fernandes", lang="ar")
    assert "<bdi>UNICEF</bdi> · Nairobi، كينيا" in page


def test_a_resident_coordinator_sees_the_people_of_own_teams_only(client, world, login_as):
    login_as("resident_coordinator", uncts=["KEN"])
    page = _page(client, "fernandez")
    assert "Lucía Fernández" in page and "lucia.private@unicef.org" in page
    assert "Fernandez-Uganda" not in page and "Fernandez-Past" not in page
    kenya, uganda = _page(client, "kenya"), _page(client, "uganda")
    assert 'href="/coverage/KEN"' in kenya
    assert "Uganda" in uganda and "/coverage/UGA" not in uganda
    assert "Draft about parity" not in _page(client, "parity")


def test_an_account_without_a_role_sees_no_people(client, world, login_as):
    login_as()
    page = _page(client, "fernandez")
    assert "Fernández" not in page
    unicef = _page(client, "unicef")
    assert "UNICEF" in unicef and "/registry/?entity=" not in unicef


@pytest.mark.parametrize(("q", "found"), [
    ("cote", "Côte d’Ivoire"), ("CÔTE D'IVOIRE", "Côte d’Ivoire"), ("civ", "Côte d’Ivoire"),
    ("ÉGALITÉ", "Gender parity"), ("egalite", "Gender parity"), ("unicef", "UNICEF"),
    ("children's fund", "UNICEF"), ("enabling ENVIRONMENT", "Enabling environment guidelines"),
])
def test_matching_ignores_accents_and_case(client, world, login_as, q, found):
    login_as("coordinator")
    assert found in _page(client, q)


def test_arabic_matches_without_harakat_tatweel_or_alef_forms(client, world, login_as):
    login_as("focal_point")
    # Titles are stored with harakat and a hamza on the alef; people type neither.
    assert "المُسَاواة بين الجنسين" in _page(client, "المساواة", lang="ar")
    assert "المُسَاواة بين الجنسين" in _page(client, "المســاواة", lang="ar")
    assert "إرشادات البيئة التمكينية" in _page(client, "ارشادات", lang="ar")
    # Country teams in the viewer's language, and in English too.
    assert "كوت ديفوار" in _page(client, "كوت", lang="ar")
    assert "كوت ديفوار" in _page(client, "ivoire", lang="ar")


@pytest.mark.parametrize(("q", "lang", "found"), [
    ("مالى", "ar", 'href="/coverage/MLI"'),     # مالي typed with an undotted final yeh
    ("الجمهوريه العربيه السوريه", "ar", 'href="/coverage/SYR"'),  # heh for ta marbuta
    ("تيمور ليشتي", "ar", 'href="/coverage/TLS"'),  # the UN's "تيمور - ليشتي"
    ("Timor Leste", "en", 'href="/coverage/TLS"'),
    ("Guinea Bissau", "en", 'href="/coverage/GNB"'),
    ("Leste Timor", "en", 'href="/coverage/TLS"'),
    ("Fernandez Lucia", "en", "lucia.private@unicef.org"),
    ("Fernández, Lucía", "en", "lucia.private@unicef.org"),
    ("guidelines environment", "en", "Enabling environment guidelines"),
    ("البيئه التمكينيه", "ar", "إرشادات البيئة التمكينية"),
])
def test_a_search_finds_what_it_names_however_it_is_typed(client, world, login_as, q, lang,
                                                          found):
    """Letters Arabic writers type one for the other, words in another order, a hyphen or a
    dash typed as a space or left out."""
    login_as("coordinator")
    assert found in _page(client, q, lang=lang)


def test_a_country_team_is_found_in_the_viewers_language(client, world, login_as):
    login_as("coordinator")
    assert "Égypte" in _page(client, "egypte", lang="fr")
    assert "Egipto" in _page(client, "EGIPTO", lang="es")


def test_each_kind_shows_a_few_and_links_to_its_full_list(client, app, world, login_as):
    with app.app_context():
        for n in range(SHOWN + 2):
            _session(f"Parity clinic {n}", days=n + 20)
        db.session.commit()
    login_as("coordinator")
    page = _page(client, "clinic")
    assert page.count("Parity clinic") == SHOWN
    link = re.search(r'href="(/sessions/\?[^"]+)">See all 7 results', page)
    assert link
    listed = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert listed.count("Parity clinic") == SHOWN + 2


@pytest.mark.parametrize(("q", "status", "message"), [
    ("", 200, "Type a name, an acronym, a country or a title to search."),
    ("   ", 400, "Type a name, an acronym, a country or a title to search."),
    ("\u064e\u0640", 400, "Type a name, an acronym, a country or a title to search."),
    ("x" * 101, 400, "Type at most 100 characters to search."),
    ("a\tb", 400, "The search cannot contain control characters"),
    ("a\x00b", 400, "invalid character"),
])
def test_bad_input_is_refused_with_a_reason(client, world, login_as, q, status, message):
    login_as("focal_point")
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_bad_input_is_explained_in_the_viewers_language(client, world, login_as):
    login_as("focal_point")
    response = client.get("/search", query_string={"q": "x" * 101, "lang": "fr"})
    assert response.status_code == 400
    assert "Type at most" not in response.get_data(as_text=True)


def test_the_header_has_the_search_form_for_signed_in_people_only(client, world, login_as):
    assert 'id="header-q"' not in client.get("/resources/").get_data(as_text=True)
    login_as("focal_point")
    page = client.get("/resources/").get_data(as_text=True)
    assert 'action="/search" role="search" aria-label="Search the portal"' in page
    assert 'aria-labelledby="header-search-button"' in page
    assert '<button class="btn btn-light btn-sm" type="submit" id="header-search-button">Search' \
        in page


def test_hostile_values_never_get_a_server_error(client, world, login_as):
    login_as("coordinator")
    for q in ("%", "_", "\\", "%_\\", "' OR 1=1 --", "\u202eمرحبا\u200b", "\ufeff", "9" * 99):
        assert client.get("/search", query_string={"q": q}).status_code in (200, 400)


class Growing:
    """People, sessions and resources that all match the same word, added by rounds."""

    def __init__(self, app, create_resource):
        self.app, self.create_resource, self.round = app, create_resource, 0

    def grow(self, size):
        r, self.round = self.round, self.round + 1
        with self.app.app_context():
            for i in range(size):
                _person("Zora", f"Match {r}-{i}", f"z{r}-{i}@unicef.org", consent=bool(i % 2),
                        iso3=("KEN", "UGA")[i % 2])
                _session(f"Match session {r}-{i}", days=i + 1)
            db.session.commit()
        for i in range(size):
            self.create_resource(f"match-{r}-{i}", {"en": f"Match guide {r}-{i}",
                                                    "fr": f"Guide match {r}-{i}"})


def _queries(client, count_queries, q="match"):
    with count_queries() as counted:
        assert client.get("/search", query_string={"q": q}).status_code == 200
    return counted.count


@pytest.mark.parametrize("roles", [("coordinator",), ("focal_point",), ("resident_coordinator",)])
def test_search_reads_in_a_fixed_number_of_queries(client, app, reference, login_as,
                                                  create_resource, count_queries, roles):
    login_as(*roles, uncts=["KEN"] if "resident_coordinator" in roles else [])
    data = Growing(app, create_resource)
    data.grow(2)
    small = _queries(client, count_queries)
    data.grow(SHOWN * 3)
    assert _queries(client, count_queries) == small
