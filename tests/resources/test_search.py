"""The library's search ignores accents and case."""
from flask_login import AnonymousUserMixin

from gfp_portal.extensions import db
from gfp_portal.resources.queries import library_query


def test_the_library_finds_a_title_without_its_accents(app, client, create_resource):
    create_resource("guia", {"en": "Guide", "es": "Guía de Lucía Fernández"})
    create_resource("other", {"en": "Parity"})
    with app.app_context():
        found = db.session.scalars(library_query(AnonymousUserMixin(), q="FERNANDEZ")).unique()
        assert [r.slug for r in found] == ["guia"]
    page = client.get("/resources/?q=guia+de+lucia").get_data(as_text=True)
    assert "/resources/guia" in page
    assert "/resources/other" not in page


def test_the_library_finds_an_arabic_title_typed_with_heh_for_ta_marbuta(client,
                                                                          create_resource):
    create_resource("eeg", {"ar": "دليل البيئة التمكينية"})
    create_resource("other", {"ar": "التكافؤ بين الجنسين"})
    page = client.get("/resources/", query_string={"q": "البيئه التمكينيه", "lang": "ar"}) \
        .get_data(as_text=True)
    # Opened from the search, a resource's page leads back to it (?back=).
    assert "/resources/eeg?back=" in page
    assert "/resources/other?back=" not in page


def test_the_library_finds_the_words_of_a_title_in_any_order(client, create_resource):
    create_resource("eeg", {"en": "Enabling Environment Guidelines"})
    create_resource("other", {"en": "Parity guidelines"})
    page = client.get("/resources/?q=environment+guidelines").get_data(as_text=True)
    # Opened from the search, a resource's page leads back to it (?back=).
    assert "/resources/eeg?back=" in page
    assert "/resources/other?back=" not in page
