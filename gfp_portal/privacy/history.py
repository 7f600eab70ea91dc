"""What the audit events of the privacy package say, and the labels of its settings."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import describe
from gfp_portal.privacy.anonymise import RETENTION

SETTING_LABELS = {
    "privacy.unconfirmed_request_days": _l("Keep requests to join never confirmed for (days)"),
    "privacy.contact_data_days": _l("Anonymise people whose last appointment ended more than "
                                    "(days) ago"),
    "privacy.guest_data_days": _l("Anonymise guests whose last session ended more than (days) "
                                  "ago"),
    "privacy.audit_detail_days": _l("Keep the details of audit events for (days)"),
    "privacy.mail_body_days": _l("Keep the text of sent emails for (days)"),
}


def register():
    describe("people", sentences={
        "person.anonymise": _l("Personal data anonymised"),
        "person.data_summary": _l("Summary of personal data produced by the Office"),
    }, reasons={RETENTION: _l("Under the retention periods")})
    describe("guests", sentences={"guest.anonymise": _l("Personal data anonymised")})
    describe("users", sentences={"user.data_summary": _l("Own data summary viewed")})
    describe("system", title=_l("System"), labels={
        "unconfirmed_requests": _l("Requests to join never confirmed deleted"),
        "contact_data": _l("People anonymised"),
        "guest_data": _l("Guests anonymised"),
        "audit_details": _l("Audit details emptied"),
        "mail_bodies": _l("Email texts cleared"),
    }, sentences={"privacy.retention": _l("Retention periods applied")})
    describe("settings", labels=SETTING_LABELS)
