"""Search ignores accents and case in the registry, the directory, the library, sessions and
accounts, on SQLite and PostgreSQL; the migration gives existing rows their key."""
import sys
import unicodedata
from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from gfp_portal.admin.queries import users_query
from gfp_portal.attendance.walk_ins import candidates
from gfp_portal.core.data_version import NOT_COUNTED
from gfp_portal.core.search import fold, matches
from gfp_portal.extensions import db
from gfp_portal.reference import queries as reference_queries
from gfp_portal.reference.models import Entity
from gfp_portal.registry import queries as registry_queries
from gfp_portal.registry.models import Appointment, Person, name_order
from gfp_portal.resources.models import Resource, ResourceVersion
from gfp_portal.sessions import queries as session_queries
from gfp_portal.sessions.models import TrainingSession

NOW = datetime(2029, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("text", "folded"), [
    ("Lucía Fernández", "lucia fernandez"),
    ("FERNÁNDEZ", "fernandez"),
    ("Łukasz Żółć", "lukasz zolc"),
    ("Straße  Øster", "strasse oster"),
    ("Máŋgá Ŧ", "manga t"),
    ("Côte d’Ivoire", "cote divoire"),
    ("مُحَمَّد", "محمد"),
    ("مُحَمَّــــد", "محمد"),              # tatweel
    ("أحمد إسلام آمنة ٱلله", "احمد اسلام امنه الله"),  # every alef form: the bare alef
    ("", ""),
    # Invisible formatting marks (Unicode's Cf): pasted from an email signature or a chat,
    # or by a keyboard writing right to left.
    ("María\u200b Pérez\u200f", "maria perez"),
    ("\ufeff\u2060Abebe\u061c\u200e", "abebe"),
    ("می\u200cخواهم", "ميخواهم"),
    ("\u200b", ""),
    # Arabic letters typed one for the other: a final alef maqsura for a yeh, a ta marbuta
    # for a heh (and the reverse), as Arabic search engines take them.
    ("مصطفى", "مصطفي"),
    ("هدى هدي", "هدي هدي"),
    ("فاطمة طلحه", "فاطمه طلحه"),
    # The Persian and Urdu yeh and keheh (a Persian keyboard's) are the Arabic yeh and kaf.
    ("علی کریمی", "علي كريمي"),
    # Urdu's heh goal and heh doachashmee are the heh, its yeh barree the yeh.
    ("فاطمہ بھٹو", "فاطمه بهٹو"),
    ("ھاشمی مصطفے", "هاشمي مصطفي"),
    ("ﻛﺮﻳﻢ", "كريم"),                       # presentation forms, as some PDFs copy them
    ("الجمهورية العربية السورية", "الجمهوريه العربيه السوريه"),
    # Hyphens and dashes part words, as a space does; so do commas and semicolons.
    ("Jean-Pierre", "jean pierre"),
    ("Timor\u2011Leste", "timor leste"),   # a non-breaking hyphen
    ("تيمور - ليشتي", "تيمور ليشتي"),
    ("2022–2024 — Plan", "2022 2024 plan"),
    ("Diallo, Amina", "diallo amina"),
    ("Diallo;Amina", "diallo amina"),
    ("ديالو، أمينة", "ديالو امينه"),
    # Apostrophes are left out, whichever is typed: "OBrien" finds O’Brien.
    ("O’Brien", "obrien"),
    ("O'Brien", "obrien"),
    ("D´Souza", "dsouza"),
    ("Ja‘far Al-Mas`udi", "jafar al masudi"),
    ("Hawaiʻi", "hawaii"),
    ("-", ""),
    ("’", ""),
])
def test_fold_drops_accents_case_and_repeated_spaces(text, folded):
    assert fold(text) == folded


def test_every_dash_parts_words():
    """Whatever dash a keyboard or a word processor writes (Unicode's Pd), and the minus."""
    dashes = [chr(c) for c in range(sys.maxunicode + 1)
              if unicodedata.category(chr(c)) == "Pd"] + ["\u2212"]
    assert {d: fold(f"a{d}b") for d in dashes} == {d: "a b" for d in dashes}


@pytest.fixture
def lucia(ctx, reference):
    person = Person(given_name="Lucía", family_name="Fernández", email="lucia@undp.org",
                    position_title="Especialista en género")
    db.session.add_all([person, Person(given_name="Amina", family_name="Diallo",
                                       email="amina@undp.org")])
    db.session.flush()
    return person


@pytest.mark.parametrize("q", ["fernandez", "FERNANDEZ", "Fernández", "lucia fern",
                               "  lucía   fernández ", "genero"])
def test_the_registry_finds_a_name_without_its_accents(lucia, q):
    stmt = registry_queries.people_query(registry_queries.RegistryFilter(q=q, status="any"))
    assert [p.email for p in db.session.scalars(stmt).unique()] == ["lucia@undp.org"]


@pytest.mark.parametrize("q", ["Fernandez Lucia", "Fernández, Lucía", "FERNANDEZ lucía",
                               "fern luc", "lucia genero", "Lucia Lucia F"])
def test_the_registry_finds_the_words_of_a_name_in_any_order(lucia, q):
    """The UN writes "FAMILY NAME, Given name": what a coordinator reads is what she types."""
    assert _registry(q) == ["lucia@undp.org"]


def test_every_word_typed_is_looked_for(lucia):
    assert _registry("Fernandez Amina") == []
    assert _registry("Diallo Amina") == ["amina@undp.org"]


def test_each_word_is_looked_for_once_in_the_key():
    """One LIKE a word on the key (which the trigram index serves), none for a word that
    another word of the search holds ("a" in "amina")."""
    condition = matches(Person.search_key, "Amina DIALLO amina a dia")
    assert str(condition.compile()).count(" LIKE ") == 2


def test_every_search_box_finds_a_name_typed_family_name_first(app, lucia):
    undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
    db.session.add(Appointment(person=lucia, entity=undp, role="focal_point", status="active",
                               start_date=NOW.date(), end_date=NOW.date().replace(year=2031)))
    db.session.flush()
    assert [p.email for p in db.session.scalars(registry_queries.directory_query(
        q="Fernandez Lucia", today=NOW.date())).unique()] == ["lucia@undp.org"]
    assert [p.email for p in candidates(_session("Paridad de género"), "Fernández, Lucía")] \
        == ["lucia@undp.org"]
    assert [e.acronym for e in db.session.scalars(reference_queries.entities_query(
        "Programme Development"))] == ["UNDP"]


def test_the_accounts_list_finds_a_name_typed_family_name_first(app, create_user):
    create_user("lucia@undp.org", given_name="Lucía", family_name="Fernández")
    with app.app_context():
        found = db.session.scalars(users_query(q="Fernandez, Lucia")).unique().all()
        assert [u.email for u in found] == ["lucia@undp.org"]


def test_the_registry_still_finds_an_email(lucia):
    stmt = registry_queries.people_query(registry_queries.RegistryFilter(q="LUCIA@", status="any"))
    assert [p.email for p in db.session.scalars(stmt).unique()] == ["lucia@undp.org"]


def _registry(q=None):
    stmt = registry_queries.people_query(registry_queries.RegistryFilter(q=q, status="any"))
    return [p.email for p in db.session.scalars(stmt).unique()]


def test_a_name_pasted_with_an_invisible_mark_is_found_and_sorted_by_its_letters(ctx,
                                                                                reference):
    """Copied from an email signature or a chat, a name carries a zero-width space; typed
    on a keyboard writing right to left, a search carries a direction mark."""
    db.session.add_all([
        Person(given_name="María\u200b", family_name="Pérez", email="maria@undp.org"),
        Person(given_name="Li", family_name="Zhang", email="zhang@undp.org"),
        Person(given_name="Tigist", family_name="\u200bAbebe", email="abebe@undp.org")])
    db.session.flush()
    assert _registry("Maria Perez") == ["maria@undp.org"]
    assert _registry("María Pérez\u200f") == ["maria@undp.org"]
    assert _registry() == ["abebe@undp.org", "maria@undp.org", "zhang@undp.org"]


@pytest.mark.parametrize(("stored", "typed"), [("علي كريمي", "علی کریمی"),
                                              ("علی کریمی", "علي كريمي"),
                                              ("مصطفى كمال", "مصطفی کمال"),
                                              ("فاطمة هاشمي", "فاطمہ ھاشمی"),
                                              ("فاطمہ ھاشمی", "فاطمة هاشمي"),
                                              ("مصطفى شاه", "مصطفے شاہ"),
                                              ("مصطفے شاہ", "مصطفى شاه")])
def test_a_name_is_found_whether_it_is_typed_on_a_persian_or_an_arabic_keyboard(ctx, reference,
                                                                               stored, typed):
    """A Persian or an Urdu keyboard writes its own yeh and keheh where an Arabic one writes
    the yeh (or the alef maqsura) and the kaf, and an Urdu one its heh goal, heh doachashmee
    and yeh barree where an Arabic one writes the heh (or the ta marbuta) and the yeh: the
    same name either way."""
    given, family = stored.split()
    db.session.add(Person(given_name=given, family_name=family, email="ali@undp.org"))
    db.session.flush()
    assert _registry(typed) == ["ali@undp.org"]


def test_the_directory_finds_a_name_without_its_accents(lucia):
    from gfp_portal.reference.models import Entity

    undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
    db.session.add(Appointment(person=lucia, entity=undp, role="focal_point", status="active",
                               start_date=NOW.date(), end_date=NOW.date().replace(year=2031)))
    db.session.flush()
    found = db.session.scalars(registry_queries.directory_query(q="fernandez")).unique().all()
    assert [p.email for p in found] == ["lucia@undp.org"]


def test_a_changed_name_is_found_by_its_new_key(lucia):
    lucia.family_name = "Muñoz"
    db.session.flush()
    stmt = registry_queries.people_query(registry_queries.RegistryFilter(q="munoz", status="any"))
    assert [p.email for p in db.session.scalars(stmt).unique()] == ["lucia@undp.org"]
    stmt = registry_queries.people_query(registry_queries.RegistryFilter(q="fernandez",
                                                                         status="any"))
    assert db.session.scalars(stmt).unique().all() == []


def test_a_session_coordinator_finds_a_walk_in_without_accents(lucia):
    session = _session("Paridad de género")
    assert [p.email for p in candidates(session, "fernandez")] == ["lucia@undp.org"]


def test_the_accounts_list_finds_a_name_without_accents(app, create_user):
    create_user("lucia@undp.org", given_name="Lucía", family_name="Fernández")
    create_user("amina@undp.org", given_name="Amina", family_name="Diallo")
    with app.app_context():
        found = db.session.scalars(users_query(q="FERNANDEZ")).unique().all()
        assert [u.email for u in found] == ["lucia@undp.org"]


def test_an_address_typed_with_its_accents_decomposed_finds_a_walk_in(lucia):
    """An "e" and an accent, as some programs copy an "é", find the address all the same."""
    lucia.email = "lucía@undp.org"
    db.session.flush()
    typed = unicodedata.normalize("NFD", "lucía@")
    assert [p.email for p in candidates(_session("Paridad de género"), typed)] == [
        "lucía@undp.org"]


def test_an_address_typed_with_its_accents_decomposed_finds_an_account(app, create_user):
    create_user("josé@undp.org", given_name="José", family_name="Pérez")
    with app.app_context():
        found = db.session.scalars(users_query(q=unicodedata.normalize("NFD", "josé@")))
        assert [u.email for u in found.unique()] == ["josé@undp.org"]


def _session(title_es, title_en="Gender parity"):
    session = TrainingSession(
        title_en=title_en, title_es=title_es, topic="parity_dashboard", format="virtual",
        starts_at=datetime(2030, 1, 1, 10, tzinfo=UTC), ends_at=datetime(2030, 1, 1, 11,
                                                                        tzinfo=UTC),
        time_zone="UTC", languages="en es", capacity=10, audience="both", status="published")
    db.session.add(session)
    db.session.flush()
    return session


@pytest.mark.parametrize("q", ["genero", "GÉNERO", "parity", "género de paridad"])
def test_sessions_are_found_by_a_title_in_any_language_without_accents(ctx, q):
    _session("Paridad de género")
    _session("Acoso sexual", title_en="Sexual harassment")
    stmt = session_queries.sessions_query(session_queries.SessionFilter(q=q), now=NOW)
    assert [s.title_es for s in db.session.scalars(stmt)] == ["Paridad de género"]


def test_the_sessions_page_searches_titles(app, client, reference, login_as):
    with app.app_context():
        _session("Paridad de género", title_en="Parité entre les sexes")
        _session("Acoso sexual", title_en="Sexual harassment")
        db.session.commit()
    login_as("focal_point")
    page = client.get("/sessions/?when=upcoming&q=parite").get_data(as_text=True)
    assert "Parité entre les sexes" in page
    assert "Sexual harassment" not in page


def _keys_after_migrating_from(revision, inserts, selects):
    """Go back to `revision`, add rows as they were then, migrate to the head again: the
    first value of each of `selects`."""
    downgrade(revision=revision)
    try:
        # Written as by hand, on a schema older than the data version's table: not counted.
        with db.engine.execution_options(**{NOT_COUNTED: True}).begin() as connection:
            for statement in inserts:
                connection.execute(text(statement))
    finally:
        upgrade()
    with db.engine.connect() as connection:
        return [connection.execute(text(statement)).scalar_one() for statement in selects]


def test_the_migration_gives_existing_rows_their_key(app):
    with app.app_context():
        assert _keys_after_migrating_from("0014_cancellation_reason", [
            "INSERT INTO people (given_name, family_name, email, preferred_language, "
            "time_zone, directory_consent, created_at) VALUES ('Lucía', 'Fernández', "
            "'lucia@undp.org', 'es', 'UTC', false, CURRENT_TIMESTAMP)"],
            ["SELECT search_key FROM people"]) == ["lucia fernandez"]
        assert db.session.scalars(select(Resource)).all() == []
        assert db.session.scalars(select(ResourceVersion)).all() == []


def test_the_entity_migration_gives_entities_their_key_and_folds_every_key_again(app):
    with app.app_context():
        assert _keys_after_migrating_from("0016_people_name_order", [
            "INSERT INTO entities (acronym, name, type, is_verified) VALUES ('OCHA', "
            "'Office de Coordination des Affaires humanitaires', 'secretariat', false)",
            "INSERT INTO people (given_name, family_name, email, preferred_language, "
            "time_zone, directory_consent, created_at, search_key) VALUES ('ٱمنة', "
            "'Diallo', 'amna@undp.org', 'ar', 'UTC', false, CURRENT_TIMESTAMP, 'old')"],
            ["SELECT search_key FROM entities WHERE acronym = 'OCHA'",
             "SELECT search_key FROM people WHERE email = 'amna@undp.org'"]) == [
            "ocha\noffice de coordination des affaires humanitaires", "امنه diallo"]


def test_the_migration_gives_existing_people_their_name_key(app):
    with app.app_context():
        assert _keys_after_migrating_from("0035_jobs_locale", [
            "INSERT INTO people (given_name, family_name, email, preferred_language, "
            "time_zone, directory_consent, created_at, search_key) VALUES ('Émile', "
            "'Éclair', 'emile@undp.org', 'fr', 'UTC', false, CURRENT_TIMESTAMP, '')"],
            ["SELECT name_key FROM people"]) == ["eclair\nemile"]


def test_the_migration_folds_every_key_again_without_invisible_marks(app):
    with app.app_context():
        assert _keys_after_migrating_from("0043_cancelled_places_sequence", [
            "INSERT INTO entities (acronym, name, type, is_verified, search_key) VALUES "
            "('UN\u200bDP', 'United Nations\u200e Development Programme', 'secretariat', false, "
            "'old')",
            "INSERT INTO people (given_name, family_name, email, preferred_language, "
            "time_zone, directory_consent, created_at, search_key, name_key) VALUES "
            "('María\u200b', '\u200bPérez', 'maria@undp.org', 'es', 'UTC', false, "
            "CURRENT_TIMESTAMP, 'old', 'old')"],
            ["SELECT search_key FROM entities WHERE acronym = 'UN\u200bDP'",
             "SELECT search_key FROM people WHERE email = 'maria@undp.org'",
             "SELECT name_key FROM people WHERE email = 'maria@undp.org'"]) == [
            "undp\nunited nations development programme", "maria perez", "perez\nmaria"]


def test_the_migration_folds_every_key_again_with_letter_variants_dashes_and_apostrophes(app):
    """Keys written before Arabic letter variants were folded, dashes parted words and
    apostrophes were left out: each is folded again, names' order keys too."""
    with app.app_context():
        assert _keys_after_migrating_from("0045_composed_addresses", [
            "INSERT INTO entities (acronym, name, type, is_verified, search_key) VALUES "
            "('UN-Women', 'هيئة الأمم المتحدة للمرأة', 'secretariat', false, 'old')",
            "INSERT INTO people (given_name, family_name, email, preferred_language, "
            "time_zone, directory_consent, created_at, search_key, name_key) VALUES "
            "('Jean-Pierre', 'O’Brien', 'jp@undp.org', 'fr', 'UTC', false, "
            "CURRENT_TIMESTAMP, 'old', 'old'), ('فاطمة', 'مصطفى', 'fm@undp.org', 'ar', 'UTC', "
            "false, CURRENT_TIMESTAMP, 'old', 'old')",
            "INSERT INTO training_sessions (title_en, title_ar, topic, format, starts_at, "
            "ends_at, time_zone, languages, capacity, audience, status, ical_sequence, "
            "seats_version, created_at, updated_at, search_key) VALUES "
            "('Gender-responsive budgets', 'الميزنة المراعية للمنظور الجنساني', "
            "'parity_dashboard', 'virtual', '2030-01-01 10:00:00', '2030-01-01 11:00:00', 'UTC', "
            "'en ar', 10, 'both', 'draft', 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'old')"],
            ["SELECT search_key FROM entities WHERE acronym = 'UN-Women'",
             "SELECT search_key FROM people WHERE email = 'jp@undp.org'",
             "SELECT name_key FROM people WHERE email = 'jp@undp.org'",
             "SELECT search_key FROM people WHERE email = 'fm@undp.org'",
             "SELECT name_key FROM people WHERE email = 'fm@undp.org'",
             "SELECT search_key FROM training_sessions"]) == [
            "un women\nهييه الامم المتحده للمراه", "jean pierre obrien", "obrien\njean pierre",
            "فاطمه مصطفي", "مصطفي\nفاطمت",
            "gender responsive budgets\nالميزنه المراعيه للمنظور الجنساني"]


def test_the_migration_folds_every_key_again_with_the_persian_yeh_and_keheh(app):
    """Keys written before the Persian yeh and keheh were folded: each is folded again,
    names' order keys too."""
    with app.app_context():
        assert _keys_after_migrating_from("0049_guest_evaluations", [
            "INSERT INTO people (given_name, family_name, email, preferred_language, "
            "time_zone, directory_consent, created_at, search_key, name_key) VALUES "
            "('علی', 'کریمی', 'ali@undp.org', 'fa', 'UTC', false, CURRENT_TIMESTAMP, "
            "'old', 'old')",
            "INSERT INTO entities (acronym, name, type, is_verified, search_key) VALUES "
            "('UNIC', 'مرکز اطلاعات سازمان ملل', 'secretariat', false, 'old')"],
            ["SELECT search_key FROM people WHERE email = 'ali@undp.org'",
             "SELECT name_key FROM people WHERE email = 'ali@undp.org'",
             "SELECT search_key FROM entities WHERE acronym = 'UNIC'"]) == [
            "علي كريمي", "كريمي\nعلي", "unic\nمركز اطلاعات سازمان ملل"]


def test_the_migration_folds_every_key_again_with_the_urdu_heh_and_yeh(app):
    """Keys written before Urdu's heh goal, heh doachashmee and yeh barree were folded: each
    is folded again, names' order keys in every language too (the Spanish one is made
    after)."""
    with app.app_context():
        assert _keys_after_migrating_from("0049_guest_evaluations", [
            "INSERT INTO people (given_name, family_name, email, preferred_language, "
            "time_zone, directory_consent, created_at, search_key, name_key) "
            "VALUES ('فاطمہ', 'بھٹو', 'fb@undp.org', 'ur', 'UTC', false, CURRENT_TIMESTAMP, "
            "'old', 'old')",
            "INSERT INTO entities (acronym, name, type, is_verified, search_key) VALUES "
            "('UNIC', 'اقوام متحدہ کے اطلاعاتی مرکز', 'secretariat', false, 'old')"],
            ["SELECT search_key FROM people WHERE email = 'fb@undp.org'",
             "SELECT name_key FROM people WHERE email = 'fb@undp.org'",
             "SELECT name_key_es FROM people WHERE email = 'fb@undp.org'",
             "SELECT search_key FROM entities WHERE acronym = 'UNIC'"]) == [
            "فاطمه بهٹو", "بهٹو\nفاطمه", "بهٹو\nفاطمه", "unic\nاقوام متحده كي اطلاعاتي مركز"]


def test_the_migration_gives_existing_people_their_spanish_name_key(app):
    """The ñ after the n ("Munro" before "Muñoz"), as Spanish sorts it."""
    with app.app_context():
        keys = _keys_after_migrating_from("0050_keys_persian_letters", [
            "INSERT INTO people (given_name, family_name, email, preferred_language, "
            "time_zone, directory_consent, created_at, search_key, name_key) VALUES ('Íñigo', "
            "'Muñoz', 'inigo@undp.org', 'es', 'UTC', false, CURRENT_TIMESTAMP, '', '')"],
            ["SELECT name_key_es FROM people"])
        assert keys == ["mun\uffffoz\nin\uffffigo"]
        assert keys[0] > "munro"


@pytest.mark.parametrize("language", ["en", "es"])
def test_names_are_ordered_by_their_keys_letter_by_letter_whatever_the_database_s_collation(
        app, make_person, language):
    """A PostgreSQL database created with a language's collation (en_US.UTF-8, or ICU) passes
    over the line break between the family and the given name of an order key, and over its
    markers: "Lin, Ann" would come before "Li, Zhang". The keys are compared code point by
    code point on every database (PostgreSQL: COLLATE "C"; SQLite compares so)."""
    with app.app_context():
        make_person(given="Zhang", family="Li")
        make_person(given="Ann", family="Lin")
        db.session.commit()
        assert db.session.scalars(select(Person.family_name).where(
            Person.family_name.in_(["Li", "Lin"])).order_by(*name_order(language))).all() == \
            ["Li", "Lin"]
        if db.engine.dialect.name == "postgresql":
            key = name_order(language)[0].key
            assert db.session.scalar(text(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'people' AND column_name = :key"), {"key": key}) == "C"
