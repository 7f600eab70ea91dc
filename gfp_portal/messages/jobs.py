"""The job that writes a message's emails to the outbox, batch after batch. It writes them
all or nothing (core.jobs), skips the people already queued, and may run again for the same
message (services.retry_message) without emailing anyone twice."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core.errors import DomainError
from gfp_portal.core.jobs import JobPage, job
from gfp_portal.extensions import db
from gfp_portal.messages.models import MessageStatus, NetworkMessage
from gfp_portal.messages.services import deliver_message


def _outcome(result):
    return [ngettext("%(num)s email is queued for sending, each in its recipient's language.",
                     "%(num)s emails are queued for sending, each in its recipient's "
                     "language.", result["queued"])]


def _back(params):
    return url_for("messages.detail", message_id=params["message_id"]), _l("The message")


@job("messages.send", JobPage(_l("Message to the network"), _outcome, _back))
def send(run, *, message_id):
    # Locked until the job commits: two runs for the same message (a retry, a worker taken
    # for dead that goes on) run one after the other, and the second sees the first's
    # recipients, whom deliver_message skips.
    message = db.session.get(NetworkMessage, message_id, with_for_update=True,
                             populate_existing=True)
    if message is None or message.status != MessageStatus.sending:
        raise DomainError("no_message", _l("This message no longer waits to be sent."))
    queued = deliver_message(message, now=run.now, progress=run.progress)
    return {"message_id": message_id, "queued": queued}
