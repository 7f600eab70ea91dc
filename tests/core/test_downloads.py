"""Every download and export answers in every language, with a Content-Disposition header
that any server can send: an ASCII `filename` and, for other names, RFC 6266 `filename*`."""
import io
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import unquote

import pytest
from flask_babel import force_locale, gettext, pgettext
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from gfp_portal.accounts.models import User
from gfp_portal.accounts.services import regenerate_calendar_token
from gfp_portal.core.downloads import content_disposition
from gfp_portal.extensions import db
from gfp_portal.nominations import services as nominations
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.resources import services as resources
from gfp_portal.resources.models import ResourceCategory
from gfp_portal.sessions import services as sessions
from tests.helpers import PDF, login

LANGUAGES = ("en", "fr", "es", "ar")
VERSION_NAMES = {"en": "Guide – parity.pdf", "fr": "Directives égalité.pdf",
                 "es": "Guía de paridad.pdf", "ar": "دليل المساواة.pdf"}
LETTER = "Lettre de nomination – Kenya.pdf"


def pdf(name):
    return FileStorage(stream=io.BytesIO(PDF), filename=name)


@pytest.fixture
def downloads(app, reference, create_user, monkeypatch, tmp_path):
    """A coordinator and, to download: a resource in four languages, a nomination letter, a
    session and the coordinator's calendar feed. Returns {url: expected name(language)}."""
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path))
    user_id = create_user("coord@example.org", roles=["coordinator"])
    with app.app_context():
        coordinator = db.session.get(User, user_id)
        resources.ensure_default_categories()
        category = db.session.scalars(select(ResourceCategory)).first()
        resource = resources.create_resource(
            {"slug": "parity", "category": category, "visibility": "public",
             "is_published": False, "tags": []}, actor=coordinator)
        for language, name in VERSION_NAMES.items():
            resources.add_version(resource, {"language": language, "title": name,
                                             "summary": name}, pdf(name), actor=coordinator)
        resources.set_published(resource, True, actor=coordinator)
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        wfp = db.session.scalars(select(Entity).filter_by(acronym="WFP")).one()
        kenya.members = [wfp]
        nomination = nominations.submit_nomination({
            "role": "alternate", "entity": wfp, "unct": kenya, "given_name": "Njeri",
            "family_name": "Mwangi", "email": "njeri.mwangi@wfp.org",
            "justification": "Programme officer with gender expertise."},
            letter=pdf(LETTER), actor=coordinator)
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
        session = sessions.create_session({
            "title_en": "Bystander intervention", "title_ar": "تدخل المارة",
            "topic": "bystander_intervention", "format": "virtual", "starts_at": starts,
            "ends_at": starts + timedelta(hours=1), "time_zone": "Africa/Nairobi",
            "languages": "en ar", "capacity": 5, "audience": "both"}, actor=coordinator)
        token = regenerate_calendar_token(coordinator)
        db.session.commit()
        today = date.today().isoformat()

        def translated(word):
            return lambda lang: _in(app, lang, word) + f"-{today}"

        def file_name(stem):
            return lambda lang: _in(app, lang, stem, context="file name") + f"-{today}"
        names = {
            "/coverage/export.csv": lambda lang: translated("coverage")(lang) + ".csv",
            "/coverage/export.xlsx": lambda lang: translated("coverage")(lang) + ".xlsx",
            "/resources/downloads.csv": lambda lang: translated("downloads")(lang) + ".csv",
            "/resources/downloads.xlsx": lambda lang: translated("downloads")(lang) + ".xlsx",
            "/registry/export.csv": lambda lang: translated("gfp-registry")(lang) + ".csv",
            "/registry/export.xlsx": lambda lang: translated("gfp-registry")(lang) + ".xlsx",
            "/sessions/attendance-figures.csv":
                lambda lang: file_name("attendance-by-session")(lang) + ".csv",
            "/sessions/attendance-figures.xlsx?by=unct":
                lambda lang: file_name("attendance-by-unct")(lang) + ".xlsx",
            "/parity/network.csv":
                lambda lang: _in(app, lang, "parity-network", context="file name") + ".csv",
            "/parity/years.xlsx":
                lambda lang: _in(app, lang, "parity-years", context="file name") + ".xlsx",
            "/dashboard/attendance.csv": lambda lang: file_name("attendance")(lang) + ".csv",
            "/dashboard/network.xlsx": lambda lang: file_name("network")(lang) + ".xlsx",
            f"/nominations/{nomination.id}/letter": lambda lang: LETTER,
            f"/calendar/{token}.ics": lambda lang: "gfp-portal.ics",
            f"/sessions/{session.id}.ics": lambda lang: f"session-{session.id}.ics",
            "/resources/parity/download/{lang}": lambda lang: VERSION_NAMES[lang],
        }
    return names


def _in(app, lang, word, context=None):
    with app.test_request_context(), force_locale(lang):
        return pgettext(context, word) if context else gettext(word)


def check_disposition(header, expected):
    header.encode("latin-1")  # a header any WSGI server can send
    assert header.startswith("attachment;")
    fallback = re.search(r'filename="([^"]*)"', header) or re.search(r"filename=([^;\s]+)",
                                                                    header)
    assert fallback, header
    fallback = fallback.group(1)
    assert fallback.isascii() and fallback.endswith(expected.rsplit(".", 1)[1])
    assert re.search(r"[A-Za-z0-9]", fallback.rsplit(".", 1)[0])
    if expected.isascii():
        assert fallback == expected
    else:
        encoded = re.search(r"filename\*=UTF-8''([^;\s]+)", header)
        assert encoded, header
        assert unquote(encoded.group(1)) == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_download_names_its_file_in_every_language(app, client, downloads, lang):
    login(client, "coord@example.org")
    for url, name in downloads.items():
        url = url.format(lang=lang)
        with client.get(url + ("&" if "?" in url else "?") + f"lang={lang}") as response:
            assert response.status_code == 200, url
            check_disposition(response.headers["Content-Disposition"], name(lang))


@pytest.mark.parametrize(("name", "fallback"), [
    ("certificate-Łucja Øvergård.pdf", "certificate-Lucja Overgard.pdf"),
    ("Đorđević, Æsa Straße.csv", "Dordevic AEsa Strasse.csv"),
    ("ŒUVRES þórð Ħal.pdf", "OEUVRES thord Hal.pdf"),
    ("Lucía Fernández.pdf", "Lucia Fernandez.pdf"),
])
def test_the_plain_file_name_spells_out_letters_that_do_not_decompose(name, fallback):
    """A letter with no accent to drop (ł, ø, đ, ß, æ) is written as the ASCII letters it
    is spelt with, not left out; `filename*` keeps the name as it is."""
    header = content_disposition(name)
    assert re.search(r'filename="([^"]*)"', header).group(1) == fallback
    assert unquote(re.search(r"filename\*=UTF-8''([^;\s]+)", header).group(1)) == name
