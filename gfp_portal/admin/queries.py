"""Read-only queries behind the admin pages and the coordinator dashboard."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from gfp_portal.accounts.models import User, UserRole
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.outbox import MailStatus, OutboxMessage, count_by_status
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry.models import Person


def dashboard_counts():
    mails = count_by_status()
    return {
        "people": db.session.scalar(select(func.count(Person.id))),
        "entities": db.session.scalar(select(func.count(Entity.id))),
        "uncts": db.session.scalar(select(func.count(Unct.id))),
        "accounts": db.session.scalar(select(func.count(User.id)).where(User.is_active)),
        "mail_queued": mails[MailStatus.queued],
        "mail_failed": mails[MailStatus.failed],
    }


def users_query(q=None, role=None, status=None):
    stmt = (select(User).outerjoin(User.person)
            .options(selectinload(User.uncts), selectinload(User.person))
            .order_by(func.lower(User.email)))
    if q:
        needle = q.strip().lower()
        stmt = stmt.where(or_(func.lower(User.email).contains(needle, autoescape=True),
                              func.lower(Person.given_name).contains(needle, autoescape=True),
                              func.lower(Person.family_name).contains(needle, autoescape=True)))
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if status == "active":
        stmt = stmt.where(User.is_active)
    elif status == "invited":
        stmt = stmt.where(~User.is_active, User.deactivated_at.is_(None))
    elif status == "deactivated":
        stmt = stmt.where(~User.is_active, User.deactivated_at.is_not(None))
    return stmt


def outbox_query(status=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return stmt


def audit_query(object_type=None, action=None):
    stmt = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    return stmt
