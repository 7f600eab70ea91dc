"""The main menu: rendered once for each language, set of roles and page, and never shown to a
reader whose roles, language or page differ from the one it was rendered for."""
import re

from gfp_portal.core import fragments
from tests.helpers import login

MENU = re.compile(r'<ul class="navbar-nav me-auto">(.*?)</ul>', re.S)


def _menu(client, url):
    return MENU.search(client.get(url).get_data(as_text=True)).group(1)


def test_the_menu_follows_the_roles_language_and_page(client, create_user):
    assert 'href="/resources/"' in _menu(client, "/login")
    create_user("fp@example.org", roles=["focal_point"])
    create_user("office@example.org", roles=["coordinator"])
    login(client, "fp@example.org")
    focal_point = _menu(client, "/sessions/")
    assert "Network directory" in focal_point and "Coverage" not in focal_point
    assert 'aria-current="page" ' not in focal_point
    assert re.search(r'active" href="/sessions/" aria-current="page"', focal_point)
    assert re.search(r'active" href="/resources/" aria-current="page"',
                     _menu(client, "/resources/"))
    assert "Séances" not in focal_point and "Formation" in _menu(client, "/sessions/?lang=fr")
    client.post("/logout")
    login(client, "office@example.org")
    office = _menu(client, "/sessions/?lang=en")
    assert "Coverage" in office and "Network directory" not in office


def test_the_menu_is_rendered_once_for_readers_who_share_what_it_reads(client, create_user):
    fragments.rendered_once.cache_clear()
    for n in range(3):
        create_user(f"fp{n}@example.org", roles=["focal_point"])
        login(client, f"fp{n}@example.org")
        client.get("/sessions/")
        client.post("/logout")
    assert fragments.rendered_once.cache_info().misses == 1
    assert fragments.rendered_once.cache_info().hits == 2
