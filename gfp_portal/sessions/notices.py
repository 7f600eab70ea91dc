"""Session emails with their calendar invitations, each in the recipient's language and zone."""
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from gfp_portal.accounts.models import User
from gfp_portal.core.i18n import mail_locale
from gfp_portal.core.outbox import make_part, queue_email
from gfp_portal.extensions import db
from gfp_portal.registry.queries import signing_in
from gfp_portal.sessions import ical
from gfp_portal.sessions.models import TrainingSession
from gfp_portal.sessions.times import spans

SUBJECTS = {
    "confirmed": _l("Registered: %(title)s"),
    "promoted": _l("A seat is free for you: %(title)s"),
    "updated": _l("Updated: %(title)s"),
    "cancelled": _l("Cancelled: %(title)s"),
    "withdrawn": _l("Registration cancelled: %(title)s"),
    "reminder": _l("Reminder: %(title)s"),
}
METHODS = {"confirmed": "REQUEST", "promoted": "REQUEST", "updated": "REQUEST",
           "cancelled": "CANCEL", "withdrawn": "CANCEL"}


def keep_invitation(registration, kind):
    """Note on `registration` (a person's or a guest's) the SEQUENCE that an email of `kind`
    carries, when it carries a calendar entry. A registration's `invited_sequence` is that of
    the last calendar email sent for it: an invitation, the cancellation of the session, or
    the cancellation of its place (a withdrawal, a removal). While it holds a place, that is
    the entry its calendar holds; once the place is cancelled, the CANCEL that an invitation
    to come back must outrank (outrank_cancellation)."""
    sequence = registration.session.ical_sequence
    if kind in METHODS and registration.invited_sequence != sequence:
        registration.invited_sequence = sequence


def outrank_cancellation(registration):
    """Before `registration`, which holds no place now, is given one and invited again: when
    the last calendar email it got (the cancellation of its place) carries the session's
    SEQUENCE, raise the session's SEQUENCE by one, so that the new invitation carries a
    higher one. Calendar clients (Outlook) ignore a REQUEST for a UID whose SEQUENCE is not
    above the CANCEL they applied for it. Nobody else is written to: the others registered
    keep the entry they hold, whose SEQUENCE is lower, until the next change reaches them
    (SEQUENCE need only grow); the notices of a change queued earlier still go only to whoever
    does not hold that change (not_yet_invited)."""
    session = registration.session
    if registration.invited_sequence is None or \
            registration.invited_sequence < session.ical_sequence:
        return
    # In the database, not from what this transaction read: concurrent raises each count.
    with db.session.no_autoflush:
        raised = db.session.execute(
            update(TrainingSession).where(TrainingSession.id == session.id)
            .values(ical_sequence=TrainingSession.ical_sequence + 1)
            .returning(TrainingSession.ical_sequence)
            .execution_options(synchronize_session=False)).scalar_one()
    set_committed_value(session, "ical_sequence", raised)


def keep_invitations(registrations):
    """keep_invitation for many registrations of one session that are each about to get its
    latest calendar entry: one UPDATE for them all rather than one for each."""
    if not registrations:
        return
    model, sequence = type(registrations[0]), registrations[0].session.ical_sequence
    db.session.execute(update(model).where(model.id.in_([r.id for r in registrations]))
                       .values(invited_sequence=sequence)
                       .execution_options(synchronize_session=False))
    for registration in registrations:
        set_committed_value(registration, "invited_sequence", sequence)


def not_yet_invited(registrations, since=None):
    """Those of `registrations` (holding a place) who do not hold their session's calendar
    entry of SEQUENCE `since` or a later one (its latest, when `since` is not given): an
    invitation, or the session's cancellation."""
    return [r for r in registrations if r.invited_sequence is None or r.invited_sequence < (
        r.session.ical_sequence if since is None else since)]


def uid_host():
    return (current_app.config.get("SERVER_NAME") or "gfp-portal.local").split(":")[0]


def organizer():
    return ical.Party(current_app.config["ORGANIZER_EMAIL"],
                      _("Office of the Focal Point for Women in the UN System"))


# What higher domains add to the description of an invitation (the programme: the agenda), as
# functions (session, language, zone name) -> lines of plain text; registered by their
# receiver modules. The feed and the add-to-calendar file leave them out.
INVITATION_EXTRAS = []


def texts(session, language, zone_name, readings=None, *, extras=False, join_link=True):
    """The event's summary, description and place in `language` (inside force_locale);
    `readings` are the session's times for `zone_name` as plain text (no isolate marks), when
    already worked out; `extras`: with what INVITATION_EXTRAS add; `join_link`: with the
    session's join link (for people registered for it)."""
    join_url = session.join_url if join_link else None
    described = session.text("description", language)
    lines = [described] if described else []
    lines.append(" · ".join(readings or spans(session, zone_name, language, isolate=False)))
    if extras:
        for extra in INVITATION_EXTRAS:
            lines.extend(extra(session, language, zone_name))
    if join_url:
        lines.append(_("Join online: %(url)s", url=join_url))
    if session.venue:
        lines.append(_("Venue: %(venue)s", venue=session.venue))
    # The description is in the language of what the session says of itself, which may be
    # English for want of a translation; the lines after it are in `language`.
    return ical.Texts(summary=session.text("title", language),
                      description="\n\n".join(lines), location=session.venue or join_url,
                      url=join_url, summary_language=session.text_language("title", language),
                      description_language=session.text_language("description", language)
                      if described else language)


def recipients(person_ids):
    """person id -> (language, time zone): the account's choices, else the registry's."""
    settings = {}
    users = db.session.scalars(select(User).where(User.person_id.in_(person_ids))).all()
    for user in users:
        settings[user.person_id] = (user.locale, user.time_zone)
    return settings


def language_and_zone(person, settings):
    language, zone = settings.get(person.id, (person.preferred_language, person.time_zone))
    return mail_locale(language), zone or "UTC"


def reaches(person):
    """Whether the emails of a session reach `person`: not once anonymised, when the address
    left is no one's."""
    return person.anonymised_at is None


def send(registration, kind, *, now, settings=None, signers=None, memo=None):
    """Queue the email of `kind` for one registration (with its invitation when there is
    one). When many are sent at once, `settings` comes from recipients(), `signers` from
    registry.queries.signing_in() (who can sign in, so is linked to the session's page; anyone
    else is given the Office's mailbox) and `memo` (a dict kept for the whole run) keeps what
    is the same for everyone of one language and zone. Nothing is written to a person
    anonymised since (reaches): their place stays, their address is erased."""
    session, person = registration.session, registration.person
    if not reaches(person):
        return
    if settings is None:
        settings = recipients([person.id])
    if signers is None:
        signers = signing_in({person.id})
    language, zone = language_and_zone(person, settings)
    keep_invitation(registration, kind)
    signs_in = person.id in signers
    send_to(session, kind, email=person.email, name=person.full_name, language=language,
            zone=zone, now=now, memo=memo,
            link=url_for("sessions.detail", session_id=session.id, _external=True)
            if signs_in else None,
            office=None if signs_in else current_app.config["ORGANIZER_EMAIL"])


def send_to(session, kind, *, email, name, language, zone, now, link=None, office=None,
            memo=None):
    """Queue the email of `kind` about `session` to one address (a registered person or a
    guest), in `language` with the times in `zone`, with its invitation when there is one;
    `link` leads to the session (none for who cannot sign in); `office`, the Office's mailbox,
    is named instead to whoever cannot: a registered person without a way in, a guest."""
    memo = {} if memo is None else memo
    parts = []
    with force_locale(language):
        method = METHODS.get(kind)
        # A cancellation does not hand on the link of a session its reader no longer joins.
        key = (session.id, language, zone, method != "CANCEL")
        if key not in memo:
            readings = spans(session, zone, language)
            plain_readings = spans(session, zone, language, isolate=False)
            memo[key] = (readings, plain_readings,
                         texts(session, language, zone, plain_readings, extras=True,
                               join_link=key[-1]))
        readings, plain_readings, event_texts = memo[key]
        if method:
            data = ical.invitation(session, event_texts, method=method,
                                   recipient=ical.Party(email, name),
                                   host=uid_host(), organizer=organizer(), now=now,
                                   whole_session=kind == "cancelled")
            parts = [make_part(data, content_type="text/calendar", disposition="alternative",
                               params={"method": method, "charset": "utf-8"}),
                     make_part(data, filename="invite.ics", content_type="application/ics",
                               params={"method": method})]
    queue_email(email, "session_notice", locale=language, now=now, parts=parts,
                subject=_LazyTitle(SUBJECTS[kind], session, language),
                context={"name": name, "session": session, "kind": kind,
                         "title": session.text("title", language),
                         "title_language": session.text_language("title", language),
                         "readings": readings,
                         "plain_readings": plain_readings,
                         "description": session.text("description", language),
                         "link": link, "office": office})


class _LazyTitle:
    """The subject, rendered in the recipient's locale with the title in their language."""

    def __init__(self, template, session, language):
        self.template, self.title = template, session.text("title", language)

    def __str__(self):
        return str(self.template) % {"title": self.title}
