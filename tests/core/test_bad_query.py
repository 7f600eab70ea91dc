"""Hostile query values on list pages: a translated 400 or form error, never a 500."""
import pytest

from gfp_portal.extensions import db
from gfp_portal.registry.models import Person

HUGE = "9" * 20


@pytest.fixture
def coordinator_client(client, reference, login_as):
    login_as("admin", "coordinator")
    return client


def test_a_nul_byte_in_the_public_library_search_is_refused(client):
    response = client.get("/resources/?q=%00")
    assert response.status_code == 400
    assert "invalid character" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/registry/?q=a%00b", "/sessions/?month=%00",
                                 "/admin/users/?q=%00", "/admin/audit/?action=%00",
                                 "/coverage/?entity=%00", "/reference/entities/?q=%00"])
def test_a_nul_byte_in_any_text_filter_is_refused(client, reference, login_as, url):
    login_as("admin", "coordinator")
    assert client.get(url).status_code == 400


def test_the_refusal_is_translated(client):
    response = client.get("/resources/?q=%00&lang=fr")
    assert response.status_code == 400
    assert "caractère non valide" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/sessions/", "/registry/", "/nominations/",
                                 "/reference/entities/", "/admin/users/", "/admin/audit/"])
def test_a_page_number_out_of_range_is_refused(coordinator_client, url):
    response = coordinator_client.get(f"{url}?page={HUGE}")
    assert response.status_code == 400
    assert "page number" in response.get_data(as_text=True)


def test_a_huge_older_than_is_a_form_error(coordinator_client):
    response = coordinator_client.get(f"/nominations/?older_than={HUGE}")
    assert response.status_code == 200
    # One error, about the value given: its range is not checked on a value it cannot read.
    html = response.get_data(as_text=True)
    assert "Enter a whole number." in html and "Number must be between" not in html


def test_a_huge_expiring_is_a_form_error(coordinator_client):
    response = coordinator_client.get(f"/registry/?expiring={HUGE}")
    assert response.status_code == 200
    # One error, about the value given: its range is not checked on a value it cannot read.
    html = response.get_data(as_text=True)
    assert "Enter a whole number." in html and "Number must be between" not in html


def test_a_language_filter_that_is_not_a_language_is_a_form_error(coordinator_client):
    response = coordinator_client.get("/sessions/?language=%5C")
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_like_wildcards_in_a_search_are_taken_literally(ctx, reference):
    from gfp_portal.registry import queries

    db.session.add_all([Person(given_name="Amina", family_name="Diallo",
                               email="amina@undp.org"),
                        Person(given_name="100%", family_name="Sure", email="pct@undp.org")])
    db.session.flush()

    def names(q):
        stmt = queries.people_query(queries.RegistryFilter(q=q, status="any"))
        return [p.given_name for p in db.session.scalars(stmt).unique()]

    assert names("%") == ["100%"]
    assert names("_mina") == []
    assert names("\\") == []


def test_a_language_pattern_matches_no_session(ctx, reference):
    from datetime import UTC, datetime

    from gfp_portal.sessions import queries
    from gfp_portal.sessions.models import TrainingSession

    db.session.add(TrainingSession(
        title_en="Parity", topic="parity_dashboard", format="virtual",
        starts_at=datetime(2030, 1, 1, 10, tzinfo=UTC), ends_at=datetime(2030, 1, 1, 11,
                                                                        tzinfo=UTC),
        time_zone="UTC", languages="en fr", capacity=10, audience="both", status="published"))
    db.session.flush()
    now = datetime(2029, 1, 1, tzinfo=UTC)
    for pattern in ("%", "_", "\\", "e_"):
        stmt = queries.sessions_query(queries.SessionFilter(language=pattern), now=now)
        assert db.session.scalars(stmt).all() == [], pattern
    assert len(db.session.scalars(queries.sessions_query(
        queries.SessionFilter(language="fr"), now=now)).all()) == 1


# More digits than a float can hold: WTForms' range check stopped on it (math.isnan).
BEYOND_A_FLOAT = "1" * 400


@pytest.mark.parametrize("url", [f"/registry/?expiring={BEYOND_A_FLOAT}",
                                 f"/nominations/?older_than={BEYOND_A_FLOAT}",
                                 f"/sessions/?within={BEYOND_A_FLOAT}"])
def test_a_number_beyond_a_float_in_a_filter_is_a_form_error(coordinator_client, url):
    response = coordinator_client.get(url)
    assert response.status_code == 200
    assert "Enter a whole number." in response.get_data(as_text=True)


def test_a_number_beyond_a_float_in_a_form_is_a_translated_form_error(coordinator_client, app):
    from gfp_portal.sessions.models import Topic

    response = coordinator_client.post("/sessions/topics/?lang=fr", data={
        "key": "budgeting", "name_en": "Budgeting", "position": BEYOND_A_FLOAT})
    assert response.status_code == 200
    assert "Indiquez un nombre entier." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Topic).filter_by(key="budgeting").count() == 0


def test_a_number_that_is_no_number_says_so_in_the_portals_words(coordinator_client):
    # WTForms' own Arabic calls an integer a real number ("العدد الحقيقي").
    response = coordinator_client.get("/registry/?expiring=abc&lang=ar")
    assert response.status_code == 200
    assert "يُرجى إدخال عدد صحيح." in response.get_data(as_text=True)


@pytest.mark.parametrize("body", [5, ["x"], {"name": {"en": "Budgeting"}}, {"name": True}])
def test_a_form_sent_as_json_is_refused_and_changes_nothing(coordinator_client, app, body):
    from gfp_portal.resources.models import ResourceCategory

    with app.app_context():
        before = db.session.query(ResourceCategory).count()
    response = coordinator_client.post("/resources/categories?lang=es", json=body)
    assert response.status_code == 400
    assert "solo acepta los formularios de sus propias páginas" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ResourceCategory).count() == before
