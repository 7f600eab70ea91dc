"""Country names as the UN writes them (M49, in en/fr/es/ar), and lists sorted by them.

`data/un_country_names.csv` holds the UN's own names of the 193 Member States and the 2
observer states (sources in `data/README_un_country_names.md`). A territory that is not a
state (Anguilla, Montserrat…) keeps its Babel (CLDR) name; an unknown code shows as itself.
"""
import csv
from functools import lru_cache
from importlib import resources

import pycountry
from babel import Locale
from sqlalchemy import Integer, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from gfp_portal.core.i18n import LANGUAGES, collation_key, current_language
from gfp_portal.core.search import fold, words


@lru_cache(maxsize=1)
def un_names():
    """iso3 -> {language: UN name} for the UN Member and observer States."""
    data = resources.files("gfp_portal.reference").joinpath("data", "un_country_names.csv")
    with data.open(encoding="utf-8", newline="") as handle:
        return {row["iso3"]: {code: row[f"name_{code}"] for code in LANGUAGES}
                for row in csv.DictReader(handle)}


def country_name(iso3, language=None):
    """The country or territory named by its ISO 3166 alpha-3 code, in the viewer's language:
    the UN's name for a state, else the CLDR name of the territory."""
    if not iso3:
        return ""
    iso3 = iso3.upper()
    language = language or current_language()
    un = un_names().get(iso3)
    if un is not None:
        return un.get(language) or un["en"]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return Locale.parse(language).territories.get(country.alpha_2) or iso3


@lru_cache(maxsize=1)
def _all_codes():
    """Every code that has a name: the UN states and the other ISO 3166 territories."""
    return frozenset(un_names()) | {country.alpha_3 for country in pycountry.countries}


@lru_cache(maxsize=8)
def _ranks(language):
    names = sorted(_all_codes(), key=lambda code: collation_key(country_name(code, language),
                                                                language))
    return {code: rank for rank, code in enumerate(names)}


class _position(GenericFunction):
    """Where a string first stands in another, from 1 (0: nowhere)."""
    type = Integer()
    inherit_cache = True


@compiles(_position)
def _position_sql(element, compiler, **kw):
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_position, "postgresql")
def _position_postgresql(element, compiler, **kw):
    return f"strpos({compiler.process(element.clauses, **kw)})"


@lru_cache(maxsize=8)
def _ordered_codes(language):
    """Every code in the order of its name, one space apart: a three-letter code found in it
    stands at 4 × its rank + 1, never across two codes."""
    return " ".join(sorted(_ranks(language), key=_ranks(language).get))


def by_name(column, language=None):
    """An ORDER BY expression putting ISO3 codes in the order of their names in `language`;
    a code with no name sorts last. The order travels as one parameter (the codes in order),
    not as a CASE of some 250 branches to build and send with every query."""
    codes = _ordered_codes(language or current_language())
    place = _position(literal(codes), column)
    return case((place == 0, len(codes) + 1), else_=place)


def name_rank(language=None):
    """A sort key for ISO3 codes: the place of each country's name in `language`'s order (the
    same order as `by_name`, without sending it to the database)."""
    ranks = _ranks(language or current_language())
    # A code with no name in the list (none today) sorts after every country, by the code.
    return lambda code: (ranks[code], "") if code in ranks else (len(ranks), code)


def sort_by_name(items, key=lambda item: item, language=None):
    """`items` sorted by the country name `key(item)` gives, as the viewer's language sorts."""
    language = language or current_language()
    return sorted(items, key=lambda item: collation_key(key(item), language))


def codes_named_like(text, language=None):
    """ISO3 codes whose name in `language` holds every word of `text`, in any order, folded
    as a search folds them (core.search)."""
    needles = words(text)
    if not needles:
        return set()
    return {code for code, name in _folded_names(language or current_language())
            if all(needle in name for needle in needles)}


@lru_cache(maxsize=8)
def _folded_names(language):
    return tuple((code, fold(country_name(code, language))) for code in _all_codes())
