"""The main menu says where the reader is: its item for the page itself is the current page
(aria-current="page"), its item for the section a deeper page belongs to is only marked
current (aria-current="true"), and every page of a section marks it, so that a new page
cannot forget to."""
from flask import render_template, request, url_for

from gfp_portal.accounts.models import Role, User, UserRole
from tests.markup import parse

READERS = {"focal_point": ("focal_point",), "resident_coordinator": ("resident_coordinator",),
           "coordinator": ("coordinator",), "admin": ("admin", "coordinator")}

# Addresses under a section that answer a file, not a page (no menu is shown).
FILES = {"attendance.figures_export", "coverage.export", "dashboard.export",
         "nominations.letter", "parity.entity_export",
         "parity.network_export",
         "registry.export", "resources.download", "resources.manage.downloads_export",
         "sessions.ics"}


def text(element):
    return " ".join(element.all_text().split())


def _reader(roles):
    return User(email="reader@example.org", is_active=True,
                role_rows=[UserRole(role=Role(role)) for role in roles])


def _menu(app, rule, roles):
    """The menu's links, as the page of `rule` shows them to a reader holding `roles`:
    [(label, address, aria-current)]."""
    with app.test_request_context("/?lang=en"):
        request.url_rule = rule
        html = render_template("_main_menu.html", current_user=_reader(roles))
        return [(text(a), a.attrs["href"], a.attrs.get("aria-current"))
                for a in parse(html) if a.tag == "a"]


def _pages(app):
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in FILES
            and not rule.endpoint.endswith("static")]


def _under(rule, address):
    """Whether the page of `rule` lies in the section the menu's `address` opens: a page of the
    same blueprint, or an address below it (/sessions/<id>/attendance below /sessions/)."""
    with_slash = address if address.endswith("/") else address + "/"
    return rule.rule == address or rule.rule.startswith(with_slash)


def test_only_the_link_to_the_page_itself_is_the_current_page(app):
    """On a person's edit form, "Registry" leads to another page (the list): announced as
    the current page, it told screen-reader users they were on the list."""
    wrong = []
    for rule in _pages(app):
        for reader, roles in READERS.items():
            for label, address, current in _menu(app, rule, roles):
                if current == "page" and address != rule.rule:
                    wrong.append(f"{rule.endpoint} ({reader}): {label} → {address}")
    assert wrong == [], "\n".join(wrong)


def test_every_page_of_a_section_marks_it_in_the_menu(app):
    """A page of a section's blueprint, or at an address below the section's, marks the
    section's item: the translation gaps marked none while the rest of the library marked
    "Library"."""
    with app.test_request_context():
        blueprint_of = {url_for(rule.endpoint): rule.endpoint.split(".")[0]
                        for rule in app.url_map.iter_rules() if not rule.arguments}
        home = url_for("main.index")
    missing = []
    for reader, roles in READERS.items():
        for rule in _pages(app):
            for label, address, current in _menu(app, rule, roles):
                if address == home:
                    continue  # the home page is a page of its own, not a section
                section = blueprint_of[address]
                if (rule.endpoint.split(".")[0] == section or _under(rule, address)) \
                        and current is None:
                    missing.append(f"{rule.endpoint} ({reader}): {label}")
    missing = sorted(set(missing))
    assert missing == [], "\n".join(missing)


def test_a_deeper_page_marks_its_section_and_the_breadcrumb_its_own_name(client, reference,
                                                                        login_as, app):
    login_as("coordinator")
    html = client.get("/registry/people/new?lang=en").get_data(as_text=True)
    elements = parse(html)
    registry = next(a for a in elements if a.tag == "a" and a.attrs.get("href") == "/registry/"
                    and "nav-link" in a.attrs.get("class", ""))
    assert registry.attrs.get("aria-current") == "true"
    current_pages = [e for e in elements if e.attrs.get("aria-current") == "page"]
    assert [e.tag for e in current_pages] == ["li"]   # the breadcrumb's last item
    assert "breadcrumb-item" in current_pages[0].attrs["class"]

    html = client.get("/registry/?lang=en").get_data(as_text=True)
    registry = next(a for a in parse(html) if a.tag == "a"
                    and a.attrs.get("href") == "/registry/"
                    and "nav-link" in a.attrs.get("class", ""))
    assert registry.attrs.get("aria-current") == "page"
