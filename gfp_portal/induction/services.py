"""Induction rules: who is put on the path (a person's first appointment, from any path: the
registry announces it), the documents they open, the terms of reference they tick as read,
and the path's completion."""
from datetime import timedelta
from weakref import WeakKeyDictionary

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from gfp_portal.core.audit import log_action
from gfp_portal.core.db import kept_for_transaction, on_postgresql, utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.settings import get_setting, update_settings
from gfp_portal.extensions import db
from gfp_portal.induction.models import InductionOpening, InductionPath
from gfp_portal.registry.models import Appointment
from gfp_portal.registry.signals import appointment_started
from gfp_portal.resources.signals import resource_deleting, resource_renamed

DEFAULT_SETTINGS = {
    # The library resource (its address) that holds the terms of reference of focal points.
    "induction.terms_of_reference": "terms-of-reference",
    # The key guidelines a new focal point opens in their language (addresses in the library).
    "induction.key_guidelines": ["enabling-environment-guidelines",
                                 "field-specific-enabling-environment-guidelines"],
    # An appointment that started longer ago than this (an import of the registry as it
    # stands) is not a new appointment: it starts no induction.
    "induction.recent_days": 180,
}


def path_of(person):
    if person is None or person.id is None:
        return None
    return db.session.scalar(select(InductionPath).where(InductionPath.person_id == person.id))


# The paths started in this database session and not yet flushed (an import's batch flushes
# at its end): person -> path.
_STARTED = "induction.started"
kept_for_transaction(_STARTED)


def _held_another_appointment(appointment):
    """Whether the person held an appointment before this one, read without flushing (in an
    import's batch nothing new is flushed yet) and without loading their appointments."""
    person = appointment.person
    if person.id is None:
        return False
    return db.session.scalar(select(Appointment.id).where(
        Appointment.person_id == person.id,
        Appointment.id != (appointment.id or 0)).limit(1)) is not None


def start_path(appointment, *, now=None):
    """Put the person appointed by `appointment` on the induction path, unless they already
    are; returns the path, or None when they were on it already."""
    now = now or utcnow()
    started = db.session.info.setdefault(_STARTED, WeakKeyDictionary())
    person = appointment.person
    if person in started:
        return None
    with db.session.no_autoflush:
        if path_of(person) is not None:
            return None
    path = InductionPath(person=person, appointment=appointment, started_at=now)
    db.session.add(path)
    started[person] = path
    return path


@appointment_started.connect
def _offer_induction(appointment, *, renewal, now, **extra):
    """A newly appointed focal point or alternate is offered the induction path: their first
    appointment only, never a renewal, and not a term that started long ago (the registry as
    it stood, imported)."""
    if renewal:
        return
    with db.session.no_autoflush:
        if _held_another_appointment(appointment):
            return
    recent = timedelta(days=int(get_setting("induction.recent_days")))
    if appointment.start_date < (now - recent).date():
        return
    start_path(appointment, now=now)


def has_opened(path, resource):
    """Whether the person on `path` has opened `resource` already."""
    return db.session.scalar(select(InductionOpening.id).where(
        InductionOpening.path_id == path.id,
        InductionOpening.resource_id == resource.id)) is not None


def record_opening(person, resource, language, *, now=None):
    """The person opened `resource` (a download of one of its language versions): kept when
    they are on the path and it is one of its documents. Returns whether it was kept."""
    if resource.slug not in document_slugs():
        return False
    path = path_of(person)
    if path is None or path.completed_at is not None:
        return False
    if has_opened(path, resource):
        return False
    # Fetched twice at once (a PDF viewer's second request): the first opening is kept.
    insert = postgresql.insert if on_postgresql() else sqlite.insert
    return db.session.scalar(insert(InductionOpening).values(
        path_id=path.id, resource_id=resource.id, language=language,
        opened_at=now or utcnow()).on_conflict_do_nothing(
            index_elements=["path_id", "resource_id"]).returning(InductionOpening.id)) \
        is not None


@resource_renamed.connect
def follow_renamed_document(resource, *, before, actor, now, **_extra):
    """The induction path names its documents by address: a document given a new one stays
    on the path (the settings follow it, audited as any change of them)."""
    terms = get_setting("induction.terms_of_reference")
    guidelines = get_setting("induction.key_guidelines")
    changed = {}
    if terms == before:
        changed["induction.terms_of_reference"] = resource.slug
    if before in guidelines:
        changed["induction.key_guidelines"] = [resource.slug if slug == before else slug
                                               for slug in guidelines]
    if changed:
        update_settings(changed, actor=actor, now=now)


@resource_deleting.connect
def forget_openings(resource, **_extra):
    """A deleted document's openings go with it: a later resource at its address (or, on
    SQLite, given its id) is not opened by anyone yet."""
    db.session.execute(delete(InductionOpening).where(
        InductionOpening.resource_id == resource.id))


def document_slugs():
    """The addresses of the path's documents: the terms of reference, the key guidelines."""
    slugs = set(get_setting("induction.key_guidelines") or [])
    if get_setting("induction.terms_of_reference"):
        slugs.add(get_setting("induction.terms_of_reference"))
    return slugs


def mark_terms_read(path, progress, *, actor, now=None):
    """The person ticks that they have read the terms of reference, which they must have
    opened first."""
    step = progress.terms_step
    if step is None:
        raise DomainError("no_terms", _l("No terms of reference are set for the induction."))
    if path.terms_read_at is not None:
        return False
    if not step.opened:
        raise DomainError("terms_not_opened", _l(
            "Open the terms of reference first, then tick that you have read them."))
    path.terms_read_at = now or utcnow()
    log_action("induction.terms_read", path, actor=actor, now=now)
    db.session.flush()
    return True


def mark_completed(path, progress, *, now=None):
    """Record the completion of a path whose every step is done; returns whether it changed."""
    if path.completed_at is not None or not progress.complete:
        return False
    path.completed_at = now or utcnow()
    log_action("induction.complete", path, actor=None, now=now)
    return True
