"""The emails of the nomination workflow, each in its recipient's language."""
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from gfp_portal.accounts.models import Role, TokenPurpose
from gfp_portal.accounts.services import active_users_with_role, issue_token
from gfp_portal.core.i18n import mail_locale
from gfp_portal.core.outbox import queue_email


def _link(nomination):
    return url_for("nominations.detail", nomination_id=nomination.id, _external=True)


def receipt(nomination, *, now):
    """To the nominator: the nomination (or its new version) reached the Office."""
    user = nomination.nominator
    queue_email(user.email, "nomination_receipt", locale=mail_locale(user.locale), now=now,
                subject=_l("Nomination received: %(name)s", name=nomination.nominee_name),
                context={"user": user, "nomination": nomination, "link": _link(nomination)})


def decision(nomination, *, now):
    """To the nominator: the Office approved, rejected or asked for changes."""
    user = nomination.nominator
    name = nomination.nominee_name
    if nomination.state == "approved":
        subject = _l("Nomination approved: %(name)s", name=name)
    elif nomination.state == "rejected":
        subject = _l("Nomination not approved: %(name)s", name=name)
    else:
        subject = _l("Changes requested to your nomination of %(name)s", name=name)
    queue_email(user.email, "nomination_decision", locale=mail_locale(user.locale), now=now,
                subject=subject,
                context={"user": user, "nomination": nomination, "link": _link(nomination)})


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
    link = url_for("accounts.activate", token=issue_token(user, TokenPurpose.activation,
                                                            now=now), _external=True) \
        if activate else url_for("accounts.login", _external=True)
    queue_email(user.email, "nomination_welcome",
                locale=mail_locale(nomination.preferred_language if activate else user.locale),
                now=now, subject=_l("You are appointed to the network of gender focal points"),
                context={"user": user, "nomination": nomination, "appointment":
                         nomination.appointment, "link": link, "activate": activate,
                         "hours": current_app.config["ACTIVATION_TOKEN_HOURS"]})

