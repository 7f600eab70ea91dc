"""No page shows an email's access link: reset, activation, join confirmation and amendment."""
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.nominations import join, services
from gfp_portal.nominations.models import Nomination, NominationState
from gfp_portal.reference.models import Entity, Unct
from tests.helpers import PDF, login

LINK = re.compile(r"/(?:activate|password/reset|join/verify|join/amend)/([A-Za-z0-9_-]{20,})")


def join_data(n, **overrides):
    wfp = db.session.scalars(select(Entity).filter_by(acronym="WFP")).one()
    malawi = db.session.scalars(select(Unct).filter_by(iso3="MWI")).one()
    data = {"role": "alternate", "entity": wfp, "unct": malawi, "given_name": "Chikondi",
            "family_name": f"Banda{n}", "email": f"c.banda{n}@wfp.org",
            "position_title": "Programme Policy Officer", "grade": "NO-B",
            "preferred_language": "en", "start_date": date(2026, 10, 1), "time_share": 15,
            "tor_acknowledged": False, "replaces": None}
    data.update(overrides)
    return data


def verified_request(n):
    join.submit_join_request(join_data(n))
    message = db.session.scalars(select(OutboxMessage).filter_by(template="join_verify")
                                 .order_by(OutboxMessage.id.desc())).first()
    return join.verify(LINK.search(message.body_text).group(1))


@pytest.fixture
def mails_with_links(app, client, reference, create_user):
    """As a coordinator: a reset requested for the administrator, an invitation, a request to
    join waiting for confirmation, one sent back for more information, one approved."""
    admin_id = create_user("admin@example.org", roles=["admin"])
    coordinator_id = create_user("coordinator@example.org", roles=["coordinator"])
    with app.app_context():
        wfp = db.session.scalars(select(Entity).filter_by(acronym="WFP")).one()
        db.session.scalars(select(Unct).filter_by(iso3="MWI")).one().members = [wfp]
        db.session.commit()
    assert login(client, "coordinator@example.org").status_code == 302
    # The reset link is written once the answer has gone, when the server closes it.
    client.post("/password/reset", data={"email": "admin@example.org"}).close()
    client.post("/join", content_type="multipart/form-data", data={
        "given_name": "Thandiwe", "family_name": "Phiri", "email": "t.phiri@wfp.org",
        "entity": "WFP", "scope": "MWI", "role": "alternate", "position_title": "Officer",
        "grade": "NO-B", "duty_station": "0", "start_date": "2026-10-01", "time_share": "15",
        "preferred_language": "en", "submit": "Send", "memo": (io.BytesIO(PDF), "memo.pdf")})
    with app.app_context():
        admin, coordinator = db.session.get(User, admin_id), db.session.get(User, coordinator_id)
        accounts.invite_user({"email": "new.fp@example.org", "given_name": "Aïcha",
                              "family_name": "Diallo", "roles": ["focal_point"],
                              "locale": "fr", "time_zone": "Africa/Dakar"}, actor=admin)
        services.request_changes(verified_request(1), "Please give your grade.",
                                 actor=coordinator)
        services.approve_nomination(verified_request(2), actor=coordinator)
        db.session.commit()
        tokens = {template: LINK.findall(body)
                  for template, body in db.session.execute(
                      select(OutboxMessage.template, OutboxMessage.body_text))}
        tokens = {template: found for template, found in tokens.items() if found}
    assert set(tokens) == {"reset_password", "activate_account", "join_verify",
                           "join_decision", "nomination_welcome"}
    return [token for found in tokens.values() for token in found]


def pages_a_coordinator_can_open(app):
    with app.app_context():
        message_ids = db.session.scalars(select(OutboxMessage.id)).all()
        request_ids = db.session.scalars(select(Nomination.id).where(
            Nomination.state != NominationState.unverified)).all()
        user_ids = db.session.scalars(select(User.id)).all()
    return ["/admin/", "/admin/outbox/", "/admin/outbox/?status=queued", "/admin/audit/",
            *(f"/admin/outbox/{i}" for i in message_ids),
            *(f"/nominations/{i}" for i in request_ids),
            *(f"/admin/users/{i}" for i in user_ids)]


def test_no_page_shows_an_access_link_to_a_coordinator_or_an_admin(app, client,
                                                                   mails_with_links):
    for email in ("coordinator@example.org", "admin@example.org"):
        reader = app.test_client()
        assert login(reader, email).status_code == 302
        for path in pages_a_coordinator_can_open(app):
            response = reader.get(path)
            assert response.status_code in (200, 403), path
            html = response.get_data(as_text=True)
            leaked = [token for token in mails_with_links if token in html]
            assert not leaked, f"{path} shows an access link to {email}"


def test_the_page_says_why_the_text_is_withheld(app, client, mails_with_links):
    with app.app_context():
        reset = db.session.scalars(select(OutboxMessage).filter_by(
            template="reset_password")).one()
        assert reset.is_secret
    html = client.get(f"/admin/outbox/{reset.id}").get_data(as_text=True)
    assert "withheld" in html and "admin@example.org" in html
    assert "/password/reset/" not in html


def test_a_mail_without_a_link_still_shows_its_text(app, client, mails_with_links):
    with app.app_context():
        notice = db.session.scalars(select(OutboxMessage).filter_by(
            template="nominations_submitted")).first()
        assert not notice.is_secret
        line = next(line for line in notice.body_text.splitlines() if "/nominations/" in line)
    html = client.get(f"/admin/outbox/{notice.id}").get_data(as_text=True)
    assert line.strip() in html


def test_the_audit_log_records_no_link(app, mails_with_links):
    with app.app_context():
        events = db.session.scalars(select(AuditEvent)).all()
        recorded = " ".join(f"{e.action} {e.changes} {e.reason}" for e in events)
    assert events and not [token for token in mails_with_links if token in recorded]
