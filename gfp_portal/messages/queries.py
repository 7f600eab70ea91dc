"""Who a message reaches, built as one statement from its filters (never person by person),
and what the composer, the archive and the Office's pages read."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, literal, select

from gfp_portal.accounts.models import User
from gfp_portal.attendance.models import ATTENDED, Attendance
from gfp_portal.core.db import utcnow
from gfp_portal.core.i18n import LANGUAGES, language_name
from gfp_portal.core.jobs import Job, JobState
from gfp_portal.core.outbox import MailStatus, OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.messages.models import (
    MessageKind,
    MessageRecipient,
    MessageStatus,
    NetworkMessage,
    NewsletterOptOut,
)
from gfp_portal.parity.queries import entities_below_parity
from gfp_portal.reference.models import Entity, EntityType, Region, Unct
from gfp_portal.registry.models import Appointment, AppointmentRole, AppointmentStatus, Person
from gfp_portal.sessions.models import Registration, TrainingSession
from gfp_portal.sessions.topics import topic_by_key

# The account roles that open the archive (administrators pass every role check): the
# network's and the Office's. Its pages and the links to them follow it.
READERS = ("focal_point", "coordinator")

# The filters a message's audience may have, in the order the composer shows them.
FILTERS = ("role", "status", "entity", "entity_type", "unct", "region", "language",
           "not_attended", "below_parity")

# The recipient's language: their account's choice, else the registry's; English when the
# portal does not speak it.
_CHOSEN = func.coalesce(User.locale, Person.preferred_language)
LANGUAGE = case(*[(code == _CHOSEN, literal(code)) for code in LANGUAGES],
                else_=literal("en")).label("language")
OPTED_OUT = exists().where(NewsletterOptOut.person_id == Person.id)


def _appointment_filter(filters, today):
    """The people holding an appointment that matches every appointment filter at once. An
    active appointment is also one held on `today` whose end was entered ahead: its holder
    serves until their last day (Appointment.current_on). The status of a past term (ended,
    withdrawn) names the people who held it and hold no such appointment now: a renewal ends
    the previous term, and its holder still serves."""
    status = filters.get("status") or AppointmentStatus.active.value
    current = Appointment.current_on(today)
    if status == AppointmentStatus.active.value:
        return _holding(filters, current)
    return _holding(filters, Appointment.status == status).where(
        Appointment.person_id.not_in(_holding(filters, current)))


def _holding(filters, condition):
    """The people holding an appointment that meets `condition` and the other filters."""
    stmt = select(Appointment.person_id).where(condition)
    if filters.get("role"):
        stmt = stmt.where(Appointment.role == filters["role"])
    if filters.get("entity"):
        stmt = stmt.where(Appointment.entity_id == int(filters["entity"]))
    if filters.get("entity_type"):
        stmt = stmt.where(Appointment.entity_id.in_(
            select(Entity.id).where(Entity.type == filters["entity_type"])))
    if filters.get("unct") == "HQ":
        stmt = stmt.where(Appointment.unct_id.is_(None))
    elif filters.get("unct"):
        stmt = stmt.where(Appointment.unct_id.in_(
            select(Unct.id).where(Unct.iso3 == filters["unct"])))
    if filters.get("region"):
        stmt = stmt.where(Appointment.unct_id.in_(
            select(Unct.id).where(Unct.region == filters["region"])))
    if filters.get("below_parity"):
        # One query for the entities below the range, then part of the same statement.
        stmt = stmt.where(Appointment.entity_id.in_(sorted(entities_below_parity()) or [-1]))
    return stmt


def audience(filters, *, today=None, columns=None):
    """A statement of the people `filters` names on `today` (the server's by default), before
    any newsletter opt-out: by default (person id, email, language). Anonymised people are in
    none: their address is erased."""
    stmt = select(*(columns or (Person.id, Person.email, LANGUAGE))).select_from(Person) \
        .outerjoin(User, User.person_id == Person.id) \
        .where(Person.id.in_(_appointment_filter(filters, today or utcnow().date())),
               Person.anonymised_at.is_(None))
    if filters.get("language"):
        stmt = stmt.where(filters["language"] == LANGUAGE)
    if filters.get("not_attended"):
        stmt = stmt.where(~exists().where(
            Registration.person_id == Person.id,
            Attendance.registration_id == Registration.id,
            Attendance.status.in_(ATTENDED),
            Registration.session_id.in_(select(TrainingSession.id).where(
                TrainingSession.topic == filters["not_attended"]))))
    return stmt


def _recipients(message, *, pending, today, columns=None):
    stmt = audience(message.audience, today=today, columns=columns)
    if message.kind == MessageKind.newsletter:
        stmt = stmt.where(~OPTED_OUT)
    if pending:
        stmt = stmt.where(~exists().where(MessageRecipient.message_id == message.id,
                                          MessageRecipient.person_id == Person.id))
    return stmt


def recipients(message, *, pending=False, today=None):
    """(person id, email, language) of everyone the message goes to on `today`, by person id;
    with `pending`, only those it has not yet been queued for (no MessageRecipient row)."""
    return db.session.execute(_recipients(message, pending=pending, today=today)
                              .order_by(Person.id)).all()


def pending_count(message, *, today=None):
    """How many people of the message's audience on `today` it has not yet been queued for."""
    people = _recipients(message, pending=True, today=today, columns=(Person.id,)).subquery()
    return db.session.scalar(select(func.count()).select_from(people))


def queued_count(message):
    """How many people the message has been queued for (its MessageRecipient rows)."""
    return db.session.scalar(select(func.count()).select_from(MessageRecipient)
                             .where(MessageRecipient.message_id == message.id))


def stopped(message_ids):
    """The ids among `message_ids` of the messages whose sending stopped (as
    services.sending_stopped says: still being sent, their job ended or gone), in one query."""
    if not message_ids:
        return set()
    return set(db.session.scalars(
        select(NetworkMessage.id).outerjoin(Job, Job.id == NetworkMessage.job_id)
        .where(NetworkMessage.id.in_(message_ids),
               NetworkMessage.status == MessageStatus.sending,
               Job.id.is_(None) | Job.state.in_((JobState.done, JobState.failed)))))


def sending_job(message):
    """The job sending `message` (the last one started), or None when there is none (never
    started, or its row is gone)."""
    return db.session.get(Job, message.job_id) if message.job_id else None


@dataclass(frozen=True)
class Preview:
    """How many people a message reaches: per language they read, how many of those get the
    English text because the message has none in theirs, and how many opted out."""
    by_language: dict  # {language: people whose language it is}
    fallback: int  # of those, people getting English instead
    opted_out: int  # newsletter only: people left out by their choice

    @property
    def total(self):
        return sum(self.by_language.values())


def preview(message, *, today=None):
    """The counts of `message`'s audience on `today` in one grouped query."""
    opted = OPTED_OUT if message.kind == MessageKind.newsletter else literal(False)
    people = audience(message.audience, today=today, columns=(
        Person.id, LANGUAGE, case((opted, 1), else_=0).label("opted"))).subquery()
    rows = db.session.execute(
        select(people.c.language, people.c.opted, func.count())
        .group_by(people.c.language, people.c.opted)).all()
    by_language = dict.fromkeys(LANGUAGES, 0)
    opted_out = 0
    for language, is_opted, count in rows:
        if is_opted:
            opted_out += count
        else:
            by_language[language] += count
    fallback = sum(n for code, n in by_language.items()
                   if code != "en" and not message.has_language(code))
    return Preview(by_language, fallback, opted_out)


def counts_of(preview_):
    """The counts kept on a sent message (plain data)."""
    return {**preview_.by_language, "fallback": preview_.fallback,
            "opted_out": preview_.opted_out}


def sent_messages():
    """The archive's statement: sent messages (and those being sent), newest first."""
    return select(NetworkMessage).where(NetworkMessage.status != MessageStatus.draft) \
        .order_by(NetworkMessage.sent_at.desc(), NetworkMessage.id.desc())


def drafts():
    """The Office's drafts, last changed first."""
    return db.session.scalars(
        select(NetworkMessage).where(NetworkMessage.status == MessageStatus.draft)
        .order_by(NetworkMessage.updated_at.desc(), NetworkMessage.id.desc())).all()


def delivery(message_ids):
    """{message id: {"queued": n, "sent": n, "failed": n}} from the outbox, one query."""
    result = {message_id: dict.fromkeys(MailStatus, 0) for message_id in message_ids}
    if not message_ids:
        return result
    rows = db.session.execute(
        select(MessageRecipient.message_id, OutboxMessage.status, func.count())
        .join(OutboxMessage, OutboxMessage.id == MessageRecipient.outbox_message_id)
        .where(MessageRecipient.message_id.in_(message_ids))
        .group_by(MessageRecipient.message_id, OutboxMessage.status)).all()
    for message_id, status, count in rows:
        result[message_id][status] = count
    return result


_FILTER_LABELS = {
    "role": _l("Role"), "status": _l("Appointment status"), "entity": _l("Entity"),
    "entity_type": _l("Type of entity"), "unct": _l("UN Country Team"), "region": _l("Region"),
    "language": _l("Language of the recipients"),
    "not_attended": _l("Has not yet attended a session on"),
    "below_parity": _l("Only entities below the parity range"),
}
_FILTER_ENUMS = {"role": AppointmentRole, "status": AppointmentStatus,
                 "entity_type": EntityType, "region": Region}


def audience_lines(filters):
    """[(label, value)] saying in words, in the reader's language, who a message is for (a
    query for a named entity, UN Country Team or topic, at most one each)."""
    lines = []
    for name in FILTERS:
        value = filters.get(name)
        if name == "status" and not value:
            value = AppointmentStatus.active.value
        if not value:
            continue
        if name in _FILTER_ENUMS:
            shown = _FILTER_ENUMS[name](value).title
        elif name == "not_attended":
            topic = topic_by_key(value)
            shown = topic.title if topic else value
        elif name == "entity":
            entity = db.session.get(Entity, int(value))
            shown = entity.acronym if entity else value
        elif name == "unct":
            unct = None if value == "HQ" else db.session.scalars(
                select(Unct).where(Unct.iso3 == value)).first()
            shown = _l("Headquarters") if value == "HQ" else (unct.name if unct else value)
        elif name == "language":
            shown = language_name(value)
        else:
            shown = _l("Yes")
        lines.append((_FILTER_LABELS[name], shown))
    return lines


def newsletter_emails_of(person):
    """The statement of the ids of the outbox messages of newsletters queued for `person`
    (whatever their state)."""
    return select(MessageRecipient.outbox_message_id).join(
        NetworkMessage, NetworkMessage.id == MessageRecipient.message_id).where(
        MessageRecipient.person_id == person.id,
        NetworkMessage.kind == MessageKind.newsletter,
        MessageRecipient.outbox_message_id.is_not(None))


def is_opted_out(person):
    return db.session.get(NewsletterOptOut, person.id) is not None

