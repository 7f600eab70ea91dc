"""Training pages for everyone signed in: the list, a session, register and withdraw, the
add-to-calendar file, and the personal calendar feed."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.accounts.services import user_for_calendar_token
from gfp_portal.attendance import certificates, evaluations
from gfp_portal.attendance.queries import closing_window
from gfp_portal.attendance.services import check_in_is_open
from gfp_portal.core.auth import public, signed_in
from gfp_portal.core.confirm import confirm_then_act
from gfp_portal.core.db import utcnow
from gfp_portal.core.downloads import not_modified, send_download
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import commit_service, found_or_404, paginate
from gfp_portal.core.i18n import current_language, viewer_zone
from gfp_portal.core.transactions import reads_only
from gfp_portal.extensions import db
from gfp_portal.programme import agenda
from gfp_portal.programme import queries as programme_queries
from gfp_portal.sessions import feed, ical, manage, notices, queries, registration, topics
from gfp_portal.sessions.forms import SessionFilterForm
from gfp_portal.sessions.models import (
    RegistrationStatus,
    SessionStatus,
    TrainingSeries,
    TrainingSession,
)
from gfp_portal.sessions.times import spans

bp = Blueprint("sessions", __name__, url_prefix="/sessions")
# The Office's pages (create, edit, the roster…) under the same prefix: sessions.manage.*.
bp.register_blueprint(manage.bp)
calendar_bp = Blueprint("calendar", __name__, url_prefix="/calendar")


def load_visible(session_id):
    """The session, unless it is a draft and the viewer is not of the Office."""
    return visible_or_404(db.get_or_404(TrainingSession, session_id))


def visible_or_404(session):
    """404 for no session, and for a draft when the viewer is not of the Office."""
    if session is None or (session.status == SessionStatus.draft
                           and not current_user.is_staff):
        abort(404)
    return session


@bp.route("/")
@signed_in
def index():
    form = SessionFilterForm(request.args,
                             topic_choices=topics.topic_choices(current_language()))
    if not current_user.is_staff:
        del form.evaluation_closes
    form.validate()
    closing = form.evaluation_closes.data if current_user.is_staff else None
    now, zone = utcnow(), viewer_zone()
    f = queries.SessionFilter(when=form.when.data or "upcoming", topic=form.topic.data or None,
                              language=form.language.data or None,
                              format=form.format.data or None, month=form.month.data or None,
                              zone=zone, q=form.q.data or None, within_days=form.within.data,
                              ended_between=None if closing is None else
                              closing_window(now=now, within_days=closing))
    page = paginate(queries.sessions_query(f, now=now, include_drafts=current_user.is_staff))
    ids = [s.id for s in page.items]
    mine = queries.my_registrations(current_user.person, ids)
    return render_template("sessions/index.html", form=form, page=page, mine=mine,
                           taken=queries.seats_taken(ids),
                           zone=zone, spans=spans, language=current_language(),
                           when=f.when, now=now)


@bp.route("/<int:session_id>")
@reads_only
@signed_in
def detail(session_id):
    person = current_user.person
    session, place, has_agenda = programme_queries.session_page(session_id, person)
    visible_or_404(session)
    mine, attendance = place.registration, place.attendance
    now = utcnow()
    return render_template(
        "sessions/detail.html", session=session, mine=mine, taken=place.taken,
        attendance=attendance,
        has_certificate=attendance is not None and
        certificates.refusal(session, attendance, now=now) is None,
        check_in_open=check_in_is_open(session, now),
        can_evaluate=person is not None and evaluations.can_answer(session, person, now),
        place=registration.waitlist_place(mine, today=now.date()) if mine else None,
        readings=spans(session, viewer_zone(), current_language()),
        language=current_language(), confirm=ConfirmForm(), now=now,
        sees_join_link=registration.sees_join_link(current_user, session, mine),
        can_register=place.in_audience, audience_refusal=place.refusal,
        window=registration.window(session, now),
        agenda=programme_queries.agenda_of(session) if has_agenda else [],
        zone=viewer_zone(), agenda_times=agenda.readings)


def _person_or_403():
    if current_user.person is None:
        abort(403)
    return current_user.person


@bp.route("/<int:session_id>/register", methods=["POST"])
@signed_in
def register(session_id):
    session = load_visible(session_id)
    person = _person_or_403()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ok, result = commit_service(registration.register, session, person, actor=current_user)
    if ok:
        if result.status == RegistrationStatus.registered:
            flash(_("You are registered. The invitation is on its way to your mailbox."),
                  "success")
        else:
            flash(_("The session is full: you are on the waiting list, number %(n)s. You will "
                    "get the invitation if a seat frees up.",
                    n=registration.waitlist_place(result, today=utcnow().date())[0]), "info")
    return redirect(_detail(session))


@bp.route("/<int:session_id>/withdraw", methods=["POST"])
@signed_in
def withdraw(session_id):
    session = load_visible(session_id)
    person = _person_or_403()
    mine = registration.registration_of(session, person)
    if mine is None:
        abort(400)
    return confirm_then_act(registration.cancel, mine, actor=current_user,
                            check=lambda: registration.check_cancellable(mine),
                            confirmation=lambda: _withdrawal(session, mine),
                            done=_("Your registration is cancelled."),
                            back=_detail(session))


def _detail(session):
    """The session's page, still leading back to the list it was opened from (checked
    where the page shows it)."""
    return url_for("sessions.detail", session_id=session.id, back=request.args.get("back"))


def _withdrawal(session, mine):
    """The title and consequences of withdrawing `mine`, a place or one on the waiting list."""
    if mine.status != RegistrationStatus.registered:
        return _("Leave the waiting list"), [_("You leave the waiting list; no email is sent.")]
    lines = [_("Your seat is given up; the cancellation is emailed to you.")]
    if registration.successor(mine) is not None:
        lines.append(_("The first person on the waiting list gets your seat and is emailed "
                       "the invitation."))
    return _("Cancel my registration"), lines


@bp.route("/series/<int:series_id>/register", methods=["POST"])
@signed_in
def register_series(series_id):
    series = db.get_or_404(TrainingSeries, series_id)
    person = _person_or_403()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ok, result = commit_service(registration.register_series, series, person,
                                actor=current_user)
    if ok:
        done, skipped, after_last_day = result
        flash(ngettext("You are registered for %(num)s session of the series.",
                       "You are registered for %(num)s sessions of the series.", len(done)),
              "success" if done else "info")
        for last_day, sessions in after_last_day.items():
            flash(ngettext("Your term ends on %(day)s, before %(num)s session of the series: "
                           "you are not registered for it.",
                           "Your term ends on %(day)s, before %(num)s sessions of the series: "
                           "you are not registered for them.", len(sessions),
                           day=format_date(last_day, "long")), "info")
        if skipped:
            flash(ngettext("%(num)s session had no seat left or was not open.",
                           "%(num)s sessions had no seat left or were not open.",
                           len(skipped)), "info")
    return redirect(request.referrer if request.referrer and
                    request.referrer.startswith(request.host_url) else url_for("sessions.index"))


def _calendar_response(data, filename):
    return send_download(data, filename, content_type="text/calendar; charset=utf-8")


@bp.route("/<int:session_id>.ics")
@signed_in
def ics(session_id):
    session = load_visible(session_id)
    language = current_language()
    mine = registration.registration_of(session, current_user.person) \
        if current_user.person is not None else None
    join_link = registration.sees_join_link(current_user, session, mine)
    with force_locale(language):
        data = ical.publication(session, notices.texts(session, language, viewer_zone(),
                                                       join_link=join_link),
                                host=notices.uid_host(), organizer=notices.organizer(),
                                now=utcnow())
    return _calendar_response(data, f"session-{session.id}.ics")


@calendar_bp.route("/<token>.ics")
@reads_only
@public
def personal_feed(token):
    """The calendar subscription: the token is the only key, so a wrong one is a plain 404."""
    user = found_or_404(user_for_calendar_token(token))
    etag, render = feed.feed_for(user, polled=bool(request.if_none_match))
    return not_modified(etag) or send_download(
        render(), "gfp-portal.ics", content_type="text/calendar; charset=utf-8", etag=etag)
