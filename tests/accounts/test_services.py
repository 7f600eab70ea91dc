"""Account rules, asserted by error code."""
import unicodedata
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from gfp_portal.accounts import services
from gfp_portal.accounts.models import AccountToken, Role, TokenPurpose, User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.privacy.anonymise import anonymise_person
from gfp_portal.reference.models import Unct
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import EndReason
from tests.helpers import NOW, PASSWORD, appoint_undp_alternate, link_token, outbox


@pytest.fixture
def admin(ctx, create_user):
    return db.session.get(User, create_user("admin@example.org", roles=["admin"]))


def invite(admin, email="new.fp@example.org", roles=("focal_point",), uncts=(), locale="fr"):
    return services.invite_user({"email": email, "given_name": "Aïcha", "family_name": "de la Cruz",
                                 "roles": roles, "uncts": uncts, "locale": locale,
                                 "time_zone": "Africa/Dakar"}, actor=admin)


def test_invite_creates_inactive_account_person_and_activation_email(admin):
    user = invite(admin)
    assert not user.is_active and user.password_hash is None and user.status == "invited"
    assert user.person.given_name == "Aïcha" and user.person.family_name == "de la Cruz"
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.recipient == "new.fp@example.org" and message.locale == "fr"
    assert "/activate/" in message.body_text
    with force_locale("fr"):
        french_subject = gettext("Activate your GFP Portal account")
    assert message.subject == french_subject != "Activate your GFP Portal account"
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.invite")).one().actor_id == admin.id


def test_an_invitation_gives_its_language_and_zone_to_the_person_it_creates(admin):
    """Someone new to the registry is written to in the invitation's language and zone ever
    after: the person and the account hold the same, so every email is in one language."""
    user = invite(admin, locale="fr")
    assert (user.person.preferred_language, user.person.time_zone) == ("fr", "Africa/Dakar")
    assert (user.locale, user.time_zone) == ("fr", "Africa/Dakar")


def test_an_invitation_keeps_the_language_and_zone_of_a_person_of_the_registry(admin):
    """The invitation form always holds a language and a zone: for a person already in the
    registry, their record's win (the form says so; the record is where they change, with
    its history), and the invitation goes out in them."""
    person = registry.create_person({"given_name": "Amina", "family_name": "Diallo",
                                     "email": "amina@undp.org", "preferred_language": "es",
                                     "time_zone": "America/Bogota"}, actor=admin)
    db.session.flush()
    user = services.invite_user({"email": "amina@undp.org", "given_name": "Amina",
                                 "family_name": "Diallo", "roles": ["focal_point"],
                                 "locale": "en", "time_zone": "UTC"}, actor=admin)
    assert user.person is person
    assert (person.preferred_language, person.time_zone) == ("es", "America/Bogota")
    assert (user.locale, user.time_zone) == ("es", "America/Bogota")
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.locale == "es"


def test_invite_refuses_an_email_in_use_whatever_its_case(admin):
    invite(admin)
    with pytest.raises(DomainError) as excinfo:
        invite(admin, email="New.FP@Example.org")
    assert excinfo.value.code == "email_taken"


def test_resident_coordinator_needs_a_unct(admin):
    with pytest.raises(DomainError) as excinfo:
        invite(admin, roles=["resident_coordinator"])
    assert excinfo.value.code == "rc_without_unct"


def test_activation_sets_password_and_is_single_use(admin):
    invite(admin)
    raw = link_token(db.session.scalars(select(OutboxMessage)).one(), "/activate/")
    user = services.activate_account(raw, "a long enough password")
    assert user.is_active and user.activated_at is not None
    assert services.authenticate("new.fp@example.org", "a long enough password") is user
    with pytest.raises(DomainError) as excinfo:
        services.activate_account(raw, "another long password")
    assert excinfo.value.code == "token_invalid"


def test_activation_link_expires(admin, app):
    now = utcnow()
    user = invite(admin)
    raw = services.issue_token(user, TokenPurpose.activation, now=now)
    later = now + timedelta(hours=app.config["ACTIVATION_TOKEN_HOURS"], seconds=1)
    with pytest.raises(DomainError) as excinfo:
        services.activate_account(raw, "a long enough password", now=later)
    assert excinfo.value.code == "token_invalid"


def test_a_new_link_retires_the_previous_one(admin):
    user = invite(admin)
    first = services.issue_token(user, TokenPurpose.activation)
    services.issue_token(user, TokenPurpose.activation)
    assert services.find_valid_token(first, TokenPurpose.activation) is None


def test_tokens_are_stored_hashed(admin):
    user = invite(admin)
    raw = services.issue_token(user, TokenPurpose.activation)
    stored = db.session.scalars(select(AccountToken.token_hash)).all()
    assert raw not in stored and all(len(h) == 64 for h in stored)


def test_short_password_refused(admin):
    invite(admin)
    raw = link_token(db.session.scalars(select(OutboxMessage)).one(), "/activate/")
    with pytest.raises(DomainError) as excinfo:
        services.activate_account(raw, "short")
    assert excinfo.value.code == "password_too_short"
    assert services.find_valid_token(raw, TokenPurpose.activation) is not None


@pytest.mark.parametrize("least, lang, said", [
    (1, "en", "The password must have at least 1 character."),
    (2, "ar", "يجب ألا تقل كلمة المرور عن حرفين."),
    (11, "ar", "يجب ألا تقل كلمة المرور عن 11 حرفًا."),
])
def test_the_shortest_password_is_counted_in_the_languages_plural(
        app, admin, monkeypatch, least, lang, said):
    """The shortest password is the deployment's PASSWORD_MIN_LENGTH, whatever it is."""
    monkeypatch.setitem(app.config, "PASSWORD_MIN_LENGTH", least)
    invite(admin)
    raw = link_token(db.session.scalars(select(OutboxMessage)).one(), "/activate/")
    with pytest.raises(DomainError) as excinfo:
        services.activate_account(raw, "")
    assert excinfo.value.code == "password_too_short"
    with force_locale(lang):
        assert str(excinfo.value.message) == said


@pytest.mark.parametrize("email, password", [
    ("admin@example.org", "wrong password"),
    ("nobody@example.org", PASSWORD),
])
def test_authenticate_refuses_wrong_credentials_with_one_code(admin, email, password):
    with pytest.raises(DomainError) as excinfo:
        services.authenticate(email, password)
    assert excinfo.value.code == "invalid_credentials"


def test_authenticate_ignores_email_case(admin):
    assert services.authenticate("ADMIN@example.org", PASSWORD) is admin


def test_password_reset_queues_mail_only_for_active_accounts(admin):
    assert services.request_password_reset("nobody@example.org") is None
    invite(admin, email="invited@example.org")  # not activated yet: no reset either
    assert services.request_password_reset("invited@example.org") is None
    before = db.session.query(OutboxMessage).count()
    raw = services.request_password_reset("admin@example.org")
    assert raw and db.session.query(OutboxMessage).count() == before + 1


def test_password_reset_changes_password_and_signs_out_other_sessions(admin):
    old_session = admin.session_token
    raw = services.request_password_reset("admin@example.org")
    services.reset_password(raw, "a brand new password")
    assert admin.session_token != old_session
    assert services.authenticate("admin@example.org", "a brand new password") is admin
    with pytest.raises(DomainError) as excinfo:
        services.reset_password(raw, "yet another password")
    assert excinfo.value.code == "token_invalid"


def test_sign_out_ends_the_session_on_the_server(admin):
    old_session = admin.session_token
    services.sign_out(admin)
    assert admin.session_token != old_session
    event = db.session.scalars(select(AuditEvent).filter_by(action="user.sign_out")).one()
    assert event.actor_id == admin.id and event.object_id == admin.id
    assert old_session not in str(event.changes)


def test_mails_with_an_access_link_are_marked_secret(admin):
    invite(admin)
    services.request_password_reset("admin@example.org")
    marked = {m.template: m.is_secret for m in db.session.scalars(select(OutboxMessage))}
    assert marked == {"activate_account": True, "reset_password": True}


def test_change_password_checks_the_current_one(admin):
    with pytest.raises(DomainError) as excinfo:
        services.change_password(admin, "not it", "a brand new password")
    assert excinfo.value.code == "wrong_password"
    services.change_password(admin, PASSWORD, "a brand new password")
    assert services.authenticate("admin@example.org", "a brand new password") is admin


@pytest.mark.parametrize("how", ["changed", "reset"])
def test_a_new_password_is_told_to_the_person_in_their_language_and_zone(create_user, ctx, app,
                                                                        how):
    """ASVS V2.2.3: whoever set it (a session left open, a mailbox read by someone else), the
    person hears of it, with the moment where they are and how to take the account back; the
    email grants nothing itself."""
    user = db.session.get(User, create_user("fp@example.org", locale="fr",
                                            time_zone="Africa/Nairobi"))
    if how == "changed":
        services.change_password(user, PASSWORD, "a brand new password", now=NOW)
    else:
        raw = services.request_password_reset("fp@example.org", now=NOW)
        services.reset_password(raw, "a brand new password", now=NOW)
    [message] = outbox("password_changed")
    assert (message.recipient, message.locale, message.is_secret) == ("fp@example.org", "fr",
                                                                      False)
    with force_locale("fr"):
        assert message.subject == gettext("The password of your GFP Portal account has changed")
    assert "Nairobi" in message.body_text and "/password/reset?lang=fr" in message.body_text
    assert app.config["ORGANIZER_EMAIL"] in message.body_text
    assert "/password/reset/" not in message.body_text + message.body_html


def test_a_refused_password_change_tells_nobody(admin):
    with pytest.raises(DomainError):
        services.change_password(admin, "not it", "a brand new password")
    with pytest.raises(DomainError):
        services.reset_password("not a link", "a brand new password")
    assert outbox("password_changed") == []


def test_deactivation_blocks_sign_in_and_revokes_links(admin, create_user):
    user = db.session.get(User, create_user("fp@example.org"))
    raw = services.request_password_reset("fp@example.org")
    services.deactivate_user(user, actor=admin, reason="left the organization")
    assert user.status == "deactivated"
    with pytest.raises(DomainError):
        services.authenticate("fp@example.org", PASSWORD)
    assert services.find_valid_token(raw, TokenPurpose.password_reset) is None
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.deactivate")).one()
    assert event.reason == "left the organization"


def test_links_mailed_before_a_change_of_address_or_password_stop_working(admin,
                                                                         create_user):
    """An invitation sent to a mistyped address, corrected in the registry (the account
    follows it): the link in the wrong mailbox no longer activates the account, and a new
    one goes to the right address. A reset link asked before the password was changed on
    /me no longer sets another one."""
    user_id = create_user("fp@example.org")
    invited = services.invite_user({"email": "amina@exmaple.org", "given_name": "Amina",
                                    "family_name": "Diallo", "roles": ["focal_point"],
                                    "uncts": [], "locale": "en", "time_zone": "UTC"},
                                   actor=admin)
    mistyped = services.issue_token(invited, TokenPurpose.activation)
    registry.update_person(invited.person, {"email": "amina@example.org"}, actor=admin)
    assert services.find_valid_token(mistyped, TokenPurpose.activation) is None
    assert db.session.scalars(select(OutboxMessage.recipient).order_by(
        OutboxMessage.id.desc())).first() == "amina@example.org"
    user = db.session.get(User, user_id)
    raw = services.request_password_reset("fp@example.org")
    services.change_password(user, PASSWORD, "a new long password")
    assert services.find_valid_token(raw, TokenPurpose.password_reset) is None


def test_the_address_an_account_leaves_is_told_of_the_move(admin, create_user, app):
    """A focal point's address changes in the registry and their account follows it: the
    address they signed in with hears of it, in their language, and whom to write to if they
    did not expect it; the new address is not named (a team mailbox passes to others). An
    invitation corrected from a mistyped address tells that address nothing."""
    coordinator = db.session.get(User, create_user("coord@example.org", roles=["coordinator"]))
    user = db.session.get(User, create_user("amina@undp.org", locale="fr"))
    registry.update_person(user.person, {"email": "amina.diallo@undp.org"}, actor=coordinator)
    [message] = outbox("sign_in_address_changed")
    assert (message.recipient, message.locale) == ("amina@undp.org", "fr")
    with force_locale("fr"):
        assert message.subject == gettext("The email address of your GFP Portal account "
                                          "has changed")
    assert app.config["ORGANIZER_EMAIL"] in message.body_text
    assert "amina.diallo@undp.org" not in message.body_text + message.body_html
    invited = invite(admin, email="aicha@exmaple.org")
    registry.update_person(invited.person, {"email": "aicha@example.org"}, actor=coordinator)
    assert [m.recipient for m in outbox("sign_in_address_changed")] == ["amina@undp.org"]


def test_cannot_deactivate_self_or_twice(admin, create_user):
    with pytest.raises(DomainError) as excinfo:
        services.deactivate_user(admin, actor=admin)
    assert excinfo.value.code == "deactivate_self"
    user = db.session.get(User, create_user("fp@example.org"))
    services.deactivate_user(user, actor=admin)
    with pytest.raises(DomainError) as excinfo:
        services.deactivate_user(user, actor=admin)
    assert excinfo.value.code == "already_deactivated"


def test_reactivation_restores_the_account_and_its_password(admin, create_user):
    user = db.session.get(User, create_user("fp@example.org"))
    services.deactivate_user(user, actor=admin)
    services.reactivate_user(user, actor=admin)
    assert user.status == "active"
    assert services.authenticate("fp@example.org", PASSWORD) is user
    message = db.session.scalars(select(OutboxMessage)).one()
    assert (message.template, message.recipient) == ("account_reactivated", "fp@example.org")
    assert "/login" in message.body_text and "/password/reset" in message.body_text
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.reactivate")).one()
    assert event.changes == {"status": ["deactivated", "active"]}


def test_reactivating_an_account_never_activated_sends_a_new_activation_link(admin):
    user = invite(admin)
    services.deactivate_user(user, actor=admin)
    services.reactivate_user(user, actor=admin)
    assert user.status == "invited" and user.password_hash is None
    assert [m.template for m in db.session.scalars(select(OutboxMessage).order_by(
        OutboxMessage.id))] == ["activate_account", "activate_account"]
    with pytest.raises(DomainError) as excinfo:
        services.reactivate_user(user, actor=admin)
    assert excinfo.value.code == "not_deactivated"


def test_the_account_of_a_person_anonymised_is_never_reactivated(admin, reference,
                                                                create_user):
    """Anonymising closes the account for good (address and password erased): reactivating
    it would open an account named "Anonymised person" and write to the erased address."""
    user = db.session.get(User, create_user("zq@undp.org", given_name="Zéphyrine",
                                            family_name="Quillfeatherova"))
    term = appoint_undp_alternate(user, actor=admin)
    registry.end_appointment(term, reason=EndReason.left_entity, ended_on=NOW.date(),
                             actor=admin, now=NOW)
    anonymise_person(user.person, actor=admin, now=NOW + timedelta(days=1))
    db.session.commit()
    before = db.session.scalar(select(func.max(OutboxMessage.id)))
    with pytest.raises(DomainError) as excinfo:
        services.reactivate_user(user, actor=admin, now=NOW + timedelta(days=2))
    assert excinfo.value.code == "anonymised"
    db.session.rollback()
    user = db.session.get(User, user.id)
    assert user.status == "deactivated" and user.is_anonymised
    assert db.session.scalar(select(func.max(OutboxMessage.id))) == before


def test_update_roles_sets_unct_scope_and_is_audited(admin, reference, create_user):
    user = db.session.get(User, create_user("rc@example.org", roles=["focal_point"]))
    kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    services.update_roles(user, roles=["resident_coordinator"], uncts=[kenya], actor=admin)
    assert user.roles == {Role.resident_coordinator} and user.uncts == [kenya]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.roles")).one()
    assert event.changes["roles"] == [["focal_point"], ["resident_coordinator"]]
    services.update_roles(user, roles=["focal_point"], uncts=[kenya], actor=admin)
    assert user.uncts == []  # the UNCT scope belongs to the RC role only


def test_admin_cannot_drop_own_admin_role(admin):
    with pytest.raises(DomainError) as excinfo:
        services.update_roles(admin, roles=["coordinator"], uncts=[], actor=admin)
    assert excinfo.value.code == "own_admin_role"


def test_create_admin_from_the_command_line(runner, app):
    result = runner.invoke(args=["users", "create-admin", "root@example.org",
                                 "--password", "a long admin password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = services.find_user_by_email("root@example.org")
        assert user.is_active and user.roles == {Role.admin}
    again = runner.invoke(args=["users", "create-admin", "root@example.org",
                                "--password", "a long admin password"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_the_reset_email_counts_its_hours_in_arabic_with_the_dual(ctx, create_user, app):
    """RESET_TOKEN_HOURS is 2: Arabic says "ساعتين" (the dual), never "2 ساعة" (a numeral
    with a singular noun), so the count goes through ngettext like every other count."""
    create_user("fp.ar@example.org", locale="ar")
    assert app.config["RESET_TOKEN_HOURS"] == 2
    services.request_password_reset("fp.ar@example.org")
    message = db.session.scalars(select(OutboxMessage).filter_by(
        template="reset_password")).one()
    assert message.locale == "ar"
    for body in (message.body_text, message.body_html):
        assert "2 ساعة" not in body
        assert "ساعتين" in body


def test_an_address_with_its_accents_written_either_way_opens_one_account(admin):
    """Typed on a keyboard, "é" is one character; copied from some programs, an "e" and an
    accent: the account is invited, found and signed in with either."""
    composed, decomposed = (unicodedata.normalize(form, "josé.pérez@undp.org")
                            for form in ("NFC", "NFD"))
    user = invite(admin, email=decomposed)
    assert (user.email, user.person.email) == (composed, composed)
    with pytest.raises(DomainError) as excinfo:
        invite(admin, email=composed)
    assert excinfo.value.code == "email_taken"
    assert services.find_user_by_email(decomposed) is user
    assert services.find_person_by_email(decomposed) is user.person
