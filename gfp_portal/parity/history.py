"""What the parity figures' audit events and settings say."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import describe


def register():
    describe("parity_imports", title=_l("Parity figures import"), labels={
        "file": _l("File"), "rows": _l("Rows")},
        sentences={"parity.import": _l("Parity figures imported")})
    describe("settings", labels={
        "parity.range_min": _l("Parity range: lowest share of women (%)"),
        "parity.range_max": _l("Parity range: highest share of women (%)")})
