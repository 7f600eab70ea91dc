"""Library pages: who sees what, the language fallback, downloads and their counting."""
import pytest
from sqlalchemy import select

from gfp_portal.extensions import db
from gfp_portal.resources.models import ResourceDownload
from tests.helpers import PDF, breadcrumb_links, page_links
from tests.markup import parse

ROLES = ["anonymous", "focal_point", "coordinator"]


def fetch(client, url):
    """GET `url` and close the response (a streamed file stays open otherwise)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def sign_in(login_as, role):
    if role != "anonymous":
        login_as(role)


@pytest.mark.parametrize("role", ROLES)
def test_anonymous_visitors_see_public_resources_only(client, login_as, create_resource, role):
    create_resource("open-guide", {"en": "Open guide"})
    create_resource("network-guide", {"en": "Network guide"}, visibility="network")
    create_resource("draft-guide", {"en": "Draft guide"}, published=False)
    sign_in(login_as, role)
    page = client.get("/resources/").get_data(as_text=True)
    assert "Open guide" in page
    assert ("Network guide" in page) is (role != "anonymous")
    assert "Draft guide" not in page


@pytest.mark.parametrize("role", ROLES)
def test_network_resources_ask_anonymous_visitors_to_sign_in(client, login_as, create_resource,
                                                             role):
    create_resource("network-guide", {"en": "Network guide"}, visibility="network")
    sign_in(login_as, role)
    detail = client.get("/resources/network-guide")
    download = fetch(client, "/resources/network-guide/download/en")
    if role == "anonymous":
        for response, path in ((detail, "%2Fresources%2Fnetwork-guide"),
                               (download, "%2Fresources%2Fnetwork-guide%2Fdownload%2Fen")):
            assert response.status_code == 302
            location = response.headers["Location"]
            assert "/login" in location and f"next={path}" in location
    else:
        assert detail.status_code == 200 and download.status_code == 200


def test_after_signing_in_the_visitor_lands_on_the_network_resource(
        client, create_resource, create_user):
    from tests.helpers import PASSWORD

    create_resource("network-guide", {"en": "Network guide"}, visibility="network")
    create_user("fp@example.org")
    login_page = client.get("/resources/network-guide", follow_redirects=True)
    assert "Please sign in to see this page." in login_page.get_data(as_text=True)
    response = client.post("/login?next=%2Fresources%2Fnetwork-guide", data={
        "email": "fp@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/resources/network-guide")


def test_missing_and_draft_resources_still_answer_404_to_anonymous_visitors(
        client, create_resource):
    create_resource("network-draft", {"en": "Draft"}, visibility="network", published=False)
    assert client.get("/resources/network-draft").status_code == 404
    assert client.get("/resources/nothing-here").status_code == 404


def test_topic_filters_and_tags_show_translated_names(client, create_resource):
    create_resource("parity-brief", {"en": "Parity brief"},
                    tags=["parity", "flexible-working", "custom-topic"])
    page = client.get("/resources/?lang=fr").get_data(as_text=True)
    assert '<option value="parity">Parité des sexes</option>' in page
    assert '<option value="flexible-working">Modalités de travail flexibles</option>' in page
    assert '<option value="custom-topic">Custom topic</option>' in page
    assert "#parity" not in page and ">flexible-working<" not in page
    detail = client.get("/resources/parity-brief?lang=es").get_data(as_text=True)
    assert "Paridad de género" in detail and "#parity" not in detail


def test_the_topic_filter_sorts_a_topic_with_an_accent_among_its_letter(client,
                                                                        create_resource):
    """A topic the Office added ("égalité salariale") shows as written, among the E's of
    the French names of the shipped topics, not after every other one."""
    create_resource("brief", {"en": "Brief"},
                    tags=["égalité salariale", "recruitment", "mentoring", "survey"])
    select = next(element for element in parse(client.get("/resources/?lang=fr").get_data(
        as_text=True)) if element.tag == "select" and element.attrs.get("name") == "tag")
    titles = [option.all_text() for option in select.children if option.attrs.get("value")]
    assert "Égalité salariale" in titles
    assert titles == sorted(titles, key=lambda title: title.replace("É", "E").casefold())


def test_each_card_offers_every_language_that_exists(client, create_resource):
    create_resource("guide", {"en": "Guide", "fr": "Guide FR", "ar": "دليل"})
    page = client.get("/resources/?lang=fr").get_data(as_text=True)
    card = page.split('id="resource-guide"')[1].split("</article>")[0]
    for lang in ("fr", "en", "ar"):
        assert f'/resources/guide/download/{lang}"' in card
    assert "/resources/guide/download/es" not in card


@pytest.mark.parametrize("role, status", [("anonymous", 404), ("focal_point", 404),
                                          ("coordinator", 200)])
def test_unpublished_resources_are_for_coordinators_only(client, login_as, create_resource,
                                                         role, status):
    create_resource("draft", {"en": "Draft"}, published=False)
    sign_in(login_as, role)
    assert client.get("/resources/draft").status_code == status


def test_a_download_streams_the_file_and_is_counted(app, client, create_resource):
    create_resource("guide", {"en": "Guide", "fr": "Guide FR"})
    for _ in range(2):
        response = fetch(client, "/resources/guide/download/en")
        assert response.status_code == 200
        assert response.data == PDF
        assert response.mimetype == "application/pdf"
        assert "attachment" in response.headers["Content-Disposition"]
        assert "guide-en.pdf" in response.headers["Content-Disposition"]
    fetch(client, "/resources/guide/download/fr")
    assert fetch(client, "/resources/guide/download/es").status_code == 404
    with app.app_context():
        counts = dict(db.session.execute(select(ResourceDownload.language,
                                                ResourceDownload.count)).all())
    assert counts == {"en": 2, "fr": 1}


def test_a_download_can_be_revalidated_without_sending_the_file_again(app, client,
                                                                    create_resource):
    """A check of a copy already held (304) and a HEAD (a link checker) send no file and
    count no download."""
    create_resource("guide", {"en": "Guide"})
    first = fetch(client, "/resources/guide/download/en")
    etag = first.headers["ETag"]
    again = client.get("/resources/guide/download/en", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.head("/resources/guide/download/en").status_code == 200
    with app.app_context():
        assert db.session.scalars(select(ResourceDownload.count)).all() == [1]
    changed = client.get("/resources/guide/download/en", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.data == PDF


def test_the_viewer_gets_their_language_else_english_with_a_notice(client, create_resource):
    create_resource("eeg", {"en": "Enabling Environment Guidelines",
                            "fr": "Directives relatives à l'environnement favorable"})
    page = client.get("/resources/?lang=fr").get_data(as_text=True)
    assert "Directives relatives à l&#39;environnement favorable" in page
    assert "fallback-notice" not in page
    page = client.get("/resources/?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in page  # the page itself
    assert '<div lang="en" dir="ltr" class="resource-content">' in page
    assert "Enabling Environment Guidelines" in page
    assert "fallback-notice" in page
    assert 'href="/resources/eeg/download/fr" lang="fr" hreflang="fr">français</a>' in page


def test_an_arabic_version_is_shown_right_to_left(client, create_resource):
    create_resource("fseeg", {"en": "Field-specific Guidelines", "ar": "المبادئ الميدانية"})
    page = client.get("/resources/?lang=ar").get_data(as_text=True)
    assert '<div lang="ar" dir="rtl" class="resource-content">' in page
    assert "المبادئ الميدانية" in page and "fallback-notice" not in page


def test_search_covers_titles_and_summaries_in_every_language(client, create_resource):
    create_resource("a", {"en": "Mentoring", "es": "Mentoría"},
                    summaries={"es": "Cómo acompañar a colegas"})
    create_resource("b", {"en": "Exit survey"})
    page = client.get("/resources/?q=acompañar&lang=en").get_data(as_text=True)
    assert "Mentoring" in page and "Exit survey" not in page
    page = client.get("/resources/?q=SURVEY").get_data(as_text=True)
    assert "Exit survey" in page and "Mentoring" not in page


def test_filters_by_category_tag_and_language(app, client, create_resource):
    create_resource("a", {"en": "Brief A"}, category="briefs", tags=["parity"])
    create_resource("b", {"en": "Guide B", "ar": "دليل"}, tags=["mentoring"])
    from gfp_portal.resources.models import ResourceCategory
    with app.app_context():
        briefs = db.session.scalars(select(ResourceCategory.id).filter_by(code="briefs")).one()
    page = client.get(f"/resources/?category={briefs}").get_data(as_text=True)
    assert "Brief A" in page and "Guide B" not in page
    page = client.get("/resources/?tag=mentoring").get_data(as_text=True)
    assert "Guide B" in page and "Brief A" not in page
    page = client.get("/resources/?language=ar&lang=en").get_data(as_text=True)
    assert "Guide B" in page and "Brief A" not in page


def test_the_detail_page_lists_every_version(client, create_resource):
    create_resource("guide", {"en": "Guide", "es": "Guía", "ar": "دليل"})
    page = client.get("/resources/guide?lang=en").get_data(as_text=True)
    for code, name in (("en", "English"), ("es", "español"), ("ar", "العربية")):
        assert f'<td lang="{code}">{name}</td>' in page
    assert page.count("PDF") >= 3 and "1 KB" in page
    assert client.get("/resources/nothing-here").status_code == 404


def test_the_list_runs_a_fixed_number_of_queries(app, client, login_as, create_resource,
                                                 count_queries):
    login_as("focal_point")
    create_resource("r0", {"en": "R0", "fr": "R0 fr"}, tags=["t0"])
    for i in range(1, 10):
        create_resource(f"r{i}", {"en": f"R{i}"}, tags=["t1"])
    with count_queries() as small:
        assert client.get("/resources/?lang=fr").status_code == 200
    for i in range(10, 500):
        create_resource(f"r{i}", {"en": f"R{i}", "ar": "ع"}, tags=[f"t{i % 7}"])
    with count_queries() as large:
        response = client.get("/resources/?lang=fr")
    assert response.status_code == 200
    assert small.count == large.count
    assert response.get_data(as_text=True).count('class="card mb-3 resource-card"') == 25


def test_an_unknown_filter_value_filters_nothing(client, create_resource):
    create_resource("a", {"en": "Brief A"})
    page = client.get("/resources/?category=abc&language=xx&tag=none").get_data(as_text=True)
    assert "Brief A" in page


def test_a_link_version_redirects_and_is_counted(app, client, create_resource):
    from gfp_portal.resources import services
    from gfp_portal.resources.models import Resource

    create_resource("guide", {"en": "Guide"})
    with app.app_context():
        resource = db.session.scalars(select(Resource).filter_by(slug="guide")).one()
        services.add_version(resource, {"language": "es", "title": "Guía",
                                        "external_url": "https://www.unwomen.org/es"},
                             actor=None)
        db.session.commit()
    response = client.get("/resources/guide/download/es")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://www.unwomen.org/es"
    with app.app_context():
        assert db.session.scalar(select(ResourceDownload.count)) == 1


def test_a_coordinators_preview_of_a_draft_is_not_counted(app, client, login_as,
                                                          create_resource):
    create_resource("draft", {"en": "Draft"}, published=False)
    login_as("coordinator")
    assert fetch(client, "/resources/draft/download/en").status_code == 200
    with app.app_context():
        assert db.session.scalars(select(ResourceDownload)).all() == []


def test_each_language_offered_keeps_its_place_in_an_arabic_line(client, create_resource):
    """The notice and the other versions list language names written left to right: each
    is isolated, or an Arabic line reads them from the last to the first."""
    create_resource("eeg", {"en": "Guidelines", "fr": "Directives", "es": "Directrices"})
    page = client.get("/resources/?lang=ar").get_data(as_text=True)
    notice = page.split('fallback-notice')[1].split("</div>")[0]
    assert notice.count(' dir="ltr" href="/resources/eeg/download/') == 3
    create_resource("field", {"en": "Field guide", "fr": "Guide de terrain", "ar": "دليل ميداني"})
    page = client.get("/resources/?lang=ar").get_data(as_text=True)
    others = page.split('class="small mb-0 mt-2 other-languages"')[1].split("</p>")[0]
    assert others.count(' dir="ltr" href="/resources/field/download/') == 2


def test_a_resource_opened_from_a_filtered_page_leads_back_to_it(app, client, login_as,
                                                                  create_resource, monkeypatch):
    """Page 2 of the resources of a category, one opened: "Resource library" in its
    breadcrumb leads back to page 2; a way back that is not the library on this site, to
    the library."""
    for slug in ("first-guide", "second-guide"):
        create_resource(slug, {"en": slug.replace("-", " ").title()})
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    login_as("focal_point")
    listing = "/resources/?category=guidelines&page=2"
    link = next(link for link in page_links(client.get(listing).get_data(as_text=True))
                if link.startswith(("/resources/first-guide", "/resources/second-guide")))
    assert listing in breadcrumb_links(client.get(link).get_data(as_text=True))
    for elsewhere in ("https://elsewhere.example.org/resources/", "//elsewhere.example.org/",
                      "/admin/users/"):
        links = breadcrumb_links(client.get("/resources/first-guide", query_string={
            "back": elsewhere}).get_data(as_text=True))
        assert "/resources/" in links and elsewhere not in links
