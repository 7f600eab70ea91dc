"""Coordinators manage the library: resources, versions, file replacement, publishing."""
import io

import pytest
from sqlalchemy import select

from gfp_portal.extensions import db
from gfp_portal.resources.models import Resource, ResourceCategory
from tests.helpers import EXE, PDF, page_links, stored_files
from tests.markup import CHOOSE_FILE_AGAIN, described_by, markup_problems


def category_id(app, code="guidelines"):
    with app.app_context():
        from gfp_portal.resources.services import ensure_default_categories
        ensure_default_categories()
        db.session.commit()
        return db.session.scalars(select(ResourceCategory.id).filter_by(code=code)).one()


def resource(app, slug):
    with app.app_context():
        found = db.session.scalars(select(Resource).filter_by(slug=slug)).first()
        if found is not None:
            found.versions  # noqa: B018 — load before the context closes
        return found


@pytest.mark.parametrize("url", ["/resources/guide/edit", "/resources/guide/versions/new",
                                 "/resources/guide/versions/en", "/resources/guide/delete"])
@pytest.mark.parametrize("role, status", [("focal_point", 403), ("coordinator", 200)])
def test_management_pages_are_for_coordinators(client, login_as, create_resource, url, role,
                                               status):
    create_resource("guide", {"en": "Guide"})
    login_as(role)
    assert client.get(url).status_code == status


def test_a_coordinator_creates_a_resource_and_adds_a_version(app, client, login_as,
                                                             storage_dir):
    login_as("coordinator")
    response = client.post("/resources/new", data={
        "slug": "why-gender-parity", "category": category_id(app, "briefs"),
        "visibility": "network", "tags": "parity, advocacy"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/resources/why-gender-parity/versions/new")
    response = client.post("/resources/why-gender-parity/versions/new", data={
        "language": "es", "title": "¿Por qué la paridad de género?", "summary": "Nota",
        "file": (io.BytesIO(PDF), "paridad.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    created = resource(app, "why-gender-parity")
    assert created.visibility.value == "network" and not created.is_published
    assert [v.language for v in created.versions] == ["es"]
    assert len(stored_files(storage_dir)) == 1
    assert client.post("/resources/why-gender-parity/publish").status_code == 302
    assert resource(app, "why-gender-parity").is_published


def test_a_bad_resource_form_is_shown_again_with_what_was_typed(app, client, login_as):
    login_as("coordinator")
    page = client.post("/resources/new", data={
        "slug": "Not A Slug", "category": category_id(app), "visibility": "public",
        "tags": "mentoring"}).get_data(as_text=True)
    assert "Use lower-case letters, digits and hyphens only" in page
    assert 'value="Not A Slug"' in page and 'value="mentoring"' in page
    assert resource(app, "not-a-slug") is None


def test_an_exe_renamed_pdf_is_refused_on_the_form(app, client, login_as, create_resource,
                                                   storage_dir):
    create_resource("guide", {"en": "Guide"})
    login_as("coordinator")
    before = stored_files(storage_dir)
    page = client.post("/resources/guide/versions/new", data={
        "language": "fr", "title": "Guide FR", "file": (io.BytesIO(EXE), "guide.pdf")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "This file is not an accepted document" in page
    assert 'value="Guide FR"' in page
    assert stored_files(storage_dir) == before
    assert resource(app, "guide").languages == ["en"]


@pytest.mark.parametrize("url", ["/resources/guide/versions/new",
                                 "/resources/guide/versions/en"])
def test_the_version_form_shown_again_asks_for_the_chosen_file_again(
        app, client, login_as, create_resource, storage_dir, url):
    create_resource("guide", {"en": "Guide"})
    login_as("coordinator")
    before = stored_files(storage_dir)
    response = client.post(url, data={
        "language": "fr" if url.endswith("new") else "en", "title": "",
        "file": (io.BytesIO(PDF), "guide.pdf")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter the title." in html
    assert CHOOSE_FILE_AGAIN in described_by(html, "file")
    assert markup_problems(html) == []
    assert stored_files(storage_dir) == before
    assert CHOOSE_FILE_AGAIN not in client.get(url).get_data(as_text=True)


def test_an_oversized_upload_is_refused_with_a_clear_message(app, client, login_as,
                                                            create_resource, storage_dir,
                                                            monkeypatch):
    create_resource("guide", {"en": "Guide"})
    # Under 500 KB, so the test client keeps the request body in memory.
    monkeypatch.setitem(app.config, "RESOURCE_MAX_BYTES", 419_430)
    login_as("coordinator")
    before = stored_files(storage_dir)
    page = client.post("/resources/guide/versions/en", data={
        "language": "en", "title": "Guide", "file": (io.BytesIO(PDF + b"0" * 420_000),
                                                     "big.pdf")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "The file is larger than 0.4 MB" in page
    assert stored_files(storage_dir) == before


def test_replacing_a_file_through_the_form(app, client, login_as, create_resource,
                                           storage_dir):
    create_resource("guide", {"en": "Guide"})
    old_key = resource(app, "guide").versions[0].file_key
    login_as("coordinator")
    response = client.post("/resources/guide/versions/en", data={
        "language": "en", "title": "Guide, 2026 edition",
        "file": (io.BytesIO(PDF + b"%2026"), "guide-2026.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    version = resource(app, "guide").versions[0]
    assert version.filename == "guide-2026.pdf" and version.title == "Guide, 2026 edition"
    assert stored_files(storage_dir) == [version.file_key]
    assert version.file_key != old_key


def test_unpublish_hides_the_resource_from_the_library(app, client, login_as, create_resource):
    create_resource("guide", {"en": "Guide"})
    login_as("coordinator")
    client.post("/resources/guide/unpublish")
    assert not resource(app, "guide").is_published
    client.post("/logout")
    assert client.get("/resources/guide").status_code == 404


def test_delete_asks_for_confirmation_then_removes_the_files(app, client, login_as,
                                                             create_resource, storage_dir):
    create_resource("guide", {"en": "Guide", "fr": "Guide FR"})
    login_as("coordinator")
    page = client.get("/resources/guide/delete").get_data(as_text=True)
    assert "cannot be undone" in page
    assert resource(app, "guide") is not None
    response = client.post("/resources/guide/delete")
    assert response.status_code == 302
    assert resource(app, "guide") is None
    assert stored_files(storage_dir) == []


def test_categories_can_be_added_and_unused_ones_deleted(app, client, login_as,
                                                        create_resource):
    create_resource("guide", category="guidelines")
    login_as("coordinator")
    category_id(app)
    client.post("/resources/categories", data={"name": "Training material"})
    page = client.get("/resources/categories").get_data(as_text=True)
    assert "Training material" in page
    with app.app_context():
        added = db.session.scalars(select(ResourceCategory.id).filter_by(
            code="training-material")).one()
    html = client.post(f"/resources/categories/{added}/delete").get_data(as_text=True)
    assert "Delete the category “Training material”" in html
    assert "Its name is deleted for good. No resource is in this category." in html
    assert "Training material" in client.get("/resources/categories").get_data(as_text=True)
    client.post(f"/resources/categories/{added}/delete", data={"confirmed": "1"})
    assert "Training material" not in client.get("/resources/categories").get_data(
        as_text=True)
    # A category in use is refused at the first click.
    in_use = category_id(app, "guidelines")
    refused = client.post(f"/resources/categories/{in_use}/delete",
                          follow_redirects=True).get_data(as_text=True)
    assert "This category is used by resources; move them first." in refused


def test_deleting_a_language_version_asks_first(app, client, login_as, create_resource,
                                                storage_dir):
    """A version's title, summary and file are lost for good: the first click says so and
    changes nothing."""
    create_resource("guide", {"en": "Guide", "fr": "Guide FR"})
    login_as("coordinator")
    html = client.post("/resources/guide/versions/fr/delete").get_data(as_text=True)
    assert "Delete a version of “Guide FR”: français" in html
    assert "Its title, summary and file are deleted for good." in html
    assert [v.language for v in resource(app, "guide").versions] == ["en", "fr"]
    assert len(stored_files(storage_dir)) == 2
    response = client.post("/resources/guide/versions/fr/delete", data={"confirmed": "1"})
    assert response.status_code == 302
    assert [v.language for v in resource(app, "guide").versions] == ["en"]
    assert len(stored_files(storage_dir)) == 1
    # The last version of a published resource is refused at the first click.
    html = client.post("/resources/guide/versions/en/delete", follow_redirects=True) \
        .get_data(as_text=True)
    assert "A published resource keeps at least one version; unpublish it first." in html
    assert [v.language for v in resource(app, "guide").versions] == ["en"]


def test_a_category_can_be_renamed(app, client, login_as):
    login_as("coordinator")
    guidelines = category_id(app)
    client.post(f"/resources/categories/{guidelines}", data={"name": "Guidance notes"})
    assert "Guidance notes" in client.get("/resources/categories").get_data(as_text=True)
    client.post(f"/resources/categories/{guidelines}", data={"name": ""})
    with app.app_context():
        assert db.session.get(ResourceCategory, guidelines).name == "Guidance notes"


def test_the_management_list_shows_unpublished_resources_and_filters(app, client, login_as,
                                                                    create_resource):
    create_resource("draft", {"en": "Draft brief"}, published=False, tags=["parity"])
    create_resource("guide", {"en": "Guide", "ar": "دليل"}, tags=["mentoring"])
    login_as("coordinator")
    page = client.get("/resources/manage/?lang=en").get_data(as_text=True)
    assert "Draft brief" in page and "Guide" in page and "Not published" in page
    page = client.get("/resources/manage/?tag=parity&lang=en").get_data(as_text=True)
    assert "Draft brief" in page and "/resources/guide<" not in page
    page = client.get("/resources/manage/?language=ar&q=gui&lang=en").get_data(as_text=True)
    assert "/resources/guide<" in page and "Draft brief" not in page


@pytest.mark.parametrize("url", ["/resources/guide/versions/new", "/resources/guide/versions/en",
                                 "/resources/guide/delete"])
def test_the_version_and_delete_pages_name_the_resource_in_the_page_language(
        client, login_as, create_resource, url):
    create_resource("guide", {"en": "Guide", "fr": "Guide FR"})
    login_as("coordinator")
    page = client.get(f"{url}?lang=fr").get_data(as_text=True)
    assert "<bdi>Guide FR</bdi>" in page
    assert "<bdi>Guide</bdi>" not in page
    title = page.split("<title>")[1].split("</title>")[0]
    heading = page.split("<h1")[1].split("</h1>")[0]
    assert "Guide FR" in (heading if url.endswith("delete") else title)


def test_a_resource_edited_from_a_filtered_page_leads_back_to_it(app, client, login_as,
                                                                  create_resource, monkeypatch):
    """Page 2 of the managed resources of a category, one opened: its way back to the list
    is that page; a way back that is not the list on this site, to the whole list."""
    for slug in ("first-guide", "second-guide"):
        create_resource(slug, {"en": slug.replace("-", " ").title()})
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    login_as("coordinator")
    listing = "/resources/manage/?category=guidelines&page=2"
    link = next(link for link in page_links(client.get(listing).get_data(as_text=True))
                if link.endswith("/edit") or "/edit?" in link)
    assert listing in page_links(client.get(link).get_data(as_text=True))
    for elsewhere in ("https://elsewhere.example.org/resources/manage/",
                      "//elsewhere.example.org/", "/admin/users/"):
        links = page_links(client.get("/resources/first-guide/edit", query_string={
            "back": elsewhere}).get_data(as_text=True))
        assert "/resources/manage/" in links and elsewhere not in links


def test_a_resource_opened_from_a_page_of_the_translation_gaps_leads_back_to_it(
        app, client, login_as, create_resource, monkeypatch):
    """Page 2 of the resources missing a French version, one opened: its way back is that
    page of the translation gaps, not the library's management list."""
    for slug in ("first-guide", "second-guide"):
        create_resource(slug, {"en": slug.replace("-", " ").title()})
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    login_as("coordinator")
    listing = "/resources/gaps?language=fr&page=2"
    link = next(link for link in page_links(client.get(listing).get_data(as_text=True))
                if link.endswith("/edit") or "/edit?" in link)
    links = page_links(client.get(link).get_data(as_text=True))
    assert listing in links and "/resources/manage/" not in links
