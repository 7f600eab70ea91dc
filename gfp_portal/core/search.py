"""Search that ignores accents and case on every database: a folded key kept beside the text.

"Lucía Fernández" is kept as "lucia fernandez" in a `search_key` column the ORM fills on every
insert and update; a search folds its words the same way and looks for each of them in that
key, so "fernandez", "FERNÁNDEZ" and "Fernández, Lucía" all find her, on SQLite as on
PostgreSQL.
"""
import unicodedata

import sqlalchemy as sa
from sqlalchemy import event

from gfp_portal.core.text import LETTERS_WITHOUT_DECOMPOSITION

# Letters that do not decompose into a base letter and a mark (a key is folded to lower case
# first: the small ones).
_PLAIN = {**{letter: spelt for letter, spelt in LETTERS_WITHOUT_DECOMPOSITION.items()
             if letter.islower()},
          # Alef wasla has no decomposition: a bare alef, as people type it.
          "ٱ": "ا",
          # A final alef maqsura is typed as a yeh, and the reverse (مصطفى, مصطفي): the yeh.
          "ى": "ي",
          # A Persian or Urdu keyboard writes its own yeh and keheh (علی کریمی) where an
          # Arabic one writes the yeh and the kaf (علي كريمي): the Arabic letters.
          "\u06cc": "ي", "\u06a9": "ك",
          # An Urdu keyboard writes its heh goal (فاطمہ, شاہ), its heh doachashmee (بھٹو) and
          # its yeh barree (مصطفے) where an Arabic one writes the heh and the yeh: those.
          "\u06c1": "ه", "\u06be": "ه", "\u06d2": "ي"}
# Apostrophes are left out, whichever is typed, or none: "OBrien" finds O’Brien, "Jafar"
# Ja‘far. (An acute accent typed as one is left out before it decomposes into a space.)
_APOSTROPHES = "'’‘‛ʼʻ`′"
# Hyphens and dashes part words as a space does ("Jean Pierre", "Timor Leste", "تيمور ليشتي"
# for the UN's "تيمور - ليشتي"), and so do commas and semicolons ("Diallo, Amina"). Every
# dash of Unicode (its category Pd, as decomposed) and the minus sign:
_DASHES = ("-\u058a\u05be\u1400\u1806\u2010\u2012\u2013\u2014\u2015\u2212\u2e17\u2e1a"
           "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\U00010ead")
# the commas and semicolons of the Latin, Arabic and CJK scripts:
_COMMAS = ",;\u060c\u061b\u3001"
# A search takes a ta marbuta for the heh it is often typed as (فاطمة, فاطمه); the order of
# names keeps it with the teh it is written from, as Unicode's Arabic order (CLDR) has it, so
# that "نجاة" still comes before "نجاح".
_SEARCHED = str.maketrans({**_PLAIN, **dict.fromkeys(_APOSTROPHES, ""),
                           **dict.fromkeys(_DASHES + _COMMAS, " "), "ة": "ه"})
_ORDERED = str.maketrans({**_PLAIN, **dict.fromkeys(_APOSTROPHES, ""),
                          **dict.fromkeys(_DASHES + _COMMAS, " "), "ة": "ت"})
# Arabic short vowels and other marks, and the tatweel: "مُحَمَّد" is found as "محمد". The
# hamza and madda over or under an alef are such marks once decomposed, so every alef form
# ("أحمد", "إسلام", "آمنة") is kept as the bare alef people type.
_ARABIC_MARKS = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670", "\u0640"}


# On PostgreSQL, the trigram indexes (pg_trgm) of migration 0034 let `matches` read only the
# rows that hold the text. The models do not name them (SQLite has no such index): comparing the
# database with the models leaves them aside.
TRIGRAM_INDEXES = frozenset({
    "trgm_people_search_key", "trgm_people_email", "trgm_users_email",
    "trgm_training_sessions_search_key", "trgm_resource_versions_search_key",
    "trgm_practice_versions_search_key"})


def in_models(item, name, type_, reflected, compare_to):
    """Alembic's include_object: everything but the trigram indexes, which only the
    migrations build."""
    return not (type_ == "index" and reflected and name in TRIGRAM_INDEXES)


def _kept(c):
    """Whether a character of a decomposed text stays in its key: not an accent or another
    combining mark, nor an invisible formatting character (Unicode's Cf: a zero-width space
    or joiner, a direction mark, a byte-order mark), which a name pasted from an email or a
    chat carries and a search typed without it would not find."""
    return not unicodedata.combining(c) and c not in _ARABIC_MARKS and \
        unicodedata.category(c) != "Cf"


def _folded(text, letters):
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("´", ""))
    bare = "".join(c for c in decomposed if _kept(c))
    return " ".join(bare.translate(letters).split())


def fold(text):
    """`text` without accents, case, apostrophes, invisible formatting characters or repeated
    spaces, its words parted by spaces only, and the Arabic letters typed one for the other
    as one: the form both keys and searches take."""
    return _folded(text, _SEARCHED) if text else ""


# Letters a language sorts apart from their base letter: Spanish has the ñ after the n (and
# before the o), where the other languages take it for an n with an accent.
# A stored order of names in such a language has a key of its own (registry.models.NAME_KEYS).
_OWN_LETTERS = {"es": str.maketrans({"ñ": "n\uffff"})}


def order_fold(text, language=None):
    """`text` folded for an order: as `fold`, but a ta marbuta sorts as a teh; and, in a
    language with letters of its own, each of these after its base letter (an ñ typed whole
    or as an n and a tilde)."""
    if not text:
        return ""
    if language in _OWN_LETTERS:
        text = unicodedata.normalize("NFC", text.casefold()).translate(_OWN_LETTERS[language])
    return _folded(text, _ORDERED)


def search_key(*parts):
    """One key for several values; a line break between them so no match spans two."""
    return "\n".join(fold(part) for part in parts if part)


# The type of a column holding order keys: compared code point by code point on every
# database, whatever collation a PostgreSQL database was created with (a language's collation
# passes over the line break between the parts of a key, and its markers).
ORDER_KEY = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def order_key(*parts, language=None):
    """One sort key for several values (a family name, then a given name), the line break
    between them sorting before any letter or space; in `language`'s order (order_fold)."""
    return "\n".join(order_fold(part, language) for part in parts if part)


def words(text):
    """The words of a search, folded, each once; a word that another one holds is left out,
    as the longer finds it too ("amina a dia diallo": "amina", "diallo")."""
    kept = []
    for word in sorted(set(fold(text).split()), key=lambda w: (-len(w), w)):
        if not any(word in longer for longer in kept):
            kept.append(word)
    return kept


def matches(column, text):
    """The condition "`column` (a folded key) holds every word of `text`", in any order: one
    LIKE a word, which the trigram indexes serve on PostgreSQL. A search without words holds
    everything."""
    return sa.and_(*(column.contains(word, autoescape=True) for word in words(text) or [""]))


# The keys each model keeps (keep_search_key): model -> [(attribute, sources, key)].
_KEPT = {}


def keep_search_key(model, attribute, *sources, key=search_key):
    """Recompute `model.<attribute>` from `sources` (by `key`: `search_key`, or `order_key`
    for an order) whenever a row is written through the ORM."""
    _KEPT.setdefault(model, []).append((attribute, sources, key))

    def refresh(mapper, connection, target):
        setattr(target, attribute, _made(target, sources, key))

    event.listen(model, "before_insert", refresh)
    event.listen(model, "before_update", refresh)


def kept_keys(target):
    """The keys the ORM gives `target` (a model's instance, even one never added to a session)
    when it is written, by attribute: for rows inserted in bulk, which no ORM event sees."""
    return {attribute: _made(target, sources, key)
            for attribute, sources, key in _KEPT.get(type(target), ())}


def _made(target, sources, key):
    return key(*(getattr(target, source) for source in sources))


def backfill_search_keys(connection, table, sources, column="search_key", key=search_key):
    """Give every row of `table` its key (`column`, made by `key`) of the SQL expressions
    `sources`: what a migration runs once it has added a key or changed how keys are
    folded."""
    rows = sa.table(table, sa.column("id"), sa.column(column))
    keys = [{"row_id": row[0], "key": key(*row[1:])} for row in connection.execute(
        sa.select(rows.c.id, *(sa.literal_column(s) for s in sources)).select_from(rows))]
    if keys:
        connection.execute(sa.update(rows).where(rows.c.id == sa.bindparam("row_id"))
                           .values({column: sa.bindparam("key")}), keys)
