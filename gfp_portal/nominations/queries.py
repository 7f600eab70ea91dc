"""Reading nominations: the list a viewer may see, filtered, with what the page shows."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, lazyload

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.nominations.models import (
    OPEN_STATES,
    PENDING_STATES,
    Nomination,
    NominationKind,
    NominationState,
)
from gfp_portal.reference.models import Entity, Unct


@dataclass
class NominationFilter:
    state: str | None = None
    unct: str | None = None       # ISO3, or "HQ"
    entity: str | None = None     # acronym
    older_than: int | None = None  # days since submission
    kind: str | None = None


def visible_to(stmt, user):
    """Staff see every nomination; a Resident Coordinator those of the UN Country Teams they
    lead now (services.may_view): a team's nominations stay with the team."""
    if user.is_staff:
        return stmt
    return stmt.where(Nomination.unct_id.in_([u.id for u in user.uncts]))


def open_about(person_id, email):
    """The condition on nominations and requests to join still open (OPEN_STATES) about a
    person: naming them by their record (`person_id`) or by their address (`email`, whatever
    its case). Both may be columns of an outer query (a person of a list) or values."""
    return and_(Nomination.state.in_(OPEN_STATES),
                or_(Nomination.person_id == person_id,
                    func.lower(Nomination.email) == func.lower(email)))


def first_open_about(person_id, addresses):
    """The earliest nomination or request to join still open about a person, named by their
    record (`person_id`) or by one of their `addresses` (in lower case), or None."""
    return db.session.scalars(select(Nomination).where(
        Nomination.state.in_(OPEN_STATES),
        or_(Nomination.person_id == person_id,
            func.lower(Nomination.email).in_(sorted(addresses))))
        .order_by(Nomination.submitted_at, Nomination.id).limit(1)).first()


def nominations_query(f, *, user, now):
    # The nominator's name is all the list shows of them: not their roles.
    return _filtered(select(Nomination), f, user=user, now=now).options(
        joinedload(Nomination.entity), joinedload(Nomination.unct),
        joinedload(Nomination.nominator).options(joinedload(User.person),
                                                 lazyload(User.role_rows))
    ).order_by(Nomination.submitted_at.desc(), Nomination.id.desc())


def nominations_count(f, *, user, now):
    """How many nominations nominations_query(f, ...) lists, counted on their rows alone."""
    return _filtered(select(func.count(Nomination.id)), f, user=user, now=now)


def _filtered(stmt, f, *, user, now):
    # An unconfirmed self-registration is nobody's business yet, not even the Office's.
    stmt = visible_to(stmt, user).where(Nomination.state != NominationState.unverified)
    if f.state == "pending":
        stmt = stmt.where(Nomination.state.in_(PENDING_STATES))
    elif f.state:
        stmt = stmt.where(Nomination.state == f.state)
    if f.unct == "HQ":
        stmt = stmt.where(Nomination.unct_id.is_(None))
    elif f.unct:
        stmt = stmt.where(Nomination.unct_id.in_(select(Unct.id).where(Unct.iso3 == f.unct)))
    if f.entity:
        stmt = stmt.where(Nomination.entity_id.in_(
            select(Entity.id).where(Entity.acronym == f.entity)))
    if f.kind:
        stmt = stmt.where(Nomination.kind == f.kind)
    if f.older_than is not None:
        stmt = stmt.where(Nomination.submitted_at <= now - timedelta(days=f.older_than))
    return stmt


def in_progress(unct_ids, *, headquarters=False):
    """(unct_id or None, entity_id, role) -> the earliest nomination or confirmed request to
    join waiting for a decision there, for the given UN Country Teams (and headquarters), in
    one query (none when there is nothing to look up)."""
    unct_ids = list(unct_ids)
    if not unct_ids and not headquarters:
        return {}
    scope = Nomination.unct_id.in_(unct_ids)
    if headquarters:
        scope = scope | Nomination.unct_id.is_(None)
    rows = db.session.scalars(select(Nomination).where(
        scope, Nomination.state.in_(PENDING_STATES))
        .order_by(Nomination.submitted_at.desc(), Nomination.id.desc())).all()
    return {(n.unct_id, n.entity_id, n.role.value): n for n in rows}  # the earliest wins


def other_pending(nomination):
    """Other requests waiting for a decision for the same entity, scope and role."""
    scope = Nomination.unct_id == nomination.unct_id if nomination.unct_id else \
        Nomination.unct_id.is_(None)
    return db.session.scalars(select(Nomination).where(
        Nomination.id != nomination.id, Nomination.entity_id == nomination.entity_id, scope,
        Nomination.role == nomination.role, Nomination.state.in_(PENDING_STATES))
        .order_by(Nomination.submitted_at)).all()


def waiting_for_decision(kind):
    """The statement of (how many submitted nominations, or requests to join, wait for the
    Office's decision, when the oldest was submitted)."""
    return (select(func.count(), func.min(Nomination.submitted_at))
            .where(Nomination.state == NominationState.submitted, Nomination.kind == kind))


def pending_for_uncts(unct_ids):
    """The nominations and requests to join waiting for a decision or for changes in these
    UN Country Teams, the oldest first, with their nominators (whether the reader follows
    one up, and who made it when they did not: the Resident Coordinator's home)."""
    if not unct_ids:
        return []
    return db.session.scalars(select(Nomination).where(
        Nomination.unct_id.in_(unct_ids), Nomination.state.in_(PENDING_STATES))
        .options(joinedload(Nomination.entity), joinedload(Nomination.unct),
                 joinedload(Nomination.nominator).joinedload(User.person))
        .order_by(Nomination.submitted_at, Nomination.id)).all()


def open_made_by(user, unct_ids):
    """The nominations `user` made for these UN Country Teams that wait for a decision or for
    changes, by team then in the order they were submitted (one query)."""
    return db.session.scalars(select(Nomination).where(
        Nomination.nominator_id == user.id, Nomination.unct_id.in_(unct_ids),
        Nomination.kind == NominationKind.nomination, Nomination.state.in_(PENDING_STATES))
        .options(joinedload(Nomination.entity), joinedload(Nomination.unct))
        .order_by(Nomination.unct_id, Nomination.submitted_at, Nomination.id)).all()
