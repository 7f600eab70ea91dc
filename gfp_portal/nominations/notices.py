"""The emails of the nomination workflow, each in its recipient's language."""
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from gfp_portal.accounts.models import Role, TokenPurpose
from gfp_portal.accounts.services import active_users_with_role, issue_token, link_expiry
from gfp_portal.core.i18n import mail_locale
from gfp_portal.core.outbox import queue_email
from gfp_portal.nominations.tokens import new_token


def _link(nomination):
    return url_for("nominations.detail", nomination_id=nomination.id, _external=True)


def _unct_rcs(request):
    return [user for user in active_users_with_role(Role.resident_coordinator)
            if request.unct_id in {u.id for u in user.uncts}]


def resident_coordinators_count(request):
    return len(_unct_rcs(request))


def resident_coordinators(request, *, now):
    """To the Resident Coordinators of the UNCT: a self-registration for it was approved."""
    for user in _unct_rcs(request):
        queue_email(user.email, "join_approved_rc", locale=mail_locale(user.locale), now=now,
                    subject=_l("New appointment: %(role)s for %(scope)s",
                               role=request.role.in_sentence, scope=request.scope_label),
                    context={"user": user, "request": request,
                             "link": url_for("coverage.unct", iso3=request.unct.iso3,
                                             _external=True)})


def receipt(nomination, *, now):
    """To the nominator: the nomination (or its new version) reached the Office."""
    user = nomination.nominator
    queue_email(user.email, "nomination_receipt", locale=mail_locale(user.locale), now=now,
                subject=_l("Nomination received: %(name)s", name=nomination.nominee_name),
                context={"user": user, "nomination": nomination, "link": _link(nomination)})


def _amend_link(request, raw):
    return url_for("join.amend", token=raw, lang=mail_locale(request.preferred_language),
                   _external=True)


def _applicant_decision(request, now):
    """To the applicant of a self-registration: rejected, or more information asked for (with
    a link to amend the same request). Approval is told by the welcome email."""
    if request.state == "approved":
        return
    link = None
    if request.state == "changes_requested":
        link = _amend_link(request, new_token(request, days=current_app.config["JOIN_AMEND_DAYS"],
                                              now=now))
    subject = _l("Your request to join the GFP network: more information needed") \
        if link else _l("Your request to join the GFP network was not approved")
    queue_email(request.email, "join_decision", locale=mail_locale(request.preferred_language),
                now=now, subject=subject, secret=link is not None,
                context={"request": request, "link": link,
                         "days": current_app.config["JOIN_AMEND_DAYS"]})


def decision(nomination, users, *, now):
    """To `users`, who follow the nomination up (the nominator, or the Resident Coordinators
    of its team now): the Office approved, rejected or asked for changes. To the applicant of
    a request to join instead, when it is one."""
    if nomination.is_self_registration:
        return _applicant_decision(nomination, now)
    name = nomination.nominee_name
    for user in users:
        # A Resident Coordinator told of a nomination of their team that they did not make
        # (their predecessor's) reads whose it is, not "your nomination".
        taken_over = nomination.nominator_id != user.id
        if nomination.state == "approved":
            subject = _l("Nomination approved: %(name)s", name=name)
        elif nomination.state == "rejected":
            subject = _l("Nomination not approved: %(name)s", name=name)
        elif taken_over:
            subject = _l("Changes requested to the nomination of %(name)s", name=name)
        else:
            subject = _l("Changes requested to your nomination of %(name)s", name=name)
        queue_email(user.email, "nomination_decision", locale=mail_locale(user.locale),
                    now=now, subject=subject,
                    context={"user": user, "nomination": nomination, "taken_over": taken_over,
                             "link": _link(nomination)})


def nominations_passed(user, nominations, *, now):
    """To a Resident Coordinator who no longer leads some UN Country Teams: the `nominations`
    they made for them that wait for the Office, which stay with the teams. No link: the
    nominations are no longer theirs to open."""
    teams = {}
    for nomination in nominations:
        teams.setdefault(nomination.unct, []).append(nomination)
    queue_email(user.email, "nominations_passed", locale=mail_locale(user.locale), now=now,
                subject=_l("Your nominations under review stay with the UN Country Team"),
                context={"user": user, "teams": list(teams.items())})


def new_submissions(nominations, *, now):
    """To every active coordinator: the submissions waiting for review (one or a digest)."""
    links = {n.id: _link(n) for n in nominations}
    for user in active_users_with_role(Role.coordinator):
        queue_email(user.email, "nominations_submitted", locale=mail_locale(user.locale),
                    now=now,
                    subject=lazy_ngettext("%(num)s nomination waiting for review",
                                          "%(num)s nominations waiting for review",
                                          len(nominations)),
                    context={"user": user, "nominations": nominations, "links": links,
                             "index": url_for("nominations.index", state="submitted",
                                              _external=True)})


def nominee_welcome(nomination, user, *, activate, now):
    """To the nominee: the appointment, and the activation link when the account is new."""
    locale = mail_locale(nomination.preferred_language if activate else user.locale)
    link = url_for("accounts.activate", lang=locale, _external=True,
                   token=issue_token(user, TokenPurpose.activation, now=now)) if activate \
        else url_for("accounts.login", _external=True)
    queue_email(user.email, "nomination_welcome", locale=locale,
                now=now, secret=activate,
                valid_until=link_expiry(TokenPurpose.activation, now) if activate else None,
                subject=_l("You are appointed to the network of gender focal points"),
                context={"user": user, "nomination": nomination, "appointment":
                         nomination.appointment, "link": link, "activate": activate,
                         "hours": current_app.config["ACTIVATION_TOKEN_HOURS"]})


def join_verification(request, raw, *, now):
    """To the person asking to join: the link (token `raw`) that confirms their address."""
    queue_email(request.email, "join_verify", locale=mail_locale(request.preferred_language),
                now=now, secret=True, valid_until=request.token_expires_at,
                subject=_l("Confirm your request to join the GFP network"),
                context={"request": request, "days": current_app.config["JOIN_VERIFY_DAYS"],
                         "link": url_for("join.verify", token=raw, _external=True,
                                         lang=mail_locale(request.preferred_language))})


def join_already_open(request, *, now):
    """To an address whose request to join is already with the Office."""
    queue_email(request.email, "join_already_open",
                locale=mail_locale(request.preferred_language), now=now,
                subject=_l("Your request to join the GFP network is already with the Office"),
                context={"request": request})


def join_amend_again(request, raw, *, now):
    """To an address that sent a new request while its request waits for the information the
    Office asked for: a new link (token `raw`) to complete that request."""
    queue_email(request.email, "join_amend_again",
                locale=mail_locale(request.preferred_language), now=now, secret=True,
                valid_until=request.token_expires_at,
                subject=_l("Your request to join the GFP network: more information needed"),
                context={"request": request, "link": _amend_link(request, raw),
                         "days": current_app.config["JOIN_AMEND_DAYS"]})
