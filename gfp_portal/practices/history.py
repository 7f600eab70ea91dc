"""What the audit events of good practices and awards say."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from gfp_portal.core.history import describe, language_value, title_of
from gfp_portal.practices.models import GuidelineArea, Practice, PracticeState


def register():
    describe("practices", title=_l("Good practice"),
             page=(Practice, "practices.detail", "practice_id"), labels={
        "entity": _l("Entity"), "year": _l("Year"),
        "area": _l("Area of the Enabling Environment Guidelines"), "contacts": _l("Contacts"),
        "state": _l("State"), "language": _l("Language"), "title": _l("Title"),
        "summary": _l("Summary"), "body": _l("Measures taken"),
        "results": _l("Results: figures before and after"),
    }, values={"area": title_of(GuidelineArea), "state": title_of(PracticeState),
               "language": language_value}, sentences={
        "practice.submit": _l("Good practice submitted"),
        "practice.update": _l("Good practice updated"),
        "practice.resubmit": _l("Changed and submitted again"),
        "practice.request_changes": _l("Changes requested from the submitter"),
        "practice.publish": _l("Good practice published"),
        "practice.decline": _l("Good practice declined"),
        "practice.version_add": _l("Language version added"),
        "practice.version_update": _l("Language version updated"),
    })
    describe("awards", title=_l("Award"), labels={
        "year": _l("Year"), "event": _l("Event"), "name": _l("Award"), "entity": _l("Entity"),
        "recipients": lazy_pgettext("award", "Recipients"),
        "citation.en": _l("Citation in English"), "citation.fr": _l("Citation in French"),
        "citation.es": _l("Citation in Spanish"), "citation.ar": _l("Citation in Arabic"),
    }, sentences={"award.create": _l("Award added"), "award.update": _l("Award updated"),
                  "award.delete": _l("Award deleted")})
    describe("settings", labels={"practices.public": _l(
        "Published good practices are open to every visitor, signed in or not")})
