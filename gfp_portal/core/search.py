"""Search that ignores accents and case on every database: a folded key kept beside the text.

"Lucía Fernández" is kept as "lucia fernandez" in a `search_key` column the ORM fills on every
insert and update; a search folds its words the same way and looks for them in that key, so
"fernandez", "FERNÁNDEZ" and "Fernandez" all find her, on SQLite as on PostgreSQL.
"""
import unicodedata

import sqlalchemy as sa
from sqlalchemy import event

# Letters that do not decompose into a base letter and a mark.
_PLAIN = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "ŀ": "l",
                        "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d",
                        "’": "'", "‘": "'", "ʼ": "'",
                        # Alef wasla has no decomposition: a bare alef, as people type it.
                        "ٱ": "ا"})
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


def fold(text):
    """`text` without accents, case, invisible formatting characters or repeated spaces: the
    form both keys and searches take."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if _kept(c))
    return " ".join(bare.translate(_PLAIN).split())


def search_key(*parts):
    """One key for several values; a line break between them so no match spans two."""
    return "\n".join(fold(part) for part in parts if part)


def matches(column, text):
    """The condition "`column` (a folded key) contains the folded `text`"."""
    return column.contains(fold(text), autoescape=True)


def keep_search_key(model, attribute, *sources):
    """Recompute `model.<attribute>` from `sources` whenever a row is written through the ORM."""
    def refresh(mapper, connection, target):
        setattr(target, attribute, search_key(*(getattr(target, s) for s in sources)))

    event.listen(model, "before_insert", refresh)
    event.listen(model, "before_update", refresh)


def backfill_search_keys(connection, table, sources, column="search_key"):
    """Give every row of `table` its key (`column`) made of the SQL expressions `sources`:
    what a migration runs once it has added a key or changed how keys are folded."""
    rows = sa.table(table, sa.column("id"), sa.column(column))
    keys = [{"row_id": row[0], "key": search_key(*row[1:])} for row in connection.execute(
        sa.select(rows.c.id, *(sa.literal_column(s) for s in sources)).select_from(rows))]
    if keys:
        connection.execute(sa.update(rows).where(rows.c.id == sa.bindparam("row_id"))
                           .values({column: sa.bindparam("key")}), keys)
