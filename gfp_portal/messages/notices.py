"""The email of a message to the network, in the recipient's language (English when the
message has no text in theirs)."""
from flask import url_for

from gfp_portal.core.outbox import queue_email
from gfp_portal.messages.models import MessageKind


def network_message(message, person, language, *, unsubscribe, signs_in, now):
    """Queue `message` for `person` in `language`; a newsletter carries the person's
    unsubscribe link (`unsubscribe`, a signed token), so no page shows its text. One who
    `signs_in` with an account that opens the archive is pointed to the message there,
    behind the sign-in; anyone else (no account, one they cannot sign in with, or one whose
    roles the archive refuses) is not. Returns the outbox message."""
    newsletter = message.kind == MessageKind.newsletter
    leave = url_for("messages.unsubscribe", token=unsubscribe, lang=language,
                    _external=True) if newsletter else None
    return queue_email(
        person.email, "network_message", locale=language, now=now, secret=newsletter,
        subject=message.text("subject", language),
        # Bulk mail (notices and newsletters alike): Exchange and most mail servers send no
        # out-of-office reply to it; a newsletter also tells a mail programme's own
        # "Unsubscribe" button (RFC 2369) where to go, in one click (RFC 8058).
        headers={"Precedence": "bulk",
                 **({"List-Unsubscribe": f"<{leave}>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
                    if newsletter else {})},
        context={"message": message, "person": person,
                 "text_language": message.text_language("body", language),
                 "body": message.text("body", language),
                 "link": url_for("messages.detail", message_id=message.id, _external=True)
                 if signs_in else None,
                 "unsubscribe": leave})
