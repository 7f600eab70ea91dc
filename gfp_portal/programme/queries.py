"""What the programme's pages read: a session's agenda with its presenters, its invitation
links and its guests, and the choices of presenters."""
from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import selectinload

from gfp_portal.accounts.models import Role, User, UserRole
from gfp_portal.attendance.queries import session_and_place, session_and_place_statement
from gfp_portal.core.i18n import collation_key
from gfp_portal.core.search import fold
from gfp_portal.extensions import db
from gfp_portal.programme.models import (
    AgendaItem,
    AgendaPresenter,
    Guest,
    GuestInvitation,
    GuestPlaceStatus,
    GuestRegistration,
)
from gfp_portal.registry.models import Person, name_key_of
from gfp_portal.sessions.models import TrainingSession

# Built once (the session page reads it on every view): its loader options cost more to build
# than the statement takes to run.
_AGENDA = (select(AgendaItem).where(AgendaItem.session_id == bindparam("session_id"))
           .options(selectinload(AgendaItem.presenters).options(
               selectinload(AgendaPresenter.person).selectinload(Person.entity),
               selectinload(AgendaPresenter.user).selectinload(User.person),
               selectinload(AgendaPresenter.guest)))
           .order_by(AgendaItem.position, AgendaItem.id))


def agenda_of(session):
    """The items in their order, presenters loaded (three queries at most)."""
    return db.session.scalars(_AGENDA, {"session_id": session.id}).all()


# The session page's statement: the session, the viewer's place in it, and whether it has an
# agenda (most sessions have none, and then none is read).
_SESSION_PAGE = session_and_place_statement(
    exists().where(AgendaItem.session_id == TrainingSession.id))


def session_page(session_id, person):
    """(the session, the viewer's Place in it, whether it has an agenda), in one statement;
    (None, None, False) when there is no such session. The page reads the agenda (agenda_of)
    only when there is one, once it knows the viewer may see the session."""
    session, place, more = session_and_place(session_id, person, _SESSION_PAGE)
    return session, place, bool(more and more[0])


def item_of(session, item_id):
    return db.session.scalars(select(AgendaItem).where(
        AgendaItem.session_id == session.id, AgendaItem.id == item_id)).first()


def staff_choices():
    """(id, name) of the Office's active coordinators and admins, in the order of names the
    registry lists them in for the reader (name_order); an account without a person by its
    address."""
    users = db.session.scalars(
        select(User).where(User.is_active.is_(True), User.id.in_(
            select(UserRole.user_id).where(UserRole.role.in_([Role.coordinator, Role.admin]))))
        .options(selectinload(User.person))).all()
    ordered = sorted(users, key=lambda u: (name_key_of(u.person) if u.person else fold(u.email),
                                           u.id))
    return [(u.id, u.display_name) for u in ordered]


def guest_choices(session):
    """(id, "name, organisation") of the guests an item of `session` may name, by name as the
    reader's language sorts (_by_name): those with a place at the session and those who
    present at any session."""
    chosen = db.session.scalars(select(Guest).where(
        Guest.id.in_(select(GuestRegistration.guest_id).where(
            GuestRegistration.session_id == session.id,
            GuestRegistration.status == GuestPlaceStatus.registered))
        | Guest.id.in_(select(AgendaPresenter.guest_id).where(
            AgendaPresenter.guest_id.is_not(None))))).all()
    return [(g.id, f"{g.name}, {g.organisation}") for g in _by_name(chosen, lambda g: g)]


def users_by_ids(ids):
    return db.session.scalars(select(User).where(User.id.in_(ids or [-1]))).all()


def guests_by_ids(ids):
    return db.session.scalars(select(Guest).where(Guest.id.in_(ids or [-1]))).all()


def invitations_of(session):
    """The session's invitation links, newest first, with the places taken of each."""
    taken = (select(func.count(GuestRegistration.id))
             .where(GuestRegistration.invitation_id == GuestInvitation.id,
                    GuestRegistration.status == GuestPlaceStatus.registered)
             .scalar_subquery())
    return db.session.execute(
        select(GuestInvitation, taken).where(GuestInvitation.session_id == session.id)
        .order_by(GuestInvitation.created_at.desc(), GuestInvitation.id.desc())).all()


def invitation_of(session, invitation_id):
    return db.session.scalars(select(GuestInvitation).where(
        GuestInvitation.session_id == session.id, GuestInvitation.id == invitation_id)).first()


def guests_of(session, *, registered_only=False):
    """The guests who asked for a place (not cancelled), by name as the reader's language
    sorts (_by_name)."""
    statuses = [GuestPlaceStatus.registered] if registered_only else \
        [GuestPlaceStatus.registered, GuestPlaceStatus.pending]
    return _by_name(db.session.scalars(
        select(GuestRegistration).where(GuestRegistration.session_id == session.id,
                                        GuestRegistration.status.in_(statuses))
        .options(selectinload(GuestRegistration.guest))).all(), lambda place: place.guest)


def _by_name(items, guest_of):
    """`items` in the order of the names of their guests (`guest_of(item)`), case and
    accents ignored at first as the reader's language sorts; a guest keeps no folded key of
    the name, and one session's guests are few."""
    return sorted(items, key=lambda item: (collation_key(guest_of(item).name), item.id))


def guest_place(session, registration_id):
    return db.session.scalars(select(GuestRegistration).where(
        GuestRegistration.session_id == session.id,
        GuestRegistration.id == registration_id)).first()
