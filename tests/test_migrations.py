"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL (and,
on PostgreSQL, the trigram indexes of core.search that only they build)."""
import importlib.util
import re
import unicodedata
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import select, update

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.core import search
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.nominations import services as nominations
from gfp_portal.nominations.models import Nomination
from gfp_portal.privacy.former_addresses import address_digest
from gfp_portal.privacy.models import FormerAddress
from gfp_portal.programme import guests
from gfp_portal.programme.models import Guest, GuestRegistration
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Person
from gfp_portal.sessions import registration
from gfp_portal.sessions.models import Registration, TrainingSession
from tests.helpers import NOW, entity, outbox


# SQLite cannot reflect the expression indexes (they are compared on PostgreSQL).
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
def test_the_migrated_database_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": search.in_models})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_on_postgresql_a_search_by_part_of_a_word_can_use_an_index(app):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            assert not search.TRIGRAM_INDEXES & set(
                connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
            return
        built = set(connection.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%%gin_trgm_ops%%'").scalars())
        assert built == search.TRIGRAM_INDEXES
        connection.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(connection.exec_driver_sql(
            "EXPLAIN SELECT id FROM people WHERE search_key LIKE '%%' || %s || '%%' ESCAPE '/'",
            ("kamau",)).scalars())
        assert "trgm_people_search_key" in plan
        # A search of several words looks for each of them through the index.
        compiled = select(Person.id).where(
            search.matches(Person.search_key, "Diallo, Amina")).compile(connection)
        plan = "\n".join(connection.exec_driver_sql(
            f"EXPLAIN {compiled}", compiled.params).scalars())
        assert "trgm_people_search_key" in plan, plan
        assert "%diallo%" in plan and "%amina%" in plan, plan


def _migration(name):
    path = Path(__file__).parent.parent / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_places_cancelled_before_keep_a_sequence_their_return_is_sent_above(
        make_session, make_appointee, coordinator):
    """Migration 0040: a place that held a seat and lost it before the SEQUENCE of its
    cancellation was kept is noted as cancelled at the session's SEQUENCE of now; places
    held, or never given a seat, are left as they were."""
    session = make_session(capacity=1)
    withdrew, waits_again, holds, never_seated = (make_appointee() for _ in range(4))
    for person in (withdrew, waits_again):
        registration.cancel(registration.register(session, person, actor=None, now=NOW),
                            actor=None, now=NOW)
    held = registration.register(session, holds, actor=None, now=NOW)
    for person in (waits_again, never_seated):
        registration.register(session, person, actor=None, now=NOW)
    invitation = guests.create_invitation(session, actor=coordinator, now=NOW)
    for email in ("removed@university.example", "pending@university.example"):
        guests.request_place(invitation.token, {
            "name": "Ximena Quispe", "email": email, "organisation": "Universidad de Lima",
            "sector": "academia"}, now=NOW)
    guests.cancel_place(guests.confirm_place(re.search(
        r"/guests/place/([^?\s]+)", outbox("guest_place_link")[0].body_text).group(1),
        now=NOW), actor=coordinator, now=NOW)
    # As the rows stood before: nothing kept, and the session changed twice since.
    db.session.execute(update(Registration).values(invited_sequence=None))
    db.session.execute(update(GuestRegistration).values(invited_sequence=None))
    db.session.execute(update(TrainingSession).values(ical_sequence=2))
    db.session.expire_all()
    with Operations.context(MigrationContext.configure(db.session.connection())):
        _migration("0043_cancelled_places_sequence").upgrade()
    db.session.expire_all()
    kept = {row.person_id: row.invited_sequence
            for row in db.session.scalars(select(Registration))}
    assert kept == {withdrew.id: 2, waits_again.id: 2, holds.id: None, never_seated.id: None}
    assert {row.guest.email: row.invited_sequence
            for row in db.session.scalars(select(GuestRegistration))} == {
        "removed@university.example": 2, "pending@university.example": None}
    # The seat freed goes to the person waiting again, invited above the CANCEL they got.
    registration.cancel(db.session.get(Registration, held.id), actor=None, now=NOW)
    assert registration.registration_of(session, waits_again).status == "registered"
    assert db.session.get(TrainingSession, session.id).ical_sequence == 3


def _nfc(text):
    return unicodedata.normalize("NFC", text)


def _nfd(text):
    return unicodedata.normalize("NFD", text)


def test_addresses_stored_with_decomposed_accents_are_composed_unless_taken(
        make_session, make_person, coordinator, create_user):
    """Migration 0045: an address stored as an "e" and an accent (before addresses were
    composed where they are typed) is composed everywhere it is kept, and then found by what
    is typed; one whose composed form is another person's stays as it was everywhere."""
    jose, maria = "josé.pérez@undp.org", "maría.lópez@undp.org"
    account = db.session.get(User, create_user(_nfd(jose), given_name="José"))
    make_person(given="María", family="López", email=maria)
    twin = make_person(given="María", family="López", email="twin@undp.org")
    nomination = nominations.submit_nomination({
        "role": "focal_point", "entity": entity("UNICEF"), "unct": None,
        "given_name": "José", "family_name": "Pérez", "email": jose,
        "position_title": "Chief", "grade": "P-5", "preferred_language": "en",
        "time_share": 20, "tor_acknowledged": True, "start_date": None,
        "justification": "Willing.", "replaces": None}, actor=coordinator, now=NOW)
    invitation = guests.create_invitation(make_session(), actor=coordinator, now=NOW)
    guests.request_place(invitation.token, {
        "name": "Ximena Quispe", "email": "ximena@universidad.example",
        "organisation": "Universidad de Lima", "sector": "academia"}, now=NOW)
    # As the older code kept them, typed with decomposed accents.
    db.session.execute(update(Person).where(Person.id == twin.id).values(email=_nfd(maria)))
    db.session.execute(update(Nomination).where(Nomination.id == nomination.id)
                       .values(email=_nfd(jose)))
    db.session.execute(update(Guest).values(email=_nfd("ximená@universidad.example")))
    db.session.add_all([OutboxMessage(recipient=_nfd(address), sender="gfp@example.org",
                                      subject="Hello", body_text="Hello", template="test",
                                      message_id=f"<{n}@example.org>")
                        for n, address in enumerate((jose, maria))])
    db.session.flush()
    db.session.expire_all()
    with Operations.context(MigrationContext.configure(db.session.connection())):
        _migration("0045_composed_addresses").upgrade()
    db.session.expire_all()
    assert (account.email, account.person.email, nomination.email) == (jose, jose, jose)
    assert [g.email for g in db.session.scalars(select(Guest))] == [
        _nfc("ximená@universidad.example")]
    assert sorted(db.session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.template == "test"))) == sorted([jose, _nfd(maria)])
    assert twin.email == _nfd(maria)
    assert accounts.find_user_by_email(_nfd(jose)) is account


def test_the_addresses_people_had_before_are_kept_as_digests_from_their_history(
        make_person, coordinator):
    """Migration 0047: each address the registry's history says a person had before is kept
    as its digest; not that of an anonymised person, nor the address a person has now."""
    moved = make_person(email="first@undp.org")
    registry.update_person(moved, {"email": "Second@undp.org"}, actor=coordinator, now=NOW)
    registry.update_person(moved, {"email": "third@undp.org"}, actor=coordinator, now=NOW)
    back = make_person(email="home@undp.org")
    registry.update_person(back, {"email": "away@undp.org"}, actor=coordinator, now=NOW)
    registry.update_person(back, {"email": "HOME@undp.org"}, actor=coordinator, now=NOW)
    gone = make_person(email="gone@undp.org")
    registry.update_person(gone, {"email": "gone.too@undp.org"}, actor=coordinator, now=NOW)
    gone.anonymised_at = NOW
    make_person(email="never.moved@undp.org")
    db.session.flush()
    with Operations.context(MigrationContext.configure(db.session.connection())):
        migration = _migration("0047_former_addresses")
        migration.downgrade()  # as before: no table, only the history
        migration.upgrade()
    db.session.expire_all()
    assert sorted((row.person_id, row.digest) for row in db.session.scalars(
        select(FormerAddress))) == sorted([
            (moved.id, address_digest("first@undp.org")),
            (moved.id, address_digest("second@undp.org")),
            (back.id, address_digest("away@undp.org"))])
