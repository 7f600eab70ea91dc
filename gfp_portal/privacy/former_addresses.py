"""The addresses a person had before: recorded, as digests, when the registry changes a
person's address, and found again, in clear, where the portal wrote them (the outbox, the
nominations and requests to join, the guests), when the person is anonymised. The registry's
history says the same until the audit details period empties it; the emails sent to the
earlier address, and a request to join made under it, outlive that history."""
from sqlalchemy import delete, func, select

from gfp_portal.core.db import utcnow
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.core.tokens import digest
from gfp_portal.extensions import db
from gfp_portal.nominations.models import Nomination
from gfp_portal.privacy.models import FormerAddress
from gfp_portal.programme.models import Guest
from gfp_portal.registry.signals import email_taking

# The columns that hold an address the portal wrote to or recorded for someone.
_WRITTEN_TO = (OutboxMessage.recipient, Nomination.email, Guest.email)


def address_digest(address):
    return digest(address.strip().lower())


@email_taking.connect
def remember_former_address(person, *, email, before, **_extra):
    """The address a person already saved leaves: its digest is kept with the person."""
    if person.id is None or not before or before.strip().lower() == email.strip().lower():
        return
    kept = address_digest(before)
    with db.session.no_autoflush:
        known = db.session.scalar(select(FormerAddress.id).where(
            FormerAddress.person_id == person.id, FormerAddress.digest == kept))
    if known is None:
        db.session.add(FormerAddress(person_id=person.id, digest=kept, recorded_at=utcnow()))


def former_addresses(person):
    """The addresses, in lower case, that `person` had before and that the portal still
    holds somewhere. Each address held is compared by its digest: only for the few people
    whose address the registry changed."""
    digests = set(db.session.scalars(select(FormerAddress.digest).where(
        FormerAddress.person_id == person.id)))
    if not digests:
        return set()
    found = set()
    for column in _WRITTEN_TO:
        for address in db.session.scalars(select(func.lower(column)).where(
                column.is_not(None)).distinct()):
            if address_digest(address) in digests:
                found.add(address.strip())
    return found


def forget_former_addresses(person):
    """The person is anonymised: nothing is left to find."""
    db.session.execute(delete(FormerAddress).where(FormerAddress.person_id == person.id))
