"""NetworkMessage (a notice or newsletter, kept as a draft until sent), its recipients (who got
which language, through which outbox message) and the newsletter opt-outs."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.i18n import LANGUAGES
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person


class MessageKind(TitledEnum):
    """A notice goes to everyone in the audience; a newsletter skips those who opted out."""
    notice = _l("Mandatory notice")
    newsletter = _l("Newsletter")


class MessageStatus(TitledEnum):
    draft = lazy_pgettext("message status", "Draft")
    sending = lazy_pgettext("message status", "Sending")
    sent = lazy_pgettext("message status", "Sent")


class NetworkMessage(db.Model):
    """Subject and body in each language (English required, the others fall back to it) and
    the audience's filters as plain data; once sent, the counts it was sent with."""

    __tablename__ = "network_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = enum_column(MessageKind, length=16)
    status: Mapped[MessageStatus] = enum_column(MessageStatus, length=16,
                                                default=MessageStatus.draft)
    subject_en: Mapped[str] = mapped_column(String(200), default="")
    subject_fr: Mapped[str | None] = mapped_column(String(200))
    subject_es: Mapped[str | None] = mapped_column(String(200))
    subject_ar: Mapped[str | None] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text, default="")
    body_fr: Mapped[str | None] = mapped_column(Text)
    body_es: Mapped[str | None] = mapped_column(Text)
    body_ar: Mapped[str | None] = mapped_column(Text)
    # {"role", "status", "entity", "entity_type", "unct", "region", "language",
    #  "not_attended", "below_parity"}: see queries.audience().
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"en": n, "fr": n, "es": n, "ar": n, "fallback": n, "opted_out": n}, set when sent.
    counts: Mapped[dict | None] = mapped_column(JSON)
    recipient_count: Mapped[int | None]
    job_id: Mapped[str | None] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    def has_language(self, language):
        """Whether both the subject and the body exist in `language` (English is complete)."""
        return bool(getattr(self, f"subject_{language}", None) and
                    getattr(self, f"body_{language}", None))

    def reading_language(self, language):
        """The language a reader of `language` gets the message in: theirs when it is
        written in it, else English."""
        return language if language in LANGUAGES and self.has_language(language) else "en"

    def text(self, field, language):
        """The subject or body a reader of `language` gets."""
        return getattr(self, f"{field}_{self.reading_language(language)}") or ""

    def text_language(self, field, language):
        """The language text(field, language) is in: for the `lang` attribute."""
        return self.reading_language(language)


class MessageRecipient(db.Model):
    """One person a message was queued for, in which language, and its outbox message (for
    the delivery status)."""

    __tablename__ = "network_message_recipients"

    message_id: Mapped[int] = mapped_column(ForeignKey("network_messages.id",
                                                       ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    language: Mapped[str] = mapped_column(String(8))
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"))


class NewsletterOptOut(db.Model):
    """A person who does not want the newsletter (mandatory notices still reach them)."""

    __tablename__ = "newsletter_opt_outs"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # "profile", "link" or "one-click"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship()
