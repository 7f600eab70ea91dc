"""The evaluation of a session by the guests who attended it: asked once by the evaluation run
through a link of their own (no account), answered once with everyone's questions, the answers
kept apart from the guest as everyone's are and counted in the session's results. What a guest
wrote is found again only by a key made with the application's secret, to be erased with the
guest (privacy)."""
import hashlib
import hmac

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from gfp_portal.attendance import evaluations
from gfp_portal.attendance.models import ATTENDED
from gfp_portal.core.db import utcnow
from gfp_portal.core.edits import hold
from gfp_portal.core.errors import DomainError
from gfp_portal.core.tokens import digest, new_raw
from gfp_portal.extensions import db
from gfp_portal.programme import notices
from gfp_portal.programme.models import Guest, GuestPlaceStatus, GuestRegistration


def erasure_key(place):
    """The key the answers of the guest of `place` carry when they wrote something: made
    with the application's secret, so that the database alone does not link them."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(secret, f"guest-evaluation:{place.id}".encode(), hashlib.sha256).hexdigest()


def send_requests(sessions, *, now):
    """Ask, once, the guests who attended one of `sessions` (whose evaluation is open at
    `now`) and have not answered, unless anonymised or their place cancelled since. Part of
    the evaluation run (attendance.evaluations.send_reminders), under its lock. Returns how
    many were asked."""
    if not sessions:
        return 0
    closes = {session.id: evaluations.window(session)[1] for session in sessions}
    due = db.session.scalars(
        select(GuestRegistration).join(GuestRegistration.guest).where(
            GuestRegistration.session_id.in_(list(closes)),
            GuestRegistration.status == GuestPlaceStatus.registered,
            GuestRegistration.attendance.in_(ATTENDED),
            GuestRegistration.evaluation_requested_at.is_(None),
            GuestRegistration.evaluated_on.is_(None),
            Guest.anonymised_at.is_(None))
        .order_by(GuestRegistration.id)).all()
    for place in due:
        raw = new_raw()
        place.evaluation_token_hash = digest(raw)
        place.evaluation_requested_at = now
        notices.evaluation_request(place, raw, closes=closes[place.session_id], now=now)
    db.session.flush()
    return len(due)


def respondents(sessions):
    """{session id: (how many guests attended it with a place, how many of them answered its
    evaluation)} of those of `sessions` guests attended: what they add to each session's
    response (attendance.evaluations.responses; one query). A guest anonymised since still
    counts: their answer does."""
    rows = db.session.execute(select(
        GuestRegistration.session_id, func.count(GuestRegistration.id),
        func.count(GuestRegistration.id).filter(GuestRegistration.evaluated_on.is_not(None)))
        .where(GuestRegistration.session_id.in_([session.id for session in sessions]),
               GuestRegistration.status == GuestPlaceStatus.registered,
               GuestRegistration.attendance.in_(ATTENDED))
        .group_by(GuestRegistration.session_id)).all()
    return {session_id: (attended, answered) for session_id, attended, answered in rows}


def place_notice(place, *, now):
    """What the guest's own place page says of the evaluation at `now`, while it is open to
    the guest who attended: "answered", "sent" (the link is in their mailbox; the page never
    shows it), "coming" (the evaluation run has not asked them yet); None otherwise."""
    if place.status != GuestPlaceStatus.registered or place.attendance not in ATTENDED or \
            not evaluations.is_open(place.session, now):
        return None
    if place.evaluated_on is not None:
        return "answered"
    return "sent" if place.evaluation_requested_at is not None else "coming"


def place_for_evaluation(token, *, now=None):
    """The place whose evaluation link is `token`; refused when the link is wrong (or its
    guest anonymised since) or the place cancelled."""
    place = db.session.scalars(select(GuestRegistration).where(
        GuestRegistration.evaluation_token_hash == digest(token))).first() if token else None
    if place is None or place.guest.anonymised_at is not None:
        raise DomainError("unknown_link", _l("This link is not valid. Check that you copied "
                                             "all of it, or use the latest message sent to "
                                             "you."))
    if place.status == GuestPlaceStatus.cancelled:
        raise DomainError("cancelled_place", _l("This place has been cancelled."))
    return place


def refusal(place, *, now):
    """Why the guest of `place` cannot answer at `now` (a DomainError), or None."""
    try:
        evaluations.check_window(place.session, now)
    except DomainError as error:
        return error
    if place.evaluated_on is not None:
        return evaluations.already_answered()
    if place.attendance not in ATTENDED:
        return evaluations.not_attended()
    return None


def submit(token, answers, *, now=None):
    """The guest's answers (as attendance.evaluations.submit takes them), once; sent twice
    at once (a double click), one is kept."""
    now = now or utcnow()
    place = place_for_evaluation(token, now=now)
    hold(f"{GuestRegistration.__tablename__}:{place.id}")
    db.session.refresh(place)
    error = refusal(place, now=now)
    if error is not None:
        raise error
    evaluations.check_answers(answers)
    place.evaluated_on = evaluations.day_of(now)
    # Not audited, as nobody's answers are: the time of an event would match the answers.
    evaluations.record_answers(place.session, answers, erasure_key=erasure_key(place))
    return place


def erase_answers_of(places):
    """What the guests of `places` wrote in their evaluations goes; their ratings stay, and
    keep counting in the results. Their links stop."""
    places = list(places)
    if not places:
        return
    keys = [erasure_key(place) for place in places]
    evaluations.erase_comments(keys)
    for place in places:
        place.evaluation_token_hash = None
    db.session.flush()
