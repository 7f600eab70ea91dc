"""What the audit events of a session's programme say: the items of its agenda, its guests,
their invitation links and their places."""
from flask_babel import format_decimal, lazy_pgettext
from flask_babel import lazy_gettext as _l

from gfp_portal.attendance.models import AttendanceStatus
from gfp_portal.core.history import describe, hidden
from gfp_portal.programme.models import GuestPlaceStatus
from gfp_portal.sessions.history import text_labels


def _place_or_attendance(value):
    """A guest's place is audited by its status, and their attendance by theirs."""
    statuses = GuestPlaceStatus if value in {s.value for s in GuestPlaceStatus} \
        else AttendanceStatus
    return str(statuses(value).title)


def register():
    describe("agenda_items", title=_l("Agenda item"), labels={
        **text_labels(), "starts_at": _l("Starts"), "presenters": _l("Presenters"),
        "position": _l("Place in the agenda"),
    }, values={
        # Who presents is stored by keys ("guest:2"): the history gives how many.
        "presenters": lambda keys: format_decimal(len(keys)),
        "position": lambda index: format_decimal(index + 1),
    }, sentences={
        "agenda.add": _l("Agenda item added"), "agenda.update": _l("Agenda item changed"),
        "agenda.move": _l("Agenda item moved"), "agenda.delete": _l("Agenda item deleted"),
    })
    describe("guests", title=_l("Guest"), labels={
        "name": _l("Name"), "organisation": _l("Organisation")},
        sentences={"guest.create": _l("Guest presenter added")})
    describe("guest_invitations", title=_l("Invitation link"), labels={
        "session": _l("Session"), "places": _l("Places"),
        "revoked": lazy_pgettext("invitation link", "Withdrawn")},
        values={"session": hidden}, sentences={
        "guest_invitation.create": _l("Invitation link created"),
        "guest_invitation.revoke": _l("Invitation link withdrawn"),
        "guest_invitation.delete": _l("Invitation link deleted with its draft session"),
    })
    describe("guest_registrations", title=_l("Guest's place"), labels={
        "status": _l("Status")}, values={"status": _place_or_attendance}, sentences={
        "guest_place.request": _l("Place asked for by a guest"),
        "guest_place.confirm": _l("Guest's place confirmed"),
        "guest_place.cancel": _l("Guest's place cancelled"),
        "guest_attendance.mark": _l("Guest's attendance recorded"),
        "guest_certificate.issue": _l("Guest's certificate issued"),
    })
