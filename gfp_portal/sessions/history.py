"""What the audit events of training sessions and registrations say."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import (
    describe,
    hidden,
    language_value,
    plain_value,
    title_of,
    zone_value,
)
from gfp_portal.sessions.models import (
    LANGUAGES,
    Audience,
    Format,
    RegistrationStatus,
    SessionStatus,
    Topic,
)

_TEXT_LABELS = {"title": {"en": _l("Title in English"), "fr": _l("Title in French"),
                          "es": _l("Title in Spanish"), "ar": _l("Title in Arabic")},
                "description": {"en": _l("Description in English"),
                                "fr": _l("Description in French"),
                                "es": _l("Description in Spanish"),
                                "ar": _l("Description in Arabic")}}


def _languages(codes):
    return plain_value([language_value(c) for c in codes]) if isinstance(codes, list) \
        else language_value(codes)


def register():
    labels = {f"{field}_{lang}": _TEXT_LABELS[field][lang]
              for field in _TEXT_LABELS for lang in LANGUAGES}
    labels.update({
        "topic": _l("Topic"), "format": _l("Format"), "starts_at": _l("Starts"),
        "ends_at": _l("Ends"), "time_zone": _l("Time zone of the session"),
        "join_url": _l("Join link"), "venue": _l("Venue"), "languages": _l("Delivered in"),
        "capacity": _l("Seats"), "registration_opens_at": _l("Registration opens"),
        "registration_closes_at": _l("Registration closes"), "audience": _l("For"),
        "series_id": _l("Series"), "status": _l("Status"), "duplicate_of": _l("Copy of"),
    })
    describe("training_sessions", title=_l("Training session"), labels=labels, values={
        "topic": title_of(Topic), "format": title_of(Format), "audience": title_of(Audience),
        "status": title_of(SessionStatus), "languages": _languages, "series_id": hidden,
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
