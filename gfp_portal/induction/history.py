"""What the audit events of the induction path say."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import describe


def register():
    describe("induction_paths", title=_l("Induction path"), sentences={
        "induction.terms_read": _l("Terms of reference marked as read"),
        "induction.complete": _l("Induction path completed"),
    })
    describe("settings", labels={
        "induction.terms_of_reference": _l("Induction: address of the terms of reference in "
                                           "the library"),
        "induction.key_guidelines": _l("Induction: addresses of the key guidelines in the "
                                       "library"),
        "induction.recent_days": _l("Induction: appointments started within (days)"),
    })
