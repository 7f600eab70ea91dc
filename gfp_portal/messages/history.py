"""What the audit events of messages to the network say, and the one setting they read."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import describe, hidden, title_of
from gfp_portal.messages.models import MessageKind


def register():
    describe("network_messages", title=_l("Message to the network"), labels={
        "kind": _l("Kind of message"), "subject": _l("Subject"), "audience": _l("Audience"),
        "recipients": _l("Recipients"),
    }, values={"kind": title_of(MessageKind), "audience": hidden},
        sentences={"message.send": _l("Message sent to the network"),
                   "message.retry": _l("Sending of the message started again")})
    describe("people", labels={"newsletter": _l("Receives the newsletter")}, sentences={
        "newsletter.opt_out": _l("Stopped receiving the newsletter"),
        "newsletter.opt_in": _l("Receives the newsletter again"),
    })
    describe("settings", labels={"messages.per_minute":
                                 _l("Messages to the network: emails sent per minute")})
