"""What the audit events of training sessions and registrations say."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import describe, hidden, languages_value, title_of, zone_value
from gfp_portal.core.i18n import LANGUAGES
from gfp_portal.sessions.models import (
    Audience,
    Format,
    RegistrationStatus,
    SessionStatus,
    TrainingSession,
    WaitlistPolicy,
)
from gfp_portal.sessions.topics import topic_by_key

_TEXT_LABELS = {"title": {"en": _l("Title in English"), "fr": _l("Title in French"),
                          "es": _l("Title in Spanish"), "ar": _l("Title in Arabic")},
                "description": {"en": _l("Description in English"),
                                "fr": _l("Description in French"),
                                "es": _l("Description in Spanish"),
                                "ar": _l("Description in Arabic")}}


def _topic_name(key):
    topic = topic_by_key(key) if key else None
    return str(topic.title) if topic is not None else key


def text_labels():
    """{"title_en": "Title in English", …}: the labels of the title and the description in
    each language, for a session and for the items of its agenda."""
    return {f"{field}_{lang}": _TEXT_LABELS[field][lang]
            for field in _TEXT_LABELS for lang in LANGUAGES}


def register():
    labels = text_labels()
    labels.update({
        "topic": _l("Topic"), "format": _l("Format"), "starts_at": _l("Starts"),
        "waitlist_policy": _l("Waiting list"),
        "ends_at": _l("Ends"), "time_zone": _l("Time zone of the session"),
        "join_url": _l("Join link"), "venue": _l("Venue"), "languages": _l("Delivered in"),
        "capacity": _l("Seats"), "registration_opens_at": _l("Registration opens"),
        "registration_closes_at": _l("Registration closes"), "audience": _l("For"),
        "series_id": _l("Series"), "status": _l("Status"), "duplicate_of": _l("Copy of"),
    })
    describe("training_sessions", title=_l("Training session"), labels=labels,
             page=(TrainingSession, "sessions.detail", "session_id"), values={
        "topic": _topic_name, "format": title_of(Format), "audience": title_of(Audience),
        "waitlist_policy": title_of(WaitlistPolicy),
        "status": title_of(SessionStatus), "languages": languages_value, "series_id": hidden,
        "duplicate_of": hidden, "time_zone": zone_value,
    }, sentences={
        "session.create": _l("Session created as a draft"),
        "session.update": _l("Session changed"),
        "session.publish": _l("Session published: registration open"),
        "session.cancel": _l("Session cancelled"),
        "session.delete": _l("Draft deleted"),
        "session.duplicate": _l("Session copied from another session"),
        "check_in.rotate": _l("New check-in code"),
    })
    describe("training_series", title=_l("Series"), labels={"title_en": _l("Title in English")},
             sentences={"series.create": _l("Series created")})
    describe("registrations", title=_l("Registration"), labels={
        "session": _l("Session"), "person": _l("Person"), "status": _l("Status"),
        "source": _l("Source")},
        values={"session": hidden, "person": hidden, "status": title_of(RegistrationStatus)},
        sentences={
        "registration.create": _l("Registered for the session"),
        "registration.promote": _l("Given a seat from the waiting list"),
        "registration.withdraw": _l("Registration cancelled by the person"),
        "registration.remove": _l("Removed from the session by the Office"),
        "registration.walk_in": _l("Added as a walk-in: joined without registering"),
    })
    describe("settings", labels={
        "sessions.reminder_hours": _l("Session reminder (hours before the start)")})
    describe("topics", title=_l("Topic"), labels={
        "key": _l("Key"), "name_en": _l("Name in English"), "name_fr": _l("Name in French"),
        "name_es": _l("Name in Spanish"), "name_ar": _l("Name in Arabic"),
        "is_active": _l("Offered for new sessions"), "is_induction": _l("Induction topic"),
        "position": _l("Order")}, sentences={
        "topic.create": _l("Topic added"),
        "topic.update": _l("Topic changed"),
        "topic.activate": _l("Topic offered again for new sessions"),
        "topic.deactivate": _l("Topic no longer offered for new sessions"),
        "topic.delete": _l("Topic deleted"),
    })
