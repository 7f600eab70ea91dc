"""A link that stops working is not mailed afterwards: an invitation withdrawn, or an account
deactivated, while the email carrying its link still waits in the outbox (the mail server
away), is never sent; the person gets nothing from an account that is closed."""
import pytest

from gfp_portal.accounts import services
from gfp_portal.accounts.models import User
from gfp_portal.core.outbox import MailStatus
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry
from tests.helpers import outbox


@pytest.fixture
def admin(ctx, create_user):
    return db.session.get(User, create_user("admin@example.org", roles=["admin"]))


def test_a_withdrawn_invitation_is_not_mailed_afterwards(admin):
    user = services.invite_user({"email": "amina@example.org", "given_name": "Amina",
                                 "family_name": "Diallo", "roles": ["focal_point"],
                                 "uncts": [], "locale": "ar", "time_zone": "UTC"},
                                actor=admin)
    mail, = outbox("activate_account")
    assert mail.status == MailStatus.queued
    services.deactivate_user(user, actor=admin)
    db.session.flush()
    db.session.refresh(mail)
    assert mail.status != MailStatus.queued and not mail.can_retry


def test_a_reset_link_waiting_when_the_account_is_deactivated_is_not_mailed(admin,
                                                                            create_user):
    user = db.session.get(User, create_user("fp@example.org"))
    services.request_password_reset("fp@example.org")
    services.deactivate_user(user, actor=admin)
    db.session.flush()
    mail, = outbox("reset_password")
    db.session.refresh(mail)
    assert mail.status != MailStatus.queued and not mail.can_retry


def test_mail_of_another_kind_still_goes(admin, create_user):
    """What the account's links are not (a session's notice, a message to the network) is
    not the account's to stop."""
    user = db.session.get(User, create_user("fp@example.org"))
    services.request_password_reset("admin@example.org")
    services.deactivate_user(user, actor=admin)
    db.session.flush()
    mail, = outbox("reset_password")
    assert mail.recipient == "admin@example.org" and mail.status == MailStatus.queued


def test_an_invitation_to_a_mistyped_address_waiting_is_not_mailed_once_corrected(admin):
    """The registry corrects the address: the invitation waiting for the wrong mailbox is
    never sent there (whoever holds it could activate nothing, but would read it); the new
    one goes to the right address."""
    user = services.invite_user({"email": "amina@exmaple.org", "given_name": "Amina",
                                 "family_name": "Diallo", "roles": ["focal_point"],
                                 "uncts": [], "locale": "fr", "time_zone": "UTC"},
                                actor=admin)
    registry.update_person(user.person, {"email": "amina@example.org"}, actor=admin)
    db.session.flush()
    wrong, right = outbox("activate_account")
    db.session.refresh(wrong)
    assert wrong.recipient == "amina@exmaple.org" and wrong.status == MailStatus.failed
    assert right.recipient == "amina@example.org" and right.status == MailStatus.queued
