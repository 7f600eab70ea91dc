"""What the audit events of attendance and certificates say."""
from flask_babel import lazy_gettext as _l

from gfp_portal.attendance.models import AttendanceSource, AttendanceStatus
from gfp_portal.core.history import describe, hidden, title_of


def register():
    describe("attendances", title=_l("Attendance"), labels={
        "status": _l("Status"), "minutes": _l("Minutes attended"), "source": _l("Source")},
        values={"status": title_of(AttendanceStatus), "source": title_of(AttendanceSource)},
        sentences={"attendance.mark": _l("Attendance recorded")})
    describe("attendance_imports", title=_l("Meeting report"), labels={
        "file": _l("File"), "marked": _l("People marked")}, values={"sha256": hidden},
        sentences={"attendance.import": _l("Meeting report imported")})
    # Who added a walk-in: the registration's source is one of attendance's own values.
    describe("registrations", values={"source": title_of(AttendanceSource)})
    describe("certificates", title=_l("Certificate"), sentences={
        "certificate.issue": _l("Certificate issued"),
        "certificate.revoke": _l("Certificate revoked"),
        "certificate.reinstate": _l("Certificate valid again")})
    describe("settings", labels={
        "attendance.check_in_opens_minutes": _l("Check-in opens (minutes before the start)"),
        "attendance.check_in_closes_minutes": _l("Check-in closes (minutes after the end)"),
        "attendance.present_percent":
            _l("Present from (percent of the scheduled time, meeting reports)"),
        "attendance.partial_percent": _l("Partly present from (percent of the scheduled time)"),
        "evaluations.open_days": _l("Evaluation open for (days after the session)"),
    })
