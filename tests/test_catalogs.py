"""The translation catalogs ship complete: every string in fr, es and ar, none fuzzy."""
import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog(lang):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory):
    """Every string marked for translation in the code and templates, extracted afresh."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract",  # noqa: S603
                    "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=ROOT, check=True)
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_catalog_is_complete_and_placeholders_match(lang, source_ids):
    problems = []
    messages = [m for m in catalog(lang) if m.id]
    for message in messages:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(("fuzzy", ids[0]))
        if not all(strings):
            problems.append(("untranslated", ids[0]))
            continue
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) - expected or \
                    (len(ids) == 1 and set(PLACEHOLDER.findall(string)) != expected):
                problems.append(("placeholders", ids[0]))
    assert problems == []
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in messages}
    behind = sorted(source_ids - ids)
    assert behind == [], "strings missing from the catalog: run make translations"


def test_arabic_has_six_plural_forms():
    assert catalog("ar").num_plurals == 6


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_format_strings_are_valid_as_msgfmt_checks_them(lang):
    """Babel's checkers, the ones `msgfmt --check` applies: a python-format message keeps a
    valid and matching format in every form of its translation."""
    problems = [(message.id, [str(error) for error in errors])
                for message, errors in catalog(lang).check()]
    assert problems == []



def test_arabic_counts_from_eleven_to_ninety_nine_take_the_accusative():
    """Arabic names the counted noun in the accusative from 11 to 99 ("15 شخصًا", also 150) and
    in the genitive at 100, 200… ("100 شخص"). The catalog's own plural rule says which form
    each count takes; tanween on the genitive side and none on the accusative side is a swap."""
    arabic = catalog("ar")
    form = gettext.c2py(arabic.plural_forms.split("plural=", 1)[1].rstrip(";"))
    swapped = [message.id[0] for message in arabic
               if message.id and message.pluralizable
               and "\u064b" in message.string[form(100)]
               and "\u064b" not in message.string[form(15)]]
    assert swapped == []
