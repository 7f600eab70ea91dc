"""Retention periods: how long the portal keeps what it no longer needs, applied every day by
the job privacy.apply-retention.

Each period is a number of days, a setting the Office changes on the settings page; 0 keeps
forever. What each one removes, once older than its period:
- unconfirmed requests: requests to join whose email address was never confirmed (counted from
  the request), deleted with the emails sent about them (the link's own expiry purges them
  sooner; this period is the bound whatever the link's validity);
- contact data: people with no active appointment whose last term ended before the period are
  anonymised, exactly as a coordinator would (privacy.anonymise): their appointments,
  registrations and attendance stay, so the dashboard's figures do not change. People whose
  account still holds a role other than focal point (the Office, Resident Coordinators) are
  left alone;
- guest data: guests none of whose sessions (places and presentations) ended within the
  period are anonymised (privacy.anonymise.anonymise_guests): their places, attendance and
  certificates stay; a guest with neither is counted from when they were recorded;
- audit details: the changed fields and reason of older audit events are emptied; the events
  themselves (who did what, when, to which object) stay;
- mail bodies: sent emails lose their text, HTML and attachments; the outbox keeps who, when,
  the subject and the kind of email.
"""
from datetime import timedelta

from sqlalchemy import Text, cast, func, or_, select, update

from gfp_portal.accounts.models import Role, User, UserRole
from gfp_portal.accounts.queries import account_of
from gfp_portal.core.audit import AuditEvent, log_action
from gfp_portal.core.engine import engine
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.outbox import MailStatus, OutboxMessage
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.nominations.join import delete_unverified, unverified_before, unverified_where
from gfp_portal.nominations.models import Nomination
from gfp_portal.nominations.queries import open_about
from gfp_portal.privacy import anonymise
from gfp_portal.privacy.anonymise import anonymise_guests, anonymise_people
from gfp_portal.programme.models import AgendaItem, AgendaPresenter, Guest, GuestRegistration
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from gfp_portal.sessions.models import TrainingSession

DEFAULT_SETTINGS = {
    "privacy.unconfirmed_request_days": 30,
    "privacy.contact_data_days": 0,
    "privacy.guest_data_days": 0,
    "privacy.audit_detail_days": 0,
    "privacy.mail_body_days": 365,
}

# The periodic job that applies the periods (privacy/jobs.py), and the lock it holds.
DAILY_RUN = "privacy.apply-retention"

KINDS = ("unconfirmed_requests", "contact_data", "guest_data", "audit_details", "mail_bodies")

# People or guests anonymised in one go: the search through every text column runs once per
# group.
GROUP = 50


def _cutoff(key, now):
    days = get_setting(key) or 0
    return now - timedelta(days=int(days)) if days > 0 else None


def people_past_contact_retention(cutoff):
    """People not anonymised, with no active appointment, whose last term ended before
    `cutoff`, whose account (if any) holds no role but focal point, and who are not named by
    a nomination or a request to join still open, under their address or one they had before
    (coming back: the Office decides on it)."""
    active = select(Appointment.id).where(Appointment.person_id == Person.id,
                                          Appointment.status == AppointmentStatus.active)
    coming_back = select(Nomination.id).where(open_about(Person.id, Person.email))
    last_end = select(func.max(func.coalesce(Appointment.ended_on, Appointment.end_date,
                                             Appointment.start_date))) \
        .where(Appointment.person_id == Person.id).scalar_subquery()
    other_roles = select(UserRole.user_id).join(User, User.id == UserRole.user_id).where(
        User.person_id == Person.id, User.is_active.is_(True),
        UserRole.role != Role.focal_point)
    found = db.session.scalars(select(Person).where(
        Person.anonymised_at.is_(None), ~active.exists(), ~other_roles.exists(),
        ~coming_back.exists(), last_end < cutoff.date()).order_by(Person.id)).all()
    # A request made under an address the person had before is theirs too: the registry's
    # history tells which, person by person.
    return [person for person in found if anonymise.coming_back(
        person, account_of(person)) is None]


def guests_past_retention(cutoff):
    """Guests not anonymised whose sessions, as a guest or a presenter, all ended before
    `cutoff`; one with neither, recorded before it."""
    def sessions_of_guest(*ending):
        places = select(GuestRegistration.id).join(
            TrainingSession, TrainingSession.id == GuestRegistration.session_id).where(
            GuestRegistration.guest_id == Guest.id, *ending)
        presentations = select(AgendaPresenter.id).join(AgendaItem).join(
            TrainingSession, TrainingSession.id == AgendaItem.session_id).where(
            AgendaPresenter.guest_id == Guest.id, *ending)
        return places.exists() | presentations.exists()
    return db.session.scalars(select(Guest).where(
        Guest.anonymised_at.is_(None),
        ~sessions_of_guest(TrainingSession.ends_at >= cutoff),
        sessions_of_guest() | (Guest.created_at < cutoff)).order_by(Guest.id)).all()


def _audit_details_before(cutoff):
    """The audit events older than `cutoff` that still hold changed values or a reason."""
    return (AuditEvent.created_at < cutoff,
            or_(AuditEvent.reason.is_not(None),
                cast(AuditEvent.changes, Text).not_in(["{}", "null"])))


def _mail_bodies_before(cutoff):
    """The emails sent before `cutoff` whose text or attachments are still kept."""
    return (OutboxMessage.status == MailStatus.sent, OutboxMessage.sent_at < cutoff,
            or_(OutboxMessage.body_text != "", OutboxMessage.body_html.is_not(None),
                cast(OutboxMessage.parts, Text) != "[]"))


def _counted(where):
    def count(cutoff):
        return db.session.scalar(select(func.count()).where(*where(cutoff)))
    return count


# How many of what each period erases lie before a cutoff.
_ERASED_BEFORE = {
    "privacy.unconfirmed_request_days": _counted(unverified_where),
    "privacy.contact_data_days": lambda cutoff: len(people_past_contact_retention(cutoff)),
    "privacy.guest_data_days": lambda cutoff: len(guests_past_retention(cutoff)),
    "privacy.audit_detail_days": _counted(_audit_details_before),
    "privacy.mail_body_days": _counted(_mail_bodies_before),
}


def next_run(now):
    """When the daily run next applies the periods after `now`, by its schedule (UTC); None
    when its schedule names no moment within a year."""
    return engine().schedules[DAILY_RUN].next_run(now)


def newly_erased(values, *, now):
    """{setting key: how many} of the requests to join never confirmed the next daily run
    would delete, of the people and guests it would anonymise, and of the audit events and
    sent emails whose details or text it would empty, under the periods `values` (setting
    key: days) and not under the periods in force: what shortening a period erases for good,
    for its confirmation. Counted at the moment of that run, not at `now`: what ages past a
    period before it (who left 30 days ago, at 20:00, under 30 days) is erased by it too."""
    at = next_run(now) or now
    counts = {}
    for key, count_before in _ERASED_BEFORE.items():
        new, old = int(values.get(key) or 0), int(get_setting(key) or 0)
        if new > 0 and (old == 0 or new < old):
            before = count_before(at - timedelta(days=old)) if old > 0 else 0
            if (count := count_before(at - timedelta(days=new)) - before) > 0:
                counts[key] = count
    return counts


def purge_unconfirmed_requests(*, now):
    """(how many, memo keys to remove once committed)."""
    cutoff = _cutoff("privacy.unconfirmed_request_days", now)
    if cutoff is None:
        return 0, []
    return delete_unverified(unverified_before(cutoff))


def _anonymise_past(key, find, anonymise, now):
    """(how many anonymised, file keys to remove once committed): `find(cutoff)` gives those
    past the period of setting `key`, anonymised GROUP at a time."""
    cutoff = _cutoff(key, now)
    if cutoff is None:
        return 0, []
    found, keys = find(cutoff), []
    for start in range(0, len(found), GROUP):
        keys.extend(anonymise(found[start:start + GROUP], now=now))
    return len(found), keys


def clear_contact_data(*, now):
    """(how many people anonymised, file keys to remove once committed)."""
    return _anonymise_past("privacy.contact_data_days", people_past_contact_retention,
                           anonymise_people, now)


def clear_guest_data(*, now):
    """(how many guests anonymised, file keys to remove once committed)."""
    return _anonymise_past("privacy.guest_data_days", guests_past_retention, anonymise_guests,
                           now)


def empty_audit_details(*, now):
    cutoff = _cutoff("privacy.audit_detail_days", now)
    if cutoff is None:
        return 0
    return db.session.execute(update(AuditEvent).where(*_audit_details_before(cutoff))
        .values(changes={}, reason=None).execution_options(synchronize_session=False)).rowcount


def clear_mail_bodies(*, now):
    cutoff = _cutoff("privacy.mail_body_days", now)
    if cutoff is None:
        return 0
    return db.session.execute(update(OutboxMessage).where(*_mail_bodies_before(cutoff))
        .values(body_text="", body_html=None, parts=[])
        .execution_options(synchronize_session=False)).rowcount



def apply_retention(*, now):
    """Apply every period; returns ({kind: how many removed}, file keys to remove once
    committed). What was removed is audited (counts only)."""
    hold_lock(DAILY_RUN, now=now)
    requests, request_keys = purge_unconfirmed_requests(now=now)
    people, people_keys = clear_contact_data(now=now)
    guests, guest_keys = clear_guest_data(now=now)
    counts = {"unconfirmed_requests": requests, "contact_data": people, "guest_data": guests,
              "mail_bodies": clear_mail_bodies(now=now),
              "audit_details": empty_audit_details(now=now)}
    if any(counts.values()):
        log_action("privacy.retention", None, actor=None, now=now, object_type="system",
                   changes={kind: [None, counts[kind]] for kind in KINDS if counts[kind]})
    return counts, sorted({*request_keys, *people_keys, *guest_keys})
