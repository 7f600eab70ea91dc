"""The signed-in user of a request, a person's account, and what a user may see: the Resident
Coordinator's scope of UN Country Teams."""
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from gfp_portal.accounts.models import User
from gfp_portal.core import data_version
from gfp_portal.extensions import db

# Built once, with its roles and person in the same round trip (nearly every page reads them),
# and the data version, which whatever the page reuses is kept under (core.data_version): a
# statement with loader options costs more to build and key for the cache than to run.
_USER_BY_SESSION_TOKEN = (select(User, data_version.number_column())
                          .where(User.session_token == bindparam("token"))
                          .options(joinedload(User.role_rows), joinedload(User.person)))


def active_user_by_session_token(token):
    """The active user whose sign-in carries `token`, or None."""
    row = db.session.execute(_USER_BY_SESSION_TOKEN, {"token": token}).unique().first()
    if row is None:
        return None
    user, number = row
    data_version.read_with(number)
    return user if user.is_active else None


def account_of(person):
    """The account of `person`, if they have one (one at most): found by the person, since the
    registry may have changed their address and not the one the account signs in with."""
    return db.session.scalars(select(User).where(User.person_id == person.id)).first()


def visible_uncts(user):
    """The UN Country Teams `user` may see: None for the Office (every team), else the
    Resident Coordinator's own teams."""
    return None if user.is_staff else list(user.uncts)


def visible_unct_ids(user):
    """The ids of `visible_uncts(user)`: None for the Office (every team)."""
    uncts = visible_uncts(user)
    return None if uncts is None else tuple(u.id for u in uncts)


def visible_unct_choices(user, choices):
    """The (iso3, name) choices among the teams `user` may see."""
    uncts = visible_uncts(user)
    if uncts is None:
        return choices
    own = {u.iso3 for u in uncts}
    return [pair for pair in choices if pair[0] in own]
