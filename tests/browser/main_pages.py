"""The main pages of the demo portal for each role: the list the page-wide browser checks walk
(accessibility, HTML, and the layout on a phone, a tablet and at the reflow width).

A page is a fixed path, or reached from one by following links (detail pages, whose ids the demo
seed decides), or a path naming a demo object in braces ("/sessions/{past_session}/attendance"),
the most telling one, found in the live server's database (`demo_objects`). `open_as` signs a
browser page in as a role; `resolve` finds a page's path.
"""
import re
import sqlite3
from dataclasses import dataclass
from urllib.parse import urlsplit

from .conftest import sign_in


@dataclass(frozen=True)
class MainPage:
    path: str
    # Regular expressions, followed in turn: the first link in <main> whose path matches the
    # first one is opened, then the first link there that matches the next one, and so on.
    links: tuple = ()

    @property
    def name(self):
        return " → ".join((self.path, *self.links))


def _page(path, *links):
    return MainPage(path, links)


# The demo accounts of each role (`flask demo seed`); anonymous signs in nowhere.
ROLE_ACCOUNTS = {
    "anonymous": None,
    "focal_point": "fp@demo.gfp",
    "resident_coordinator": "rc.kenya@demo.gfp",
    "coordinator": "coordinator@demo.gfp",
    "admin": "admin@demo.gfp",
}

RESOURCE = r"^/resources/(?!manage/|new$|categories$|gaps$)[a-z0-9-]+$"
SESSION = r"^/sessions/\d+$"
PERSON = r"^/registry/people/\d+$"
NOMINATION = r"^/nominations/\d+$"
PLAN = r"^/plans/\d+$"
RESOURCE_EDIT = r"^/resources/[a-z0-9-]+/edit$"
PRACTICE = r"^/practices/\d+$"
MESSAGE = r"^/messages/\d+$"

_SIGNED_IN_COMMON = [
    _page("/"),
    _page("/me"),
    _page("/me/data"),
    _page("/registry/"),
    _page("/sessions/"),
    _page("/sessions/", SESSION),
    _page("/resources/"),
    _page("/resources/", RESOURCE),
    _page("/search?q=parity"),
    _page("/search?q=kenya"),
    _page("/practices/"),
    _page("/practices/", PRACTICE),
    _page("/parity/"),
]

# Pages the coordinator and the administrator both run the network from.
_OFFICE = [
    _page("/admin/"),
    _page("/admin/outbox/"),
    _page("/admin/outbox/", r"^/admin/outbox/\d+$"),
    _page("/admin/audit/"),
    _page("/admin/jobs"),
    _page("/coverage/"),
    _page("/coverage/?view=gaps"),
    _page("/coverage/?without=focal_point"),
    _page("/coverage/KEN"),
    _page("/dashboard"),
    _page("/nominations/"),
    _page("/nominations/", NOMINATION),
    _page("/nominations/new"),
    _page("/plans/"),
    _page("/plans/periods"),
    _page("/plans/new"),
    _page("/reference/entities/"),
    _page("/reference/entities/", r"^/reference/entities/\d+$"),
    _page("/reference/entities/new"),
    _page("/reference/uncts/"),
    _page("/reference/uncts/", r"^/reference/uncts/\d+$"),
    _page("/reference/uncts/new"),
    _page("/registry/people/new"),
    _page("/registry/import"),
    _page("/sessions/new"),
    _page("/sessions/series/new"),
    _page("/sessions/attendance-figures"),
    _page("/sessions/attendance-figures?by=entity"),
    _page("/sessions/fair-hours"),
    _page("/sessions/evaluations"),
    _page("/sessions/topics/"),
    _page("/induction/"),
    _page("/resources/manage/"),
    _page("/resources/new"),
    _page("/resources/categories"),
    _page("/resources/gaps"),
    _page("/practices/?state=submitted"),
    _page("/parity/?support=1"),
    _page("/practices/awards"),
    _page("/practices/awards/new"),
    _page("/parity/import"),
    _page("/messages/"),
    _page("/messages/new"),
]

# Detail and form pages reached from a page of the list above (each once: for the coordinator).
_OFFICE_DETAILS = [
    _page("/registry/", PERSON),
    _page("/registry/", PERSON, r"^/registry/people/\d+/edit$"),
    _page("/registry/", PERSON, r"^/registry/people/\d+/data$"),
    _page("/registry/?status=left", PERSON, r"^/registry/people/\d+/anonymise$"),
    _page("/registry/", PERSON, r"^/registry/people/\d+/appointments/new$"),
    _page("/registry/", PERSON, r"^/registry/appointments/\d+/renew$"),
    _page("/registry/", PERSON, r"^/registry/appointments/\d+/end$"),
    _page("/registry/", PERSON, r"^/registry/appointments/\d+/replace$"),
    _page("/plans/", PLAN),
    _page("/sessions/", SESSION, r"^/sessions/\d+/edit$"),
    _page("/sessions/", SESSION, r"^/sessions/\d+/duplicate$"),
    _page("/sessions/{upcoming_session}"),
    _page("/sessions/{upcoming_session}/roster"),
    _page("/sessions/{past_session}"),
    _page("/sessions/{past_session}/attendance"),
    _page("/sessions/{agenda_session}"),
    _page("/sessions/{agenda_session}/agenda"),
    _page("/sessions/{agenda_session}/guests"),
    _page("/sessions/evaluations", r"^/sessions/\d+/evaluation$"),
    _page("/sessions/topics/", r"^/sessions/topics/\d+/edit$"),
    _page("/resources/manage/", RESOURCE_EDIT),
    _page("/resources/manage/", RESOURCE_EDIT, r"^/resources/[a-z0-9-]+/versions/[a-z]{2}$"),
    _page("/resources/manage/", RESOURCE_EDIT, r"^/resources/[a-z0-9-]+/versions/new$"),
    _page("/resources/manage/", RESOURCE_EDIT, r"^/resources/[a-z0-9-]+/delete$"),
    _page("/practices/", PRACTICE, r"^/practices/\d+/edit$"),
    _page("/practices/", PRACTICE, r"^/practices/\d+/versions/[a-z]{2}$"),
    _page("/parity/", r"^/parity/UNDP$"),
    _page("/parity/?support=1", r"^/entities/[^/]+$"),
    _page("/messages/", MESSAGE),
    _page("/messages/", r"^/messages/\d+/preview$"),
    _page("/messages/", r"^/messages/\d+/preview$", r"^/messages/\d+/edit$"),
]

# One demo object per placeholder: the most telling one (the fullest roster, the longest list).
_DEMO_OBJECTS = {
    "certificate": "SELECT code FROM certificates ORDER BY id LIMIT 1",
    "upcoming_session": (
        "SELECT s.id FROM training_sessions s LEFT JOIN registrations r ON r.session_id = s.id "
        "WHERE s.status = 'published' AND s.starts_at > CURRENT_TIMESTAMP "
        "GROUP BY s.id ORDER BY COUNT(r.id) DESC, s.id LIMIT 1"),
    "past_session": (
        "SELECT r.session_id FROM attendances a JOIN registrations r ON r.id = a.registration_id "
        "GROUP BY r.session_id ORDER BY COUNT(a.id) DESC, r.session_id LIMIT 1"),
    "agenda_session": "SELECT session_id FROM agenda_items ORDER BY id LIMIT 1",
    "invitation": "SELECT token FROM guest_invitations ORDER BY id LIMIT 1",
}


def demo_objects(database):
    """{placeholder: the demo object it names} in the live server's `database`."""
    with sqlite3.connect(database) as connection:
        values = {name: connection.execute(query).fetchone()
                  for name, query in _DEMO_OBJECTS.items()}
    missing = sorted(name for name, row in values.items() if row is None)
    if missing:
        raise LookupError(f"the demo data has no {', '.join(missing)}")
    return {name: row[0] for name, row in values.items()}


MAIN_PAGES = {
    "anonymous": [
        _page("/"),
        _page("/login"),
        _page("/password/reset"),
        _page("/join"),
        _page("/join/sent"),
        _page("/resources/"),
        _page("/resources/", RESOURCE),
        _page("/practices/awards"),
        _page("/certificates/{certificate}"),
        _page("/guests/invitation/{invitation}"),
    ],
    "focal_point": [
        *_SIGNED_IN_COMMON,
        _page("/practices/new"),
        _page("/induction/mine"),
        _page("/me", r"^/certificates/[A-Z0-9]+$"),
        _page("/", PLAN),
        _page("/parity/UNDP"),
        _page("/entities/UNDP"),
        _page("/messages/"),
        _page("/messages/", MESSAGE),
        _page("/practices/awards"),
    ],
    "resident_coordinator": [
        *_SIGNED_IN_COMMON,
        _page("/coverage/KEN"),
        _page("/registry/", PERSON),
        _page("/nominations/"),
        _page("/nominations/", NOMINATION),
        _page("/nominations/new"),
    ],
    "coordinator": [*_SIGNED_IN_COMMON, *_OFFICE, *_OFFICE_DETAILS],
    # The administrator's pages that differ from the coordinator's: the menu (on every page)
    # and what only an administrator sees.
    "admin": [
        *_SIGNED_IN_COMMON,
        _page("/admin/"),
        _page("/admin/users/"),
        _page("/admin/users/", r"^/admin/users/\d+$"),
        _page("/admin/users/new"),
        _page("/admin/settings"),
    ],
}


def with_lang(url, lang):
    return url + ("&" if "?" in url else "?") + f"lang={lang}"


def _first_link(page, pattern):
    hrefs = page.eval_on_selector_all("main a[href]",
                                      "links => links.map(a => a.getAttribute('href'))")
    for href in hrefs:
        path = urlsplit(href).path
        if not urlsplit(href).netloc and re.search(pattern, path):
            return path
    return None


def resolve(page, main_page, lang, objects):
    """The path of `main_page`: its demo objects (`objects`: demo_objects()) filled in, then
    its links followed in `page`; fails when a link is missing."""
    path = main_page.path.format(**objects)
    for pattern in main_page.links:
        page.goto(with_lang(path, lang))
        found = _first_link(page, pattern)
        assert found, f"no link matching {pattern} in {path} ({lang})"
        path = found
    return path


_PATHS = {}  # role → the paths of its main pages: found once for every test that walks them


def main_paths(page, role, lang, database):
    """The paths of `role`'s main pages, in the order of MAIN_PAGES: found in `page` (signed
    in as the role) and the live server's `database` the first time, kept after."""
    if role not in _PATHS:
        objects = demo_objects(database)
        _PATHS[role] = [resolve(page, main_page, lang, objects) for main_page in MAIN_PAGES[role]]
    return _PATHS[role]


def open_as(new_page, role, *, lang, width=1280, height=800):
    """A browser page signed in as the demo account of `role` (anonymous: not signed in)."""
    page = new_page(width=width, height=height, locale={"ar": "ar"}.get(lang, "en-GB"))
    if ROLE_ACCOUNTS[role]:
        sign_in(page, ROLE_ACCOUNTS[role], lang=lang)
    return page


__all__ = ["MAIN_PAGES", "ROLE_ACCOUNTS", "MainPage", "demo_objects", "main_paths", "open_as",
           "resolve", "with_lang"]
