"""The translation catalogs ship complete: every string in fr, es and ar, none fuzzy."""
import gettext
import io
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog(lang):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


# Flask-Babel's translation functions and the arguments Babel reads from each call.
SPECS = {"gettext": "1", "ngettext": "1,2", "pgettext": "1c,2", "npgettext": "1c,2,3",
         "lazy_gettext": "1", "lazy_ngettext": "1,2", "lazy_pgettext": "1c,2",
         "lazy_npgettext": "1c,2,3"}
IMPORT = re.compile(r"^from flask_babel import (.+)$", re.MULTILINE)


def code_keywords():
    """Every name the code calls a Flask-Babel translation function by (aliases included),
    with the arguments that hold the message: what extraction must know."""
    keywords = {name: spec for name, spec in SPECS.items()}
    keywords["_"] = "1"
    for path in [*(ROOT / "gfp_portal").rglob("*.py"), ROOT / "config.py"]:
        for names in IMPORT.findall(path.read_text(encoding="utf-8")):
            for item in names.strip("()").split(","):
                name, _as, alias = item.strip().partition(" as ")
                if name in SPECS:
                    keywords[alias or name] = SPECS[name]
    return keywords


def message_key(message):
    return (message.context, message.id if isinstance(message.id, str) else message.id[0])


def extract(tmp_path, keywords):
    pot = tmp_path / "messages.pot"
    flags = [arg for name, spec in sorted(keywords.items()) for arg in ("-k", f"{name}:{spec}")]
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract",  # noqa: S603
                    "-F", "babel.cfg", *flags, "-o", str(pot), "."], cwd=ROOT, check=True)
    with pot.open("rb") as handle:
        return {message_key(m) for m in read_po(handle) if m.id}


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory):
    """Every string marked for translation in the code and templates, extracted afresh with
    every translation function the code calls."""
    return extract(tmp_path_factory.mktemp("pot"), code_keywords())


def test_the_template_holds_every_marked_string(source_ids):
    """A marked string missing from messages.pot (a keyword `make translations` does not
    extract) never reaches a catalog and is shown in English to everyone."""
    with (ROOT / "translations" / "messages.pot").open("rb") as handle:
        template = {message_key(m) for m in read_po(handle) if m.id}
    assert sorted(source_ids - template, key=str) == []


# A number followed by what it counts ("%(n)s characters", "%(days)s days"): in Arabic the noun
# takes one of six forms by the number, in French and Spanish one of two.
COUNTED_NOUN = re.compile(
    r"%\(\w+\)[sd] (?:characters|columns|days|hours|lines|minutes|people|rows|answers|years|"
    r"seats|sessions)\b")


def test_counts_go_through_ngettext():
    """translations/GLOSSARY.md: counts always go through ngettext, also where the count is a
    constant today (a limit, a minimum) or a setting: a message of one form fits one count.
    WTForms' own messages are called as WTForms calls them."""
    wtforms = set(_wtforms_messages())
    with (ROOT / "translations" / "messages.pot").open("rb") as handle:
        single = [m.id for m in read_po(handle) if m.id and not m.pluralizable
                  and m.id not in wtforms and COUNTED_NOUN.search(m.id)]
    assert single == []


def test_make_translations_extracts_every_function_the_code_calls():
    from babel.messages.extract import DEFAULT_KEYWORDS
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    declared = dict(re.findall(r"-k (\w+)(?::([\dc,]+))?", makefile.replace("\\\n", " ")))
    missing = [name for name, spec in code_keywords().items()
               if name not in DEFAULT_KEYWORDS and declared.get(name) not in (spec, "")
               and not (spec == "1" and name in declared)]
    assert missing == []


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
    ids = {message_key(m) for m in messages}
    behind = sorted(source_ids - ids, key=str)
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


# Arabic words, without their short vowels, as the catalog writes them to address the reader
# in the plural: a pronoun -كم ("حسابكم"), a past verb -تم/-تمو ("أدخلتموها"), a present verb
# ت…ون/ت…وا ("تتلقون", "أن تؤكدوا"), and أنتم.
SECOND_PERSON_PLURAL = re.compile(
    r"^(?:[وفبل]?[\u0621-\u064a]+كم|[\u0621-\u064a]+تمو?(?:ها|ه|هم)?|[وف]?س?ت[\u0621-\u064a]+(?:ون|وا|ونها|ونه)"
    r"|أنتم)$")
# Words that end or begin that way without addressing anyone.
NOT_ADDRESSING = {"تحكم", "حكم", "الحكم", "بحكم", "كم", "تكون", "تم", "يتم", "تتم", "ختم",
                  "تعاون"}


def test_arabic_addresses_the_reader_in_the_singular():
    """translations/GLOSSARY.md: Arabic addresses the reader in the singular (حسابك، تعيينك),
    never in the plural (حسابكم، تتلقون) within the same portal."""
    plural = {}
    for message in catalog("ar"):
        for text in (message.string if message.pluralizable else (message.string,)):
            for word in re.findall(r"[\u0621-\u064a\u064b-\u0652\u0670]+", text or ""):
                bare = re.sub(r"[\u064b-\u0652\u0670]", "", word)
                if bare not in NOT_ADDRESSING and SECOND_PERSON_PLURAL.match(bare):
                    plural.setdefault(bare, message.id)
    assert plural == {}


def test_arabic_accusative_tanween_sits_before_the_alif():
    """translations/GLOSSARY.md: the tanween of the accusative sits on the letter before the
    alif ("أولًا", "رمزًا"), never on the alif ("أولاً"), as in the rest of the catalog."""
    on_the_alif = [message.id for message in catalog("ar") if message.id and any(
        "\u0627\u064b" in (text or "")
        for text in (message.string if message.pluralizable else (message.string,)))]
    assert on_the_alif == []


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


# Counts that are never 0, where French may say "Toutes les minutes" for 1 alone.
NEVER_ZERO = {"Every %(num)s minute"}  # a crontab step (*/N) of 0 is no schedule


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_a_plural_form_for_several_counts_shows_the_count(lang):
    """A form may leave out %(num)s only where it is shown for one count alone ("خطأ واحد",
    Spanish "su única versión" for 1). French gives 0 the form of 1: "Son unique version"
    would be said of none."""
    messages = catalog(lang)
    form = gettext.c2py(messages.plural_forms.split("plural=", 1)[1].rstrip(";"))
    shared = {index for index in range(messages.num_plurals)
              if sum(form(n) == index for n in range(1000)) > 1}
    dropped = [(message.id[0], index) for message in messages
               if message.id and message.pluralizable and "%(num)s" in message.id[1]
               and message.id[0] not in NEVER_ZERO
               for index in shared if "%(num)s" not in message.string[index]]
    assert dropped == []


CLDR_ORDER = ["zero", "one", "two", "few", "many", "other"]
COUNTS = (0, 1, 2, 3, 11, 100)


def compiled(lang):
    """The catalog as gettext reads it once compiled (its header's plural rule included)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog(lang))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def cldr_form(lang, n):
    """The index of n's plural form in CLDR's order of categories, which Babel writes: zero,
    one, two, few, many, other in Arabic; one, other in French and Spanish (whose catalogs
    leave out CLDR's "many", used only for millions)."""
    category = Locale.parse(lang).plural_form(n)
    order = CLDR_ORDER if lang == "ar" else ["one", "other"]
    return order.index(category if category in order else "other")


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_every_plural_entry_takes_the_form_cldr_gives_each_count(lang):
    """Rendered through the catalog's own Plural-Forms header, each count picks the form in
    the CLDR order Babel (pybabel init/update) writes: a header in another order would silently
    show every plural entry's wrong form."""
    translations, entries = compiled(lang), [m for m in catalog(lang) if m.id and m.pluralizable]
    assert len(entries) >= 25
    wrong = []
    for message in entries:
        for n in COUNTS:
            values = defaultdict(lambda n=n: n, num=n)  # a number fits %s and %d alike
            shown = translations.ngettext(message.id[0], message.id[1], n) % values
            expected = message.string[cldr_form(lang, n)] % values
            if shown != expected:
                wrong.append((message.id[0], n, shown))
    assert wrong == []


def test_arabic_form_four_is_the_accusative_and_form_five_the_genitive():
    """Form 4 (11 to 99: "15 شخصًا") marks the accusative (tanween or fatha) that form 5
    (100, 101, 102…: "100 شخص") has not."""
    accusative = re.compile("[\u064b\u064e]")
    swapped = [message.id[0] for message in catalog("ar") if message.id and message.pluralizable
               and message.string[4] != message.string[5]
               and len(accusative.findall(message.string[4]))
               <= len(accusative.findall(message.string[5]))]
    assert swapped == []


def _counted_word(text):
    """The word right after the count in an Arabic plural form ("%(num)s رسائل" → "رسائل")."""
    found = re.search(r"%\(num\)s ([\u0621-\u0652\u0670]+)", text)
    return found and found.group(1)


def test_arabic_form_four_differs_from_form_five_when_a_noun_is_counted():
    """A counted noun changes between 3–10 ("%(num)s رسائل", plural) and 100 ("%(num)s رسالة",
    singular): it is then in the accusative from 11 to 99 ("%(num)s رسالةً"), so form 4 cannot
    be form 5. A form that names no noun after the number ("%(num)s من أفرقتك",
    "الإجابات: %(num)s") reads the same for every number."""
    same = [message.id[0] for message in catalog("ar") if message.id and message.pluralizable
            and message.string[4] == message.string[5]
            and _counted_word(message.string[3]) != _counted_word(message.string[5])]
    assert same == []


# A colon, semicolon, question or exclamation mark in French follows a no-break space (U+00A0,
# or the narrow U+202F), never an ordinary one: otherwise the line may break before it. The
# same space, once, goes inside « ».
FRENCH_SPACE = re.compile("[ \u00a0\u202f]{2}|[ ][:;?!]|«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»")


def test_french_punctuation_never_follows_an_ordinary_space():
    offending = [(message.id if isinstance(message.id, str) else message.id[0], string)
                 for message in catalog("fr") if message.id
                 for string in (message.string if message.pluralizable else (message.string,))
                 if FRENCH_SPACE.search(string)]
    assert offending == []


def test_french_uses_one_apostrophe():
    straight = [message.id for message in catalog("fr") if message.id
                for string in (message.string if message.pluralizable else (message.string,))
                if "'" in string]
    assert straight == []


def _wtforms_messages():
    from wtforms.i18n import messages_path

    with open(Path(messages_path()) / "wtforms.pot", "rb") as handle:
        return [message.id for message in read_po(handle) if message.id]


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_every_message_of_wtforms_reads_in_the_portals_own_words(lang):
    """WTForms' own catalogs say "real number" for a whole number and "must not be less" for
    "must be at least" in Arabic, "greater than" for "at least" in Spanish, and leave some
    messages in English: the portal's catalogs translate every one of its messages."""
    ours = {message_key(m)[1]: m for m in catalog(lang) if m.id}
    missing = [message for message in _wtforms_messages()
               if (message if isinstance(message, str) else message[0]) not in ours
               or not all(ours[message if isinstance(message, str) else message[0]].string)]
    assert missing == []


def _strings(message):
    return message.string if message.pluralizable else (message.string,)


# translations/GLOSSARY.md: the full title of UN-SWAP, then its acronym.
UN_SWAP = {
    "fr": "Plan d’action à l’échelle du système des Nations Unies pour l’égalité des sexes et "
          "l’autonomisation des femmes (ONU-SWAP)",
    "es": "Plan de Acción para Todo el Sistema de las Naciones Unidas sobre la Igualdad de Género "
          "y el Empoderamiento de las Mujeres (ONU-SWAP)",
    "ar": "خطة العمل على نطاق منظومة الأمم المتحدة بشأن المساواة بين الجنسين وتمكين المرأة "
          "(UN-SWAP)",
}


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_a_sentence_names_un_swap_by_its_full_title_then_its_acronym(lang):
    """A sentence gives the plan's full title with its acronym; a heading may give the
    acronym alone, but never a title cut short without it."""
    acronym = UN_SWAP[lang].rsplit("(", 1)[1].rstrip(")")
    wrong = [message.id for message in catalog(lang) if message.id and not message.pluralizable
             and "UN-SWAP" in message.id
             and (UN_SWAP[lang] not in message.string if len(message.id.split()) > 5
                  else acronym not in message.string)]
    assert wrong == []


# Wordings the translation review of December 2026 and translations/GLOSSARY.md set aside,
# with what replaces them.
SET_ASIDE = [
    ("fr", r"\b[Cc]ertificats?\b", "a certificate of attendance is an « attestation »"),
    ("fr", r"\b(?:cette|la|une|des|les|de) sessions?\b",
     "a session of the network is a « séance » (« session » is a sign-in session)"),
    ("es", r"[Ee]quipos de las Naciones Unidas en el país",
     "UN Country Teams are « equipos de las Naciones Unidas en los países »"),
    ("ar", r"من سجل %\(|من سجله\b", "a person's record is « قيد » (« السجل » is the registry)"),
    ("fr", r"ayant présenté la candidature",
     "the nominator is « la personne à l’origine de la proposition »"),
    ("fr", r"\(trice\) résident|résident\(e\)|\(fe\)",
     "a Resident Coordinator is « coordonnateur résident ou coordonnatrice résidente »"),
    ("fr", r"aux coordonnateurs(?! et coordonnatrices)\b|points focaux et suppléants(?! et)",
     "several coordinators or alternates are named by a doublet"),
    ("fr", r"\bplacé\(e\)|\(e\) sauf si",
     "a sentence takes no truncated form: « Vous êtes prioritaire »"),
    ("es", r"(?:Estimado|Coordinador|Jefe)\(a\)|\(a\);",
     "no « (a) » in a greeting, a title or a sentence: a doublet or a rewording"),
    ("ar", r"\(ت\)", "a verbal noun, not a verb with « (ت) » (« مغادرة الكيان »)"),
    ("ar", r"(?:أُضيف|أُزيل|يُزال|يُعيَّن|يفقد|يشغل|دُعي) %\((?:name|nominee|email)\)s"
           r"|(?<!اسم )%\((?:name|nominee)\)s (?:يشغل|مدرج)",
     "a person named by a placeholder is no verb's masculine subject: « سُجِّل تعيين %(name)s »"),
    ("ar", r"جهة تنسيق و(?:ال)?مناوب\(ة\)|جهة التنسيق والمناوب\(ة\)",
     "an alternate is « مناوب » in a sentence, « المناوب(ة) » only as a label"),
    ("ar", r"الدورة الإلكترونية|وإلكترونية\)", "online is « عبر الإنترنت »"),
    ("fr", r"personne qui anime|personne qui l’organise",
     "the host is « la personne qui organise la séance »"),
    ("es", r"persona que modera", "the host is « la persona que organiza la sesión »"),
    ("ar", r"(?<!البلد )المضيف\b|منظِّم الدورة", "the host is « الجهة المنظِّمة للدورة »"),
    ("es", r"en su lugar", "« instead » is « en vez de … », not the calque « en su lugar »"),
    ("es", r"[“”]", "Spanish quotes with « »"),
    ("ar", r"[“”]", "Arabic quotes with « »"),
    ("es", r"capacitación", "training is « formación », as in « sesión de formación »"),
]


@pytest.mark.parametrize(("lang", "pattern", "why"), SET_ASIDE,
                         ids=[f"{lang}:{why}" for lang, _pattern, why in SET_ASIDE])
def test_catalogs_keep_to_the_glossary(lang, pattern, why):
    found = [message.id for message in catalog(lang) if message.id
             if any(re.search(pattern, text or "") for text in _strings(message))]
    assert found == [], why


def test_arabic_sentences_name_people_without_a_feminine_in_brackets():
    """translations/GLOSSARY.md: "(ة)" only in a label or a greeting naming one person; a
    sentence rewords ("مَن يشغل منصب المنسق المقيم", "دور إدارة النظام")."""
    marked = [message.id for message in catalog("ar") if message.id
              if any(re.search(r"\((?:ة|ا)\)", text) and re.search(r"[.:؟!]$", text.strip())
                     and len(text.split()) > 5 for text in _strings(message))]
    assert marked == []


# The calls whose message refuses what was typed or asked: a field's validator, a refusal of a
# service, a refused file.
REFUSALS = {"DomainError", "ValidationError", "StopValidation", "required_text", "_refuse",
            "_bad_file"}
TRANSLATED = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}


def _refusal_messages():
    import ast

    found = set()
    for path in (ROOT / "gfp_portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            given = [*node.args, *(k.value for k in node.keywords if k.arg == "message")] \
                if name in REFUSALS else [k.value for k in node.keywords if k.arg == "message"]
            for value in given:
                if isinstance(value, ast.Call) and \
                        getattr(value.func, "id", None) in TRANSLATED and value.args and \
                        isinstance(value.args[0], ast.Constant):
                    found.add(value.args[0].value)
    return found


# Imperatives of the second person, as a refusal would begin a sentence or a clause with them
# (unvowelled, "قدّم" is also "submitted": only where a sentence or an "or" begins).
IMPERATIVES = {"أدخل", "اختر", "أضف", "أرفق", "اذكر", "ضع", "وضّح", "اكتب", "حمّل", "قدّم",
               "استخدم", "تحقق", "رشّح", "اطلب", "تابع", "حدّد", "احذف", "أكّد", "غيّر"}
CLAUSE_START = re.compile(r"(?:^|[.:؛،]\s+|(?:أو|ثم)\s+)([\u0621-\u0652]+)")


def test_arabic_refusals_ask_with_yurja_and_a_verbal_noun():
    """translations/GLOSSARY.md: a validation message in Arabic reads "يُرجى" + verbal noun
    ("يُرجى اختيار لغة."), never an imperative ("اختر لغة.")."""
    refusals = _refusal_messages()
    assert len(refusals) > 100
    imperative = [message.id for message in catalog("ar") if message.id
                  and message_key(message)[1] in refusals
                  and any(IMPERATIVES & set(CLAUSE_START.findall(text))
                          for text in _strings(message))]
    assert imperative == []


def test_the_glossary_writes_french_with_the_catalogs_apostrophe():
    """The glossary is what translators copy from: its French column uses ’, as the French
    catalog must (test_french_uses_one_apostrophe)."""
    rows = [line.split("|") for line in
            (ROOT / "translations" / "GLOSSARY.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and line.count("|") >= 5]
    assert [row[2].strip() for row in rows if "'" in row[2]] == []


def test_the_network_is_of_gender_focal_points():
    """The Office is that of the Focal Point for Women; the network it coordinates is of gender
    focal points (the review of December 2026 asked whether "focal points for women" on the
    home page meant it: it did not)."""
    with (ROOT / "translations" / "messages.pot").open("rb") as handle:
        said = [m.id for m in read_po(handle) if m.id and "focal points for women" in str(m.id)]
    assert said == []
