"""Anonymising a person who left the network: their name, contact data and what they wrote
are erased everywhere the database holds them; the row stays, with its appointments,
registrations, attendance and evaluations, so that every figure of the network stays true.

The privacy package sits above every domain, so it clears each domain's rows itself. What a
domain keeps in free text (audit details, emails, jobs' reports, comments) is found by reading
every text and JSON column of every table: a table added later is covered without a change
here. The person's full name and email addresses are replaced wherever they appear; their given
name, family name and phone number alone only in the rows about them (another person may share
a given name). A homonym's full name in a text is erased too: erasing too much is the safe side;
not in a column that is the name of its own row's person (a guest, a nominee: _IDENTITIES), which
another person of that name keeps: the rows that are the person's are found by their address or
their record instead. Guests of sessions long over are erased the same way by the retention
periods.
"""
import json
import re

from flask_babel import LazyString, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, String, Text, cast, delete, func, or_, select, update

from gfp_portal.accounts.models import AccountToken, Role, User, new_session_token
from gfp_portal.accounts.queries import account_of
from gfp_portal.attendance.models import Attendance, Certificate
from gfp_portal.core import storage
from gfp_portal.core.audit import AuditEvent, log_action
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.outbox import OutboxMessage, data_of, parts_may_hold, with_data, withdraw
from gfp_portal.core.search import fold
from gfp_portal.extensions import db
from gfp_portal.messages.models import MessageRecipient
from gfp_portal.nominations.models import Nomination, NominationKind
from gfp_portal.nominations.queries import first_open_about
from gfp_portal.privacy.former_addresses import forget_former_addresses, former_addresses
from gfp_portal.programme import guest_evaluations
from gfp_portal.programme.models import AgendaItem, AgendaPresenter, Guest, GuestRegistration
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from gfp_portal.registry.queries import in_office_after
from gfp_portal.sessions import ical
from gfp_portal.sessions import registration as places
from gfp_portal.sessions.models import Registration, RegistrationStatus, TrainingSession
from gfp_portal.sessions.notices import uid_host

ANONYMOUS_GIVEN_NAME = "Anonymised person"
ANONYMOUS_GUEST_NAME = "Anonymised guest"
ANONYMOUS_DOMAIN = "anonymised.invalid"
# The reason the retention job's erasures are audited with (privacy.history says it in words).
RETENTION = "retention"

# Tables whose rows are rewritten by name below, never by the search through every column:
# `people` holds other people, one of whom may share the name being erased.
_CLEARED_BY_NAME = {"people", "alembic_version"}
# Columns that are the name of their own row's person, never rewritten by the search through
# every column: a guest or a nominee of the same name is someone else. The rows that are the
# person's are cleared by their address or their record (_clear_guests, _clear_nominations).
_IDENTITIES = {("guests", "name"), ("nominations", "given_name"),
               ("nominations", "family_name")}
# Search keys (core.search) hold the other columns' text folded: the ORM refreshes them only on
# its own writes, not on the statements below, so they are rewritten too, with folded needles.
_SEARCH_KEYS = {"search_key", "name_key", "name_key_es"}


def anonymous_email(person_id):
    return f"person-{person_id}@{ANONYMOUS_DOMAIN}"


def anonymous_guest_email(guest_id):
    return f"guest-{guest_id}@{ANONYMOUS_DOMAIN}"


def anonymous_user_email(user_id):
    return f"account-{user_id}@{ANONYMOUS_DOMAIN}"


def check_anonymise(person, *, today=None):
    """Refuse a person already anonymised, still in office after `today` (the server's by
    default: registry.queries.in_office_after, a term whose end was entered ahead keeps its
    holder until its last day), or whose account still works for the Office or a UN Country
    Team (it would lock them out), or who is named by a nomination or a request to join
    still open (coming back: the Office decides on it first, as the retention period
    waits for it; anonymising would erase it)."""
    if person.anonymised_at is not None:
        raise DomainError("already_anonymised", _l("This person has already been anonymised."))
    user = account_of(person)
    if user is not None and user.is_active and user.roles - {Role.focal_point}:
        raise DomainError("account_in_use", _l(
            "This person's account still holds a role of the Office or of a Resident "
            "Coordinator. Deactivate the account first."))
    kept, active, last_day = db.session.execute(select(
        func.count(Appointment.id),
        func.count(Appointment.id).filter(Appointment.status == AppointmentStatus.active),
        func.max(Appointment.last_day)).where(
            Appointment.person_id == person.id,
            in_office_after(today or utcnow().date()))).one()
    if active:
        raise DomainError("still_appointed", _l(
            "This person still holds an active appointment. End their appointments before "
            "anonymising them."))
    if kept:  # only terms ended ahead: nothing to end, only their last day to wait for
        raise DomainError("still_appointed", _l(
            "This person is still in office until %(day)s, the last day of their term. They "
            "may be anonymised once that day has passed.",
            day=LazyString(format_date, last_day, "long")))
    if (open_one := coming_back(person, user)) is not None:
        day = LazyString(format_date, open_one.submitted_at, "long")
        if open_one.kind == NominationKind.self_registration:
            raise DomainError("coming_back", _l(
                "A request to join from this person, made on %(day)s, is still open: "
                "anonymising them would erase it. They may be anonymised once the Office has "
                "decided on it, or once it has lapsed unconfirmed.", day=day))
        raise DomainError("coming_back", _l(
            "A nomination of this person, submitted on %(day)s, is still open: anonymising "
            "them would erase it. They may be anonymised once it has been decided on or "
            "withdrawn.", day=day))


def coming_back(person, user):
    """The earliest nomination or request to join still open about `person` (whose account
    is `user`, or None), by their record or under any of their addresses, an earlier one
    too (addresses_of); None when there is none."""
    return first_open_about(person.id, addresses_of(person, user))


def may_anonymise(person, *, today=None):
    """Whether check_anonymise lets `person` be anonymised (what their page asks before
    offering it)."""
    try:
        check_anonymise(person, today=today)
    except DomainError:
        return False
    return True


def what_is_erased(person):
    """What the confirmation page says will change, in counts."""
    user = account_of(person)
    addresses = addresses_of(person, user)

    def count(column, condition):
        return db.session.scalar(select(func.count(column)).where(condition))
    return {"appointments": count(Appointment.id, Appointment.person_id == person.id),
            "registrations": count(Registration.id, Registration.person_id == person.id),
            "nominations": count(Nomination.id, nominations_about(person, addresses)),
            "emails": count(OutboxMessage.id, func.lower(OutboxMessage.recipient).in_(
                addresses)),
            "account": user is not None}


def anonymise_person(person, *, actor, now=None):
    """Erase `person`'s name and contact data everywhere; returns the storage keys of files
    that may name them (nomination letters, pending previews and exports) to remove once
    committed. Audited without the name: the event names the fields erased, not their
    values (_erased)."""
    now = now or utcnow()
    check_anonymise(person, today=now.date())
    erased = _erased(person)
    keys = _erase([person], now, actor=actor)
    log_action("person.anonymise", person, actor=actor, now=now, changes=erased)
    return keys


def anonymise_people(people, *, now):
    """The retention job's erasure of many people (each already checked); returns the file
    keys to remove once committed. Each is audited, by no one (the schedule)."""
    erased = [(person, _erased(person)) for person in people]
    keys = _erase(people, now, reason=RETENTION)
    for person, changes in erased:
        log_action("person.anonymise", person, actor=None, now=now, changes=changes,
                   reason=RETENTION)
    return keys


def anonymise_guests(guests, *, now):
    """The retention job's erasure of guests (privacy.retention): their name and address go
    from their row, the emails sent to them, their links and every text that names them (a
    name of one word only from their own row: it may be anyone's) and what they wrote in an
    evaluation; their places, attendance, certificates and evaluation ratings stay, so the
    sessions' figures do not change. Each is audited, by no one
    (the schedule). Returns the file keys to remove once committed."""
    everywhere = {}
    for guest in guests:
        name, address = f"{ANONYMOUS_GUEST_NAME} {guest.id}", anonymous_guest_email(guest.id)
        known = guest.name.strip().lower()
        if " " in known:
            everywhere[known] = name
        own = {known: name}
        if guest.email:
            everywhere[guest.email.lower()] = address
            own[guest.email.lower()] = address
            _clear_emails_to([guest.email.lower()], address, {known: name})
        # The events about the guest's own rows name them whatever their name's length.
        _rewrite_own_events(_own_guest_objects(guest), _rewriter(own))
        _clear_guest(guest, now, actor=None, reason=RETENTION)
    db.session.flush()
    found = _rewrite_everywhere(everywhere)
    _rewrite_invitations(_sessions_naming(found, AgendaPresenter.guest_id.in_(
        [guest.id for guest in guests])), found, _rewriter(everywhere))
    db.session.expire_all()  # the statements above changed rows the session may hold
    # As for people: the day's exports and previews may hold the names.
    return storage.temporary_keys()


def _own_guest_objects(guest):
    """(object_type, ids) of the audit events about the guest's own rows: their record and
    their places."""
    places = db.session.scalars(select(GuestRegistration.id).where(
        GuestRegistration.guest_id == guest.id)).all()
    return [(kind, ids) for kind, ids in (("guests", [guest.id]),
                                          ("guest_registrations", places)) if ids]


def _clear_guest(guest, now, *, actor, reason):
    """The guest's own row loses its name and address, its places their links, their
    evaluations what they wrote (their ratings keep counting)."""
    guest.name, guest.email = f"{ANONYMOUS_GUEST_NAME} {guest.id}", None
    guest.anonymised_at = now
    guest_evaluations.erase_answers_of(db.session.scalars(select(GuestRegistration).where(
        GuestRegistration.guest_id == guest.id)).all())
    db.session.execute(update(GuestRegistration).where(GuestRegistration.guest_id == guest.id)
                       .values(token_hash=None, token_expires_at=None))
    log_action("guest.anonymise", guest, actor=actor, now=now, reason=reason)


def _clear_guests(addresses, now, *, actor, reason):
    """The guests recorded under one of the person's `addresses` are the person: erased as
    the retention period erases a guest (the emails sent to them go with the person's)."""
    for guest in db.session.scalars(select(Guest).where(
            Guest.anonymised_at.is_(None), func.lower(Guest.email).in_(addresses))).all():
        _clear_guest(guest, now, actor=actor, reason=reason)


def addresses_of(person, user, earlier=None):
    """The person's addresses in lower case: their own, their account's, and those the
    registry's history shows they had before (`earlier`, read when not given), unless
    someone else holds one now."""
    own = {a.lower() for a in (person.email, user.email if user else None) if a}
    before = {a.lower() for a in (earlier or _earlier(person))["email"]} - own
    if before:
        held = select(func.lower(Person.email)).where(
            Person.id != person.id, func.lower(Person.email).in_(sorted(before)))
        taken = set(db.session.scalars(held))
        taken.update(db.session.scalars(select(func.lower(User.email)).where(
            User.person_id.is_distinct_from(person.id),
            func.lower(User.email).in_(sorted(before)))))
        own |= before - taken
    return sorted(own)


def _earlier(person):
    """{field: values} of the person's names and address before the registry changed them,
    as its history (the audit events of their record) keeps them; and those that outlive
    that history once the audit details period has emptied it: the names and addresses of
    the nominations linked to their record (what they were nominated as), the addresses of
    the emails of the messages to the network queued for them, and those whose digest the
    person keeps."""
    found = {"given_name": set(), "family_name": set(), "email": set()}
    for changes in db.session.scalars(select(AuditEvent.changes).where(
            AuditEvent.object_type == "people", AuditEvent.object_id == person.id)):
        for field, values in found.items():
            pair = changes.get(field) if isinstance(changes, dict) else None
            if isinstance(pair, list):
                values.update(v.strip() for v in pair if isinstance(v, str) and v.strip())
    for given, family, email in db.session.execute(select(
            Nomination.given_name, Nomination.family_name, Nomination.email).where(
            Nomination.person_id == person.id)):
        found["given_name"].add(given.strip())
        found["family_name"].add(family.strip())
        found["email"].add(email)
    found["email"].update(db.session.scalars(select(OutboxMessage.recipient).join(
        MessageRecipient, MessageRecipient.outbox_message_id == OutboxMessage.id).where(
        MessageRecipient.person_id == person.id)))
    # Any other earlier address (the emails sent to it, a request to join made under it):
    # known by the digest the registry's change left (privacy.former_addresses).
    found["email"].update(former_addresses(person))
    return found


def _names(person, earlier):
    """Every (given name, family name) the person has had: now, and before as the registry's
    history and their nominations say (`earlier`)."""
    givens = {person.given_name.strip(), *earlier["given_name"]}
    families = {person.family_name.strip(), *earlier["family_name"]}
    return [(given, family) for given in sorted(givens) for family in sorted(families)]


def nominations_about(person, addresses):
    """The nominations and requests to join about `person`: linked to their record, or made
    under one of their `addresses` (addresses_of: an earlier one too, a request made before
    the registry changed it)."""
    return or_(Nomination.person_id == person.id,
               func.lower(Nomination.email).in_(addresses))


class _Needles:
    """What to replace, and with what: {lower-case text: replacement}."""

    def __init__(self):
        self.everywhere, self.own_rows = {}, {}

    def add(self, person, names, addresses):
        """`names`: every (given, family) the person has had; `addresses`: theirs, in lower
        case."""
        name = f"{ANONYMOUS_GIVEN_NAME} {person.id}"
        email = anonymous_email(person.id)
        for given, family in names:
            for full in (f"{given} {family}", f"{family} {given}", f"{family}, {given}"):
                self.everywhere[full.lower()] = name
        for address in addresses:
            self.everywhere[address] = email
        self.own_rows.update(self.everywhere)
        for given, family in names:
            for part in (given, family):
                if len(part) > 1:
                    self.own_rows.setdefault(part.lower(),
                                             name if part == given else str(person.id))
        if person.phone and len(person.phone.strip()) > 3:
            self.own_rows[person.phone.strip().lower()] = ""


def _bounded(text):
    """`text` as a whole word; an address also not inside a longer one (x.amina@… or
    amina@undp.org.uk are someone else's)."""
    if "@" in text:
        return rf"(?<![\w.+-]){re.escape(text)}(?![\w-]|\.\w)"
    return rf"(?<!\w){re.escape(text)}(?!\w)"


def _pattern(replacements):
    words = sorted(replacements, key=len, reverse=True)
    return re.compile("|".join(_bounded(w) for w in words), re.IGNORECASE) if words else None


def _rewriter(replacements):
    pattern = _pattern(replacements)

    def rewrite(value):
        if pattern is None:
            return value
        if isinstance(value, str):
            return pattern.sub(lambda m: replacements[m.group(0).lower()], value)
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        if isinstance(value, dict):
            return {rewrite(k): rewrite(v) for k, v in value.items()}
        return value
    return rewrite


def _erase(people, now, *, actor=None, reason=None):
    needles, keys, own_events, presenting = _Needles(), [], [], []
    for person in people:
        _release_places(person, actor=actor, now=now)
        user = account_of(person)
        presenting.append(AgendaPresenter.person_id == person.id)
        if user is not None:
            presenting.append(AgendaPresenter.user_id == user.id)
        # What the person has been called and written to, read once for each person.
        earlier = _earlier(person)
        names, addresses = _names(person, earlier), addresses_of(person, user, earlier)
        needles.add(person, names, addresses)
        own_events.extend(_own_objects(person, user, addresses))
        keys.extend(_clear_nominations(person, addresses, now))
        _clear_emails(person, names, addresses)
        _clear_guests(addresses, now, actor=actor, reason=reason)
        if user is not None:
            _clear_account(user, now)
        _clear_person(person, now)
    # The files kept a day for an import's confirmation or an export's download may hold
    # the names; which ones cannot be told (a spreadsheet is compressed): they all go, and
    # an import under way is uploaded again.
    keys.extend(storage.temporary_keys())
    db.session.flush()
    _rewrite_own_events(own_events, _rewriter(needles.own_rows))
    found = _rewrite_everywhere(needles.everywhere)
    _rewrite_invitations(_sessions_naming(found, or_(*presenting)), found,
                         _rewriter(needles.everywhere))
    db.session.expire_all()  # the statements above changed rows the session may hold
    return keys


def _release_places(person, *, actor, now):
    """The person's places in sessions not yet begun (held or waited for) are given up,
    without an email (no one is left to write to): a freed seat goes to the first person
    waiting, and no later change of the session writes to the erased address."""
    for registration in db.session.scalars(
            select(Registration).join(TrainingSession)
            .where(Registration.person_id == person.id,
                   Registration.status != RegistrationStatus.cancelled,
                   TrainingSession.starts_at > now)
            .order_by(Registration.id)).all():
        places.cancel(registration, actor=actor, now=now, by_coordinator=True, notify=False)


def _own_objects(person, user, addresses):
    """(object_type, ids) of the audit events about the person's own rows."""
    def ids(column, condition):
        return db.session.scalars(select(column).where(condition)).all()
    registrations = ids(Registration.id, Registration.person_id == person.id)
    objects = [("people", [person.id]),
               ("appointments", ids(Appointment.id, Appointment.person_id == person.id)),
               ("registrations", registrations),
               ("attendances", ids(Attendance.id, Attendance.registration_id.in_(
                   registrations))),
               ("certificates", ids(Certificate.id, Certificate.person_id == person.id)),
               ("nominations", ids(Nomination.id, nominations_about(person, addresses)))]
    if user is not None:
        objects.append(("users", [user.id]))
    return [(kind, found) for kind, found in objects if found]


def _anonymous_data(person):
    """{field: value} of the person's own data as anonymising leaves it."""
    return {"given_name": ANONYMOUS_GIVEN_NAME, "family_name": str(person.id),
            "email": anonymous_email(person.id), "phone": None, "position_title": None,
            "directory_consent": False}


def _erased(person):
    """What the anonymisation of `person` is audited with: each field of their own data it
    changes, the value before hidden (None). A page that edits the record, shown before,
    then finds it changed since (core.edits) rather than write the data back."""
    return {field: [None, value] for field, value in _anonymous_data(person).items()
            if getattr(person, field) != value}


def _clear_person(person, now):
    for field, value in _anonymous_data(person).items():
        setattr(person, field, value)
    person.anonymised_at = now
    forget_former_addresses(person)
    db.session.execute(update(Appointment).where(Appointment.person_id == person.id)
                       .values(notes=None))


def _clear_account(user, now):
    user.email = anonymous_user_email(user.id)
    user.password_hash = None
    user.is_active = False
    user.deactivated_at = user.deactivated_at or now
    user.session_token = new_session_token()  # signs out every session at once
    user.calendar_token_hash = None
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))


def _clear_nominations(person, addresses, now):
    """Nominations and requests to join about the person keep their role, scope and dates
    (the figures of nominations) but lose who, why and the letter."""
    keys = []
    for nomination in db.session.scalars(select(Nomination).where(
            nominations_about(person, addresses))):
        if nomination.letter_key:
            keys.append(nomination.letter_key)
        nomination.given_name = ANONYMOUS_GIVEN_NAME
        nomination.family_name = str(person.id)
        nomination.email = anonymous_email(person.id)
        nomination.position_title = None
        nomination.justification = ""
        nomination.decision_note = None
        nomination.letter_key = nomination.letter_filename = None
        nomination.letter_content_type = nomination.letter_sha256 = None
        nomination.letter_size = None
        nomination.token_hash = nomination.token_expires_at = None
        if nomination.person_id is None and nomination.email:
            nomination.person_id = person.id
    return keys


def _clear_emails(person, names, addresses):
    name = f"{ANONYMOUS_GIVEN_NAME} {person.id}"
    replaced = {f"{given} {family}".lower(): name for given, family in names}
    replaced.update({given.lower(): name for given, _family in names})
    _clear_emails_to(addresses, anonymous_email(person.id), replaced)


def _clear_emails_to(addresses, anonymous_address, names):
    """The emails sent to `addresses` keep their kind, status and dates (the outbox's record)
    but lose their address (`anonymous_address` instead), text and attachments; `names`
    ({lower-case name: replacement}) are replaced in their subject. Those not yet sent are
    withdrawn: nothing is left to send, nor anyone to send it to."""
    rewrite = _rewriter({**{a: anonymous_address for a in addresses}, **names})
    for message in db.session.scalars(select(OutboxMessage).where(
            func.lower(OutboxMessage.recipient).in_(addresses))):
        message.recipient = anonymous_address
        message.subject = rewrite(message.subject)
        message.body_text = ""
        message.body_html = None
        message.parts = []
        message.last_error = None
        withdraw(message, "the recipient was anonymised")


def _rewrite_own_events(own_events, rewrite):
    for object_type, ids in own_events:
        for event in db.session.scalars(select(AuditEvent).where(
                AuditEvent.object_type == object_type, AuditEvent.object_id.in_(ids))):
            changes, reason = rewrite(event.changes or {}), rewrite(event.reason)
            if changes != event.changes:
                event.changes = changes
            if reason != event.reason:
                event.reason = reason
    db.session.flush()


def _like(text):
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# A character JSON escapes (\u00e9), as _like writes it in a pattern.
_ESCAPED = re.compile(r"\\\\u[0-9a-f]{4}")


def _json_like(text):
    r"""The pattern of `text` as JSON writes it (the audit details, jobs' reports), with any
    character in the place of each one JSON escapes: JSON writes "é" as \u00e9 and "É" as
    \u00c9, which no case-insensitive comparison takes for each other. Python, which reads
    the rows found, then tells the name from anything else."""
    return _ESCAPED.sub(lambda _match: "\\\\u____", _like(json.dumps(text)[1:-1]))


def _text_columns():
    """(table, column, is_json) for every text and JSON column of the schema."""
    for table in db.metadata.sorted_tables:
        if table.name in _CLEARED_BY_NAME or not table.primary_key.columns:
            continue
        for column in table.columns:
            if column.primary_key or (table.name, column.name) in _IDENTITIES:
                continue
            if isinstance(column.type, JSON):
                yield table, column, True
            elif isinstance(column.type, (String, Text)) and not isinstance(column.type, Enum):
                yield table, column, False


def _rewrite_everywhere(replacements):
    """Replace the full names and addresses in every text and JSON column; the database
    finds the rows (as written, as JSON escapes them, or folded in a search key), Python
    rewrites them. Returns {table name: ids of the rows found} (of the tables with an id)."""
    found = {}
    if not replacements:
        return found
    as_written = (_rewriter(replacements),
                  {p for needle in replacements for p in (_like(needle), _json_like(needle))})
    folded = {fold(needle): fold(new) for needle, new in replacements.items() if fold(needle)}
    as_folded = (_rewriter(folded), {_like(needle) for needle in folded})
    for table, column, is_json in _text_columns():
        rewrite, patterns = as_folded if column.name in _SEARCH_KEYS else as_written
        searched = cast(column, Text) if is_json else column
        condition = or_(*(searched.ilike(p, escape="\\") for p in patterns))
        keys = list(table.primary_key.columns)
        for row in db.session.execute(select(*keys, column).where(condition)).all():
            if len(keys) == 1:
                found.setdefault(table.name, set()).add(row[0])
            value = row[-1]
            new = rewrite(value)
            if new == value:
                continue
            db.session.execute(update(table).where(
                *(key == row[i] for i, key in enumerate(keys))).values({column.name: new}))
    return found


# What an invitation's calendar says comes from its session's texts and its agenda (with the
# names of the presenters); the emails are not linked to their session but by the UID their
# calendar carries.
_SESSION_TEXTS = {"training_sessions", "agenda_items"}


def _sessions_naming(found, presenting):
    """The ids of the sessions whose invitations may name who is erased: those they present
    at (`presenting`, a condition on AgendaPresenter), and those whose texts or agenda
    (`found` by _rewrite_everywhere), or the history of either, named them."""
    items = set(found.get("agenda_items", ()))
    sessions = set(found.get("training_sessions", ()))
    events = sorted(found.get("audit_events", ()))
    for start in range(0, len(events), 500):
        for kind, object_id in db.session.execute(select(
                AuditEvent.object_type, AuditEvent.object_id).where(
                AuditEvent.id.in_(events[start:start + 500]),
                AuditEvent.object_type.in_(_SESSION_TEXTS))):
            (items if kind == "agenda_items" else sessions).add(object_id)
    sessions.update(db.session.scalars(select(AgendaItem.session_id).where(
        AgendaItem.id.in_(sorted(items)))))
    sessions.update(db.session.scalars(select(AgendaItem.session_id).join(
        AgendaPresenter, AgendaPresenter.item_id == AgendaItem.id).where(presenting)))
    return sessions


def _rewrite_invitations(sessions, found, rewrite):
    """Rewrite the calendars attached to the emails about `sessions` (by the UID they
    carry), and to those whose text named who is erased (`found`), as their text was: the
    invitation sent to everyone else keeps reading as it did, the name erased, and one still
    to be sent is sent so."""
    host = uid_host()
    conditions = [parts_may_hold(f"UID:{ical.uid_of(session_id, host)}\r\n")
                  for session_id in sorted(sessions)]
    messages = sorted(found.get("outbox_messages", ()))
    conditions += [OutboxMessage.id.in_(messages[start:start + 500])
                   for start in range(0, len(messages), 500)]
    if not conditions:
        return
    # Read again: the statements of _rewrite_everywhere changed rows the session may hold.
    for message in db.session.scalars(select(OutboxMessage).where(
            or_(*conditions), cast(OutboxMessage.parts, Text) != "[]")
            .execution_options(populate_existing=True)):
        parts = [_rewritten_calendar(part, rewrite) for part in message.parts or ()]
        if parts != message.parts:
            message.parts = parts
    db.session.flush()


def _rewritten_calendar(part, rewrite):
    if not (part.get("content_type") or "").startswith(ical.CONTENT_TYPES):
        return part
    data = data_of(part)
    new = ical.rewrite_texts(data, rewrite)
    return part if new is data else with_data(part, new)

