"""Account rules: invitations, activation, sign-in, password reset, roles and deactivation."""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import lazyload

from gfp_portal.accounts import notices
from gfp_portal.accounts.models import (
    AccountToken,
    Role,
    TokenPurpose,
    User,
    UserRole,
    new_session_token,
)
from gfp_portal.accounts.passwords import hash_password, needs_rehash, verify_password
from gfp_portal.accounts.queries import account_of
from gfp_portal.accounts.signals import teams_left
from gfp_portal.core.audit import AuditEvent, log_action, log_changes
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.outbox import REVOKED, OutboxMessage, stop_queued
from gfp_portal.core.text import email_address, is_blank
from gfp_portal.core.tokens import digest, new_raw
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Appointment, Person
from gfp_portal.registry.signals import (
    appointment_ended,
    email_taking,
    emails_taking,
    people_signing_in,
    preferences_changed,
)


def normalize_email(email):
    """The address as accounts and people keep it (core.text.email_address); "" for none."""
    return email_address(email or "")


def find_user_by_email(email):
    return db.session.scalars(
        select(User).where(func.lower(User.email) == normalize_email(email).lower())
    ).first()


def active_users_with_role(role):
    return db.session.scalars(select(User).where(User.is_active, User.id.in_(
        select(UserRole.user_id).where(UserRole.role == Role(role)))).order_by(User.id)).all()


def find_person_by_email(email):
    return db.session.scalars(
        select(Person).where(func.lower(Person.email) == normalize_email(email).lower())
    ).first()


def _retire_tokens(user, now, purpose=None):
    """The user's unused links (of `purpose` only, when given) stop working, and the emails
    carrying them that still wait in the outbox (the mail server away) are never sent: a
    dead link would reach the person, after an invitation withdrawn or an account
    deactivated that the Office was told sends nothing."""
    stmt = select(AccountToken).where(AccountToken.user_id == user.id,
                                      AccountToken.used_at.is_(None))
    if purpose is not None:
        stmt = stmt.where(AccountToken.purpose == purpose)
    for token in db.session.scalars(stmt):
        token.used_at = now
    templates = notices.LINK_TEMPLATES[purpose] if purpose is not None else \
        [t for purpose_templates in notices.LINK_TEMPLATES.values() for t in purpose_templates]
    stop_queued(select(OutboxMessage.id).where(
        OutboxMessage.recipient == user.email, OutboxMessage.is_secret,
        OutboxMessage.template.in_(templates)), "the link it carries was revoked", kind=REVOKED)


def link_expiry(purpose, now):
    """When a link of `purpose` issued at `now` stops working: its token's end, which the
    email carrying it keeps too (never sent past it)."""
    hours = current_app.config["ACTIVATION_TOKEN_HOURS" if purpose == TokenPurpose.activation
                               else "RESET_TOKEN_HOURS"]
    return now + timedelta(hours=hours)


def issue_token(user, purpose, *, now=None):
    """Create a single-use token, retiring earlier unused ones of the same purpose."""
    now = now or utcnow()
    _retire_tokens(user, now, purpose)
    raw = new_raw()
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=digest(raw),
                                created_at=now, expires_at=link_expiry(purpose, now)))
    db.session.flush()
    return raw


def _token(raw):
    """The token row of the link `raw`, whatever its state, or None."""
    return db.session.scalars(
        select(AccountToken).where(AccountToken.token_hash == digest(raw or ""))).first()


def activated_with(raw, user):
    """Whether `user`, signed in, is the account the activation link `raw` activated."""
    if not getattr(user, "is_authenticated", False):
        return False
    token = _token(raw)
    return token is not None and token.purpose == TokenPurpose.activation and \
        token.used_at is not None and token.user_id == user.id and user.activated_at is not None


def reset_with(raw, *, now=None):
    """Whether the reset link `raw` changed its account's password, and would still be valid
    had it not: the form sent again (back and send, a retry) or the link opened again is told
    so rather than asked for a new link. A link retired unused (a newer one asked for, the
    password changed on the account page) changed nothing, and says so as before."""
    now = now or utcnow()
    token = _token(raw)
    if token is None or token.purpose != TokenPurpose.password_reset or \
            token.used_at is None or token.expires_at <= now or not token.user.is_active:
        return False
    return db.session.scalar(select(exists().where(
        AuditEvent.action == "user.password_reset", AuditEvent.object_type == User.__tablename__,
        AuditEvent.object_id == token.user_id, AuditEvent.created_at == token.used_at)))


def find_valid_token(raw, purpose, *, now=None):
    """The token's row if it exists, has this purpose, is unused and unexpired; else None."""
    now = now or utcnow()
    token = _token(raw)
    if token is None or token.purpose != purpose or token.used_at is not None:
        return None
    if token.expires_at <= now:
        return None
    return token


def _check_password_strength(password, user_email=None):
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < min_length:
        raise DomainError("password_too_short",
                          lazy_ngettext("The password must have at least %(num)s character.",
                                        "The password must have at least %(num)s characters.",
                                        min_length),
                          field="password")
    if user_email and password.strip().lower() == user_email.strip().lower():
        raise DomainError("password_is_email", _l("The password must not be your email address."),
                          field="password")


def set_roles(user, roles, uncts):
    roles = {Role(r) for r in roles}
    if Role.resident_coordinator in roles and not uncts:
        raise DomainError("rc_without_unct",
                          _l("A Resident Coordinator must be given at least one UN Country Team."),
                          field="uncts")
    user.role_rows = [row for row in user.role_rows if row.role in roles] + [
        UserRole(role=r) for r in sorted(roles - user.roles)
    ]
    user.uncts = list(uncts) if Role.resident_coordinator in roles else []


def send_activation(user, *, now=None):
    now = now or utcnow()
    raw = issue_token(user, TokenPurpose.activation, now=now)
    notices.activation(user, raw, now=now,
                       valid_until=link_expiry(TokenPurpose.activation, now))
    return raw


def invite_user(data, *, actor, now=None):
    """Create an inactive account (and its Person when none exists) and email the activation link.

    `data`: email, given_name, family_name, roles, uncts, locale, time_zone. The language and
    time zone are those of a person the invitation creates; a person of the registry keeps
    theirs (their record is where they change, with its history), and is invited in them.
    """
    now = now or utcnow()
    email = normalize_email(data["email"])
    person = find_person_by_email(email)
    # The person's account may sign in with an earlier address: the registry changes a
    # person's email, not their account's. One person has one account.
    if find_user_by_email(email) is not None or (person is not None and
                                                 account_of(person) is not None):
        raise DomainError("email_taken", _l("An account with this email address already exists."),
                          field="email")
    if person is None:
        if is_blank(data.get("given_name")) or is_blank(data.get("family_name")):
            raise DomainError("name_required", _l("Enter the given name and the family name."),
                              field="given_name")
        person = Person(given_name=data["given_name"], family_name=data["family_name"],
                        email=email, preferred_language=data.get("locale") or "en",
                        time_zone=data.get("time_zone") or "UTC", created_at=now)
        db.session.add(person)
    user = create_account(person, roles=data["roles"], uncts=data.get("uncts") or [],
                          actor=actor, now=now)
    send_activation(user, now=now)
    return user


def create_account(person, *, roles, uncts=(), actor, now=None):
    """An inactive account for `person` (whose email it takes); the caller sends the link.
    The account takes the person's language and time zone: every email, the registry's as
    the account's, is then in one language."""
    now = now or utcnow()
    user = User(email=person.email, person=person, is_active=False, created_at=now,
                locale=person.preferred_language, time_zone=person.time_zone)
    db.session.add(user)
    set_roles(user, roles, uncts)
    db.session.flush()
    log_action("user.invite", user, actor=actor, now=now, changes={
        "email": [None, user.email], "roles": [None, sorted(user.roles)],
        "uncts": [None, [u.iso3 for u in user.uncts]]})
    return user


def activate_account(raw_token, password, *, now=None):
    now = now or utcnow()
    token = find_valid_token(raw_token, TokenPurpose.activation, now=now)
    if token is None:
        raise DomainError("token_invalid",
                          _l("This activation link is invalid or has expired. "
                             "Ask the Office for a new invitation."))
    user = token.user
    _check_password_strength(password, user.email)
    token.used_at = now
    user.password_hash = hash_password(password)
    user.is_active = True
    user.activated_at = now
    user.deactivated_at = None
    user.session_token = new_session_token()
    log_action("user.activate", user, actor=user, now=now,
               changes={"status": ["invited", "active"]})
    return user


def authenticate(email, password, *, now=None):
    """The active user with these credentials, else DomainError('invalid_credentials').
    The refusal is the same, on the password, whether or not an account uses the address:
    it never tells which."""
    user = find_user_by_email(email)
    valid = verify_password(user.password_hash if user else None, password or "")
    if user is None or not valid or not user.is_active:
        raise DomainError("invalid_credentials",
                          _l("The email address or password is not correct."),
                          field="password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now or utcnow()
    return user


def sign_in_outlived(signed_in_at, *, now):
    """Whether a sign-in made at `signed_in_at` (seconds since the epoch, as the session keeps
    it) has reached its absolute end at `now` (SIGN_IN_MAX_HOURS), however busy it was. A
    sign-in without its time (made before the portal kept it) has."""
    if isinstance(signed_in_at, bool) or not isinstance(signed_in_at, int | float):
        return True
    hours = current_app.config["SIGN_IN_MAX_HOURS"]
    return now.timestamp() - signed_in_at >= hours * 3600


def sign_out(user, *, now=None):
    """End the user's session on the server: a new session token refuses every copy of the
    old session and remember-me cookies (on every device of this account)."""
    user.session_token = new_session_token()
    log_action("user.sign_out", user, actor=user, now=now)


def request_password_reset(email, *, now=None):
    """Queue a reset link when an active account has this email; silently do nothing otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    now = now or utcnow()
    raw = issue_token(user, TokenPurpose.password_reset, now=now)
    notices.password_reset(user, raw, now=now,
                           valid_until=link_expiry(TokenPurpose.password_reset, now))
    log_action("user.password_reset_requested", user, actor=None, now=now)
    return raw


def reset_password(raw_token, password, *, now=None):
    now = now or utcnow()
    token = find_valid_token(raw_token, TokenPurpose.password_reset, now=now)
    if token is None or not token.user.is_active:
        raise DomainError("token_invalid",
                          _l("This reset link is invalid or has expired. Ask for a new one."))
    user = token.user
    _check_password_strength(password, user.email)
    token.used_at = now
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    log_action("user.password_reset", user, actor=user, now=now)
    notices.password_changed(user, now=now)
    return user


def change_password(user, current_password, new_password, *, now=None):
    if not verify_password(user.password_hash, current_password or ""):
        raise DomainError("wrong_password", _l("The current password is not correct."),
                          field="current_password")
    _check_password_strength(new_password, user.email)
    now = now or utcnow()
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    _retire_tokens(user, now, TokenPurpose.password_reset)  # a reset asked before
    log_action("user.password_change", user, actor=user, now=now)
    notices.password_changed(user, now=now)


def update_preferences(user, *, locale, time_zone, now=None):
    """The language and time zone of `user`'s pages and emails, chosen by them. Their
    person's change too, recorded on the person as a change of the registry's: an edit of
    the person from a page shown before it is refused rather than undo it. Returns the
    changes of the record that holds them: the person's, else the account's."""
    before = {"locale": user.locale, "time_zone": user.time_zone}
    user.locale = locale
    user.time_zone = time_zone
    changes = log_changes("user.preferences", user, before,
                          {"locale": locale, "time_zone": time_zone}, actor=user, now=now)
    if user.person is None:
        return changes
    return registry.update_person(user.person, {"preferred_language": locale,
                                                "time_zone": time_zone}, actor=user, now=now)


def _change_roles(user, roles, uncts, *, actor, now):
    led = list(user.uncts)
    before = {"roles": sorted(user.roles), "uncts": [u.iso3 for u in led]}
    set_roles(user, roles, uncts)
    after = {"roles": sorted(user.roles), "uncts": [u.iso3 for u in user.uncts]}
    left = [unct for unct in led if unct not in user.uncts]
    if left and user.is_active:
        teams_left.send(user, uncts=left, now=now or utcnow())
    return log_changes("user.roles", user, before, after, actor=actor, now=now)


def update_roles(user, *, roles, uncts, actor, now=None):
    """Give `user` the `roles` (and the UN Country Teams of a Resident Coordinator); returns
    the changes, as the event records them."""
    if user.id == actor.id and Role.admin in user.roles and Role.admin not in set(roles):
        raise DomainError("own_admin_role", _l("You cannot remove your own administrator role."),
                          field="roles")
    return _change_roles(user, roles, uncts, actor=actor, now=now)


def give_focal_point_role(user, *, actor, now=None):
    """The account of a person appointed focal point or alternate holds the focal-point role:
    added to those of an account in use; an account that was deactivated is opened again
    with that role alone and invited again (reopen_account has the rest: the caller sends
    the activation link). Its other roles and teams were the administrator's to give
    (DESIGN §1), and the password it had no longer opens it: whoever knew it, or the
    account as it was, is not let back in by an appointment."""
    now = now or utcnow()
    if user.status == "deactivated":
        _change_roles(user, [Role.focal_point], [], actor=actor, now=now)
        user.password_hash = None
        user.session_token = new_session_token()
        reopen_account(user, actor=actor, now=now)
    elif not user.has_role(Role.focal_point):
        _change_roles(user, {*user.roles, Role.focal_point}, user.uncts, actor=actor, now=now)


def deactivate_user(user, *, actor, reason=None, now=None):
    now = now or utcnow()
    if user.id == actor.id:
        raise DomainError("deactivate_self", _l("You cannot deactivate your own account."))
    if not user.is_active and user.deactivated_at is not None:
        raise DomainError("already_deactivated", _l("This account is already deactivated."))
    before = user.status
    user.is_active = False
    user.deactivated_at = now
    user.session_token = new_session_token()
    user.calendar_token_hash = None  # the calendar feed stops at once
    _retire_tokens(user, now)
    log_action("user.deactivate", user, actor=actor, now=now, reason=reason,
               changes={"status": [before, "deactivated"]})


def _address_of_an_account():
    return DomainError("email_of_an_account", _l(
        "The account of another person signs in with this email address."), field="email")


def _check_address_may_move(user, actor):
    """DESIGN §1: accounts are the administrator's. Moving the address an account signs in
    with hands the account to whoever holds the new one (a password reset, an invitation sent
    again): only an administrator moves that of an account holding more than the focal-point
    role."""
    if user.roles - {Role.focal_point} and (actor is None or not actor.has_role(Role.admin)):
        raise DomainError("address_of_an_office_account", _l(
            "This address opens the account of a coordinator, an administrator or a Resident "
            "Coordinator: only an administrator can change it."), field="email")


@email_taking.connect
def keep_one_door_per_address(person, *, email, before, actor):
    """An address opens one person's account: refused when another person's account signs in
    with it; the account of a person whose address changes follows it, or its earlier
    address would still open it for whoever is given that address next (refused unless
    `actor` may move it)."""
    with db.session.no_autoflush:  # the person may be new, flushed later with its batch
        other = find_user_by_email(email)
    if other is not None and (person.id is None or other.person_id != person.id):
        raise _address_of_an_account()
    user = account_of(person) if person.id is not None and before else None
    if user is not None and user.email.lower() == before.strip().lower():
        _check_address_may_move(user, actor)
        # Links mailed to the former address (a mistyped one, say) stop working; an
        # invitation not yet taken up is sent again to the new one. An address the account
        # signed in with (proved its person's by the activation) is told of the move.
        now = utcnow()
        _retire_tokens(user, now)  # at the former address, where its emails wait
        user.email = email
        if user.status == "invited":
            send_activation(user, now=now)
        elif user.has_password:
            notices.address_changed(user, before, now=now)


@emails_taking.connect
def keep_new_people_off_account_addresses(_sender, *, emails):
    """The addresses among `emails` that an account signs in with, each refused as
    keep_one_door_per_address refuses it to a new person (in one query)."""
    return {email: _address_of_an_account() for email in db.session.scalars(
        select(func.lower(User.email)).where(func.lower(User.email).in_(emails)))}


@people_signing_in.connect
def people_with_an_active_account(_sender, *, person_ids, roles=None, **_extra):
    """The people among `person_ids` whose account signs in: active (an invited account is
    not yet, a deactivated one no longer), and holding one of `roles` when given (an
    administrator passes every role check, as core.auth.roles_required lets them)."""
    stmt = select(User.person_id).where(User.person_id.in_(person_ids), User.is_active)
    if roles is not None:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(
            UserRole.role.in_({Role(role) for role in (*roles, Role.admin)}))))
    return set(db.session.scalars(stmt))


@preferences_changed.connect
def follow_preferences(person):
    """The account's pages and mails are in the person's language and time zone, as the
    registry now holds them (the person's own choice on /me writes both)."""
    db.session.execute(update(User).where(User.person_id == person.id).values(
        locale=person.preferred_language, time_zone=person.time_zone))


@appointment_ended.connect
def revoke_feed_when_last_term_ends(appointment, *, followed, now):
    """DESIGN §2: the calendar feed stops with the person's last appointment. A renewal that
    follows the term at once keeps the person in the network; a term whose end was entered
    ahead is still held until its last day, after which the daily run stops the feed
    (revoke_feeds_after_last_terms)."""
    person = appointment.person
    today = now.date()
    if followed or any(a.lasts_until(today) for a in person.appointments):
        return
    db.session.execute(update(User).where(User.person_id == person.id)
                       .values(calendar_token_hash=None))


def revoke_feeds_after_last_terms(*, today):
    """Stop the calendar feeds of the accounts that may no longer hold one on `today`
    (may_subscribe_to_calendar): the last day of the person's last term, entered ahead, has
    passed. The daily run does it: nothing else happens when a last day passes. Returns
    how many feeds stopped."""
    lasting = select(Appointment.id).where(Appointment.person_id == User.person_id,
                                           Appointment.lasts_until(today))
    beyond_focal_point = select(UserRole.user_id).where(UserRole.user_id == User.id,
                                                        UserRole.role != Role.focal_point)
    return db.session.execute(
        update(User).where(User.calendar_token_hash.is_not(None),
                           User.person_id.is_not(None), ~lasting.exists(),
                           ~beyond_focal_point.exists())
        .values(calendar_token_hash=None).execution_options(synchronize_session=False)
    ).rowcount


def _check_not_anonymised(user):
    """An account whose person was anonymised is closed for good: opened again, it would be
    an account of no one, signing in as "Anonymised person", written to at an erased
    address."""
    if user.is_anonymised:
        raise DomainError("anonymised", _l(
            "This account is that of a person who has been anonymised: it is closed for good "
            "and cannot be reactivated. Should they rejoin the network, add them to the "
            "registry as a new person."))


def reopen_account(user, *, actor, now=None):
    """A deactivated account becomes active again with its own password, or invited again
    when it was never activated; the caller tells the person. Any other account is left as
    it is; that of a person anonymised is refused (_check_not_anonymised)."""
    if user.status != "deactivated":
        return
    _check_not_anonymised(user)
    user.deactivated_at = None
    user.is_active = user.has_password
    log_action("user.reactivate", user, actor=actor, now=now or utcnow(),
               changes={"status": ["deactivated", user.status]})


def reactivate_user(user, *, actor, now=None):
    """A deactivated account that was in use becomes active again with its own password, and
    the person is told so; one never activated goes back to invited with a fresh link."""
    now = now or utcnow()
    if user.status != "deactivated":
        raise DomainError("not_deactivated", _l("This account is not deactivated."))
    _check_not_anonymised(user)
    reopen_account(user, actor=actor, now=now)
    if not user.is_active:
        send_activation(user, now=now)
        return user
    notices.reactivated(user, now=now)
    return user


def resend_invitation(user, *, actor, now=None):
    if user.status != "invited":
        raise DomainError("not_invited", _l("This account has already been activated."))
    log_action("user.invite_resent", user, actor=actor, now=now)
    send_activation(user, now=now)


def create_admin(email, password, *, now=None):
    """First account, from the command line: active straight away, no email involved."""
    now = now or utcnow()
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError("email_taken", _l("An account with this email address already exists."))
    _check_password_strength(password, email)
    user = User(email=email, password_hash=hash_password(password), is_active=True,
                activated_at=now, created_at=now)
    db.session.add(user)
    set_roles(user, [Role.admin], [])
    db.session.flush()
    log_action("user.create_admin", user, actor=None, now=now,
               changes={"email": [None, email], "roles": [None, ["admin"]]})
    return user


# --- personal calendar feed -------------------------------------------------------------------

def may_subscribe_to_calendar(user, *, today=None):
    """Whether `user` may hold a calendar feed on `today`: it stops with the person's last
    appointment (DESIGN §2), after its last day when its end was entered ahead, unless the
    account holds a role beyond focal point."""
    if user.person is None:
        return False
    today = today or utcnow().date()
    return any(role != Role.focal_point for role in user.roles) or any(
        a.lasts_until(today) for a in user.person.appointments)


def check_calendar_subscription(user, *, now=None):
    """Refuses a new feed address once the feed stopped with the person's last appointment."""
    if not may_subscribe_to_calendar(user, today=(now or utcnow()).date()):
        raise DomainError("no_active_appointment", _l(
            "Your calendar subscription ended with your last appointment; it can start again "
            "with your next one."))


def regenerate_calendar_token(user, *, now=None):
    """A new secret address for the user's calendar feed; the previous one stops working.
    Refused once it stopped with the person's last appointment."""
    check_calendar_subscription(user, now=now)
    raw = new_raw(24)
    user.calendar_token_hash = digest(raw)
    db.session.flush()
    log_action("user.calendar_token", user, actor=user, now=now)
    return raw


# The feed needs the account alone: its roles are loaded only if something asks. Built once:
# calendar clients poll every hour.
_USER_BY_CALENDAR_TOKEN = select(User).where(
    User.calendar_token_hash == bindparam("token_hash"), User.is_active).options(
    lazyload(User.role_rows))


def user_for_calendar_token(raw):
    if not raw:
        return None
    return db.session.scalars(_USER_BY_CALENDAR_TOKEN, {"token_hash": digest(raw)}).first()
