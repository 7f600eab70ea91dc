"""Countries and UN Country Teams carry the UN's own names in the viewer's language, and lists
of them follow the order of that language."""
import csv
import unicodedata
from importlib import resources

import pytest
from sqlalchemy import select

from gfp_portal.core.i18n import collation_key, join_list
from gfp_portal.extensions import db
from gfp_portal.reference.countries import by_name, country_name, sort_by_name, un_names
from gfp_portal.reference.models import Region, Unct
from gfp_portal.reference.queries import uncts_query

UN_NAMES = {
    "en": {"PRK": "Democratic People's Republic of Korea", "PSE": "State of Palestine",
           "MMR": "Myanmar", "COD": "Democratic Republic of the Congo", "CPV": "Cabo Verde",
           "BIH": "Bosnia and Herzegovina", "CIV": "Côte d’Ivoire"},
    "fr": {"PRK": "République populaire démocratique de Corée", "PSE": "État de Palestine",
           "MMR": "Myanmar", "COD": "République démocratique du Congo"},
    "es": {"PRK": "República Popular Democrática de Corea", "PSE": "Estado de Palestina",
           "MMR": "Myanmar", "COD": "República Democrática del Congo"},
    "ar": {"PRK": "جمهورية كوريا الشعبية الديمقراطية", "PSE": "دولة فلسطين", "MMR": "ميانمار",
           "COD": "جمهورية الكونغو الديمقراطية"},
}
CLDR_NAMES = ("North Korea", "Palestinian Territories", "Myanmar (Burma)", "Congo - Kinshasa",
              "Cape Verde", "Bosnia & Herzegovina")


@pytest.mark.parametrize(("language", "iso3", "name"), [
    (language, iso3, name) for language, names in UN_NAMES.items()
    for iso3, name in names.items()])
def test_a_state_has_its_un_name_in_every_language(ctx, language, iso3, name):
    assert country_name(iso3, language) == name


def test_a_territory_that_is_no_state_keeps_its_cldr_name_and_an_unknown_code_itself(ctx):
    assert country_name("AIA", "fr") == "Anguilla"
    assert country_name("XKX", "en") == "XKX"
    assert country_name("", "en") == ""


def test_the_shipped_list_holds_the_193_members_and_2_observers_and_every_unct(ctx):
    assert len(un_names()) == 195
    data = resources.files("gfp_portal.reference").joinpath("data", "uncts.csv")
    with data.open(encoding="utf-8") as handle:
        assert {row["iso3"] for row in csv.DictReader(handle)} <= set(un_names())


@pytest.mark.parametrize(("language", "ordered"), [
    ("en", ["Colombia", "Costa Rica", "Côte d’Ivoire", "Croatia", "Cuba"]),
    ("fr", ["Danemark", "Égypte", "El Salvador", "Émirats arabes unis", "Équateur"]),
    ("es", ["Nicaragua", "Níger", "Nigeria", "Noruega", "Nueva Zelandia"]),
    ("ar", ["أذربيجان", "أرمينيا", "إريتريا", "إسبانيا", "أستراليا"]),
])
def test_names_sort_as_the_language_sorts_accents_ignored(ctx, language, ordered):
    shuffled = list(reversed(ordered))
    assert sort_by_name(shuffled, language=language) == ordered


def test_spanish_sorts_n_tilde_after_n(ctx):
    assert sorted(["Ñandú", "Nuevo", "Oeste"], key=lambda n: collation_key(n, "es")) == \
        ["Nuevo", "Ñandú", "Oeste"]


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_spanish_sorts_n_tilde_after_n_however_it_is_written(ctx, form):
    """A name pasted with its accents apart from their letters (as some systems write them)
    sorts as one typed with them: in Spanish the ñ after every n ("Munro", "Munzón",
    "Muñoz", "Muoz"), elsewhere with the n ("Muñoz", "Munro")."""
    names = [unicodedata.normalize(form, n) for n in ("Muoz", "Muñoz", "MUÑIZ", "Munzón",
                                                      "Munro")]
    assert [unicodedata.normalize("NFC", n) for n in sorted(
        names, key=lambda n: collation_key(n, "es"))] == \
        ["Munro", "Munzón", "MUÑIZ", "Muñoz", "Muoz"]
    assert [unicodedata.normalize("NFC", n) for n in sorted(
        names, key=lambda n: collation_key(n, "en"))] == \
        ["MUÑIZ", "Muñoz", "Munro", "Munzón", "Muoz"]


@pytest.mark.parametrize(("language", "first", "second"), [
    ("en", "MMR", "PRK"),    # Myanmar, then Democratic People's… would be wrong: D < M
    ("fr", "MMR", "PRK"),    # Myanmar < République populaire…
    ("ar", "PRK", "MMR"),    # جمهورية < ميانمار
])
def test_uncts_are_listed_in_the_order_of_their_names_in_the_viewers_language(
        ctx, reference, language, first, second):
    codes = db.session.scalars(select(Unct.iso3).where(Unct.region == Region.asia_pacific)
                               .order_by(by_name(Unct.iso3, language))).all()
    assert codes.index("PRK") != codes.index("MMR")
    names = [country_name(code, language) for code in codes]
    assert names == sort_by_name(names, language=language)
    if language == "en":
        assert codes.index("PRK") < codes.index("MMR")
    else:
        assert codes.index(first) < codes.index(second)


def test_the_unct_list_finds_a_un_name_without_accents(app, reference):
    with app.test_request_context("/?lang=fr"):
        found = db.session.scalars(uncts_query("etat de palestine")).all()
        assert [u.iso3 for u in found] == ["PSE"]


@pytest.mark.parametrize(("language", "q"), [
    ("fr", "Congo democratique"), ("en", "Republic Congo, Democratic"),
    ("ar", "الكونغو الديمقراطيه"), ("ar", "جمهوريه - الكونغو الديمقراطية")])
def test_the_unct_list_finds_the_words_of_a_un_name_in_any_order(app, reference, language,
                                                                 q):
    with app.test_request_context(f"/?lang={language}"):
        found = db.session.scalars(uncts_query(q)).all()
        assert [u.iso3 for u in found] == ["COD"]


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_pages_and_exports_show_un_names_not_cldr_names(client, reference, login_as, language):
    login_as("coordinator")
    pages = "".join(client.get(url).get_data(as_text=True) for url in (
        f"/reference/uncts/?lang={language}&per_page=200",
        f"/reference/uncts/?lang={language}&page=2",
        f"/coverage/?lang={language}", f"/coverage/export.csv?lang={language}",
        f"/registry/?lang={language}"))
    for name in UN_NAMES[language].values():
        assert name.replace("'", "&#39;") in pages or name in pages
    for name in CLDR_NAMES:
        assert name.replace("&", "&amp;") not in pages


def test_arabic_lists_take_the_arabic_comma(ctx):
    assert join_list(["كينيا", "أوغندا"], "ar") == "كينيا، أوغندا"
    assert join_list(["Kenya", "Uganda"], "en") == "Kenya, Uganda"
