"""Two people act on one practice at the same moment (two coordinators decide, the submitter
sends it again twice, the submitter rewrites it as the Office publishes it): one decision
stands, the other is told the practice is decided already; nothing is published that the
Office did not read; never a server error."""
import threading

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.extensions import db
from gfp_portal.practices import services
from gfp_portal.practices.models import Practice, PracticeState
from tests.helpers import at_once, meet_first, outbox, signed_in
from tests.markup import filled_form, form_to

from .conftest import focal_point_of, practice_data

DECIDED = "that action is no longer possible"
DECISIONS = ("practice.publish", "practice.decline", "practice.request_changes")
READ = "54 % in 2021, 78 % in 2023."  # the results of practice_data
REWRITTEN = "Everyone telecommutes; see the list of names attached."


@pytest.fixture
def practice_id(app, reference, create_user):
    """A practice of UNDP's focal point under review; two coordinators."""
    fp = create_user("fp@example.org")
    create_user("coord1@example.org", roles=["coordinator"])
    create_user("coord2@example.org", roles=["coordinator"])
    with app.app_context():
        practice = services.submit_practice(practice_data(), actor=focal_point_of(
            "UNDP", db.session.get(User, fp)))
        db.session.commit()
        return practice.id


def _actions(practice_id, actions):
    return db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "practices", AuditEvent.object_id == practice_id,
        AuditEvent.action.in_(actions))).all()


def _told(clients, answers):
    """What each request told its user: the messages flashed for a redirect, the page
    shown again otherwise."""
    told = []
    for client, answer in zip(clients, answers, strict=True):
        assert not isinstance(answer, str), answer  # no server error
        with client.session_transaction() as session:
            told += [text for _kind, text in session.get("_flashes", [])]
        told += [answer.page] if answer.status == 200 else []
    return told


@pytest.mark.parametrize(("action", "data"), [
    ("decline", {"text": "Out of scope."}),
    ("request-changes", {"text": "Add the figures of 2021."})])
def test_two_decisions_at_once_one_stands_and_the_other_is_refused(
        app, practice_id, monkeypatch, action, data):
    clients = [signed_in(app, "coord1@example.org"), signed_in(app, "coord2@example.org")]
    meet_first(monkeypatch, services, "_require_state")  # both found it under review
    answers = at_once([(clients[0], "post", f"/practices/{practice_id}/publish", {}),
                       (clients[1], "post", f"/practices/{practice_id}/{action}", data)])
    told = _told(clients, answers)
    with app.app_context():
        decisions = _actions(practice_id, DECISIONS)
        state = db.session.get(Practice, practice_id).state
        mails = len(outbox("practice_decision"))
    assert len(decisions) == 1, f"both decisions applied: {decisions}; now {state}; " \
        f"{mails} decision emails"
    assert decisions == [{PracticeState.published: "practice.publish",
                          PracticeState.declined: "practice.decline",
                          PracticeState.changes_requested: "practice.request_changes"}[state]]
    assert mails == (0 if state == PracticeState.declined else 1)
    assert sum(DECIDED in text for text in told) == 1, told


def test_a_practice_sent_again_twice_at_once_is_sent_once(app, practice_id, monkeypatch):
    with app.app_context():
        practice = db.session.get(Practice, practice_id)
        services.request_changes(practice, "Add the figures of 2021.", actor=db.session.scalars(
            select(User).filter_by(email="coord1@example.org")).one())
        db.session.commit()
    clients = [signed_in(app, "fp@example.org"), signed_in(app, "fp@example.org")]
    meet_first(monkeypatch, services, "_require_state")  # both found changes requested
    answers = at_once([(client, "post", f"/practices/{practice_id}/resubmit", {})
                       for client in clients])
    told = _told(clients, answers)
    with app.app_context():
        assert _actions(practice_id, ["practice.resubmit"]) == ["practice.resubmit"]
        assert db.session.get(Practice, practice_id).state == PracticeState.submitted
    assert sum(DECIDED in text for text in told) == 1, told


def test_a_practice_rewritten_as_the_office_publishes_it_is_never_published_unread(
        app, practice_id, monkeypatch):
    """The submitter saves new results at the moment a coordinator publishes from the page
    that showed the old ones: either the publication comes first and the change is refused,
    or the change comes first and the publication is refused."""
    office, submitter = signed_in(app, "coord1@example.org"), signed_in(app, "fp@example.org")
    base = f"/practices/{practice_id}"
    publish = form_to(office.get(base).get_data(as_text=True), "/publish")
    edit = filled_form(submitter.get(f"{base}/versions/en").get_data(as_text=True), "results")
    edit["results"] = REWRITTEN
    together = threading.Barrier(2)  # the Office found it under review, the submitter too
    meet_first(monkeypatch, services, "_require_state", barrier=together)
    meet_first(monkeypatch, services, "may_edit", caller="_require_editor", barrier=together)
    answers = at_once([(office, "post", f"{base}/publish", publish),
                       (submitter, "post", f"{base}/versions/en", edit)])
    assert all(not isinstance(answer, str) for answer in answers), answers
    with app.app_context():
        practice = db.session.get(Practice, practice_id)
        shown = (practice.state, practice.version("en").results)
        published = db.session.scalar(select(func.count(AuditEvent.id)).filter_by(
            action="practice.publish"))
    assert shown in ((PracticeState.published, READ), (PracticeState.submitted, REWRITTEN)), \
        f"published text the Office never read: {shown}"
    assert published == (1 if shown[0] == PracticeState.published else 0)
