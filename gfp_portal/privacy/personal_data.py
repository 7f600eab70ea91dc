"""Everything the portal holds about a person, as one document: the JSON file they download
(/me/data.json) and the readable summary (/me/data, or a coordinator's from the registry):
their account, their record, appointments, registrations with what came of them, evaluations
given (not the answers, which are kept apart from who gave them), nominations about them or by
them, and the emails sent to them (not their bodies, which may carry access links): under an
address they had before too, found as anonymising finds it. Never a password hash, a token or
a link that grants access. Each export and summary is audited."""
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from gfp_portal.accounts.queries import account_of
from gfp_portal.attendance.models import Attendance, Certificate, EvaluationResponse
from gfp_portal.core.audit import log_action
from gfp_portal.core.i18n import LANGUAGES
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.nominations.models import Nomination
from gfp_portal.privacy.anonymise import addresses_of, nominations_about
from gfp_portal.registry.models import Appointment
from gfp_portal.sessions.models import Registration, TrainingSession


def _when(value):
    return value.isoformat() if value is not None else None


def _value(value):
    return getattr(value, "value", value)


def _account(user):
    return {"email": user.email, "roles": sorted(role.value for role in user.roles),
            "language": user.locale, "time_zone": user.time_zone, "active": user.is_active,
            "created_at": _when(user.created_at), "activated_at": _when(user.activated_at),
            "last_sign_in_at": _when(user.last_login_at),
            "calendar_feed": user.calendar_token_hash is not None}


def _person(person):
    return {"given_name": person.given_name, "family_name": person.family_name,
            "email": person.email, "phone": person.phone,
            "position_title": person.position_title, "grade": person.grade,
            "entity": person.entity.acronym if person.entity else None,
            "duty_station": str(person.duty_station) if person.duty_station else None,
            "preferred_language": person.preferred_language, "time_zone": person.time_zone,
            "directory_consent": person.directory_consent,
            "created_at": _when(person.created_at)}


def _appointments(person):
    rows = db.session.scalars(
        select(Appointment).where(Appointment.person_id == person.id)
        .options(selectinload(Appointment.entity), selectinload(Appointment.unct))
        .order_by(Appointment.start_date, Appointment.id)).all()
    return [{"role": _value(a.role), "entity": a.entity.acronym,
             "scope": a.unct.iso3 if a.unct else "headquarters", "status": _value(a.status),
             "start_date": _when(a.start_date), "end_date": _when(a.end_date),
             "ended_on": _when(a.ended_on), "end_reason": _value(a.end_reason),
             "time_share": a.time_share, "terms_of_reference_on_file": a.tor_on_file,
             "appointed_by": a.appointed_by_name, "appointed_by_title": a.appointed_by_title}
            for a in rows]


def _titles(session):
    """The session's title in each language it has one in (the summary reads the reader's)."""
    return {code: title for code in LANGUAGES
            if (title := getattr(session, f"title_{code}", None))}


def _registrations(person):
    rows = db.session.execute(
        select(Registration, TrainingSession, Attendance, Certificate)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .outerjoin(Certificate, Certificate.registration_id == Registration.id)
        .where(Registration.person_id == person.id)
        .order_by(TrainingSession.starts_at, Registration.id)).all()
    return [{"session": session.title_en, "session_titles": _titles(session),
             "starts_at": _when(session.starts_at),
             "status": _value(registration.status),
             "registered_at": _when(registration.registered_at),
             "waitlisted_at": _when(registration.waitlisted_at),
             "cancelled_at": _when(registration.cancelled_at),
             "attendance": None if mark is None else {
                 "status": _value(mark.status), "minutes": mark.minutes,
                 "source": _value(mark.source)},
             "certificate": None if certificate is None else {
                 "code": certificate.code, "issued_at": _when(certificate.issued_at),
                 "revoked_at": _when(certificate.revoked_at)}}
            for registration, session, mark, certificate in rows]


def _evaluations(person):
    return [{"session": session.title_en, "session_titles": _titles(session),
             "given_on": _when(day)} for session, day in db.session.execute(
        select(TrainingSession, EvaluationResponse.submitted_on)
        .join(TrainingSession, TrainingSession.id == EvaluationResponse.session_id)
        .where(EvaluationResponse.person_id == person.id)
        .order_by(EvaluationResponse.submitted_on))]


def _nominations(user, person, addresses):
    """Those `user` made, and those about `person` (linked to their record, or made under
    one of their `addresses`), as anonymising finds them."""
    conditions = [Nomination.nominator_id == user.id] if user is not None else [false()]
    if person is not None:
        conditions.append(nominations_about(person, addresses))
    rows = db.session.scalars(
        select(Nomination).where(or_(*conditions))
        .options(selectinload(Nomination.entity), selectinload(Nomination.unct))
        .order_by(Nomination.submitted_at, Nomination.id)).all()
    return [{"kind": _value(n.kind), "state": _value(n.state), "role": _value(n.role),
             "entity": n.entity.acronym if n.entity else None,
             "scope": n.unct.iso3 if n.unct else "headquarters",
             "nominee": f"{n.given_name} {n.family_name}",
             "by_me": user is not None and n.nominator_id == user.id,
             "submitted_at": _when(n.submitted_at)} for n in rows]


def _emails(addresses):
    """The emails sent to any of `addresses`, however their capitals were typed (an address
    is one whatever its case, as anonymising finds it)."""
    rows = db.session.scalars(
        select(OutboxMessage).where(func.lower(OutboxMessage.recipient).in_(
            sorted({address.lower() for address in addresses})))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    return [{"subject": m.subject, "language": m.locale, "kind": m.template,
             "status": _value(m.status),
             "created_at": _when(m.created_at), "sent_at": _when(m.sent_at)} for m in rows]


def personal_data(*, user=None, person=None, now):
    """The document about the account `user` and its person, or about `person` (with their
    account, if any). It writes no audit event: the services below do."""
    if user is not None:
        person = user.person
    elif person is not None:
        user = account_of(person)
    # Every address they are known by, one they had before too, as anonymising finds them:
    # what was written to it is theirs.
    addresses = addresses_of(person, user) if person is not None else \
        [user.email.lower()] if user is not None else []
    return {
        "exported_at": now.isoformat(),
        "account": _account(user) if user else None,
        "person": _person(person) if person else None,
        "appointments": _appointments(person) if person else [],
        "registrations": _registrations(person) if person else [],
        "evaluations_given": _evaluations(person) if person else [],
        "nominations": _nominations(user, person, addresses),
        "emails": _emails(addresses),
    }


def export_own_data(user, *, now):
    """The signed-in person's JSON file, and the audit event of its export."""
    document = personal_data(user=user, now=now)
    log_action("user.data_export", user, actor=user, now=now)
    return document


def own_summary(user, *, now, audited=True):
    """The signed-in person's readable summary, audited like the file; not `audited` when
    nobody is shown it (a HEAD: a link checker, a browser's prefetch)."""
    document = personal_data(user=user, now=now)
    if audited:
        log_action("user.data_summary", user, actor=user, now=now)
    return document


def summary_for(person, *, actor, now, audited=True):
    """A person's summary produced by a coordinator (for a request made to the Office): the
    audit names who produced it; not `audited` when nobody is shown it (a HEAD)."""
    document = personal_data(person=person, now=now)
    if audited:
        log_action("person.data_summary", person, actor=actor, now=now)
    return document
