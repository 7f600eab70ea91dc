"""The readable summary of a person's data (their own at /me/data, or one a coordinator
produces from the registry) and the anonymisation of a person who left."""
from datetime import date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.accounts.models import Role
from gfp_portal.attendance.models import AttendanceSource, AttendanceStatus
from gfp_portal.core import storage
from gfp_portal.core.auth import roles_required, signed_in
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.http import commit, commit_service, resend_entries, show_domain_error
from gfp_portal.core.i18n import current_language
from gfp_portal.core.outbox import MailStatus
from gfp_portal.core.timezones import moment_reading
from gfp_portal.extensions import db
from gfp_portal.nominations.models import NominationKind, NominationState
from gfp_portal.privacy.anonymise import (
    ANONYMOUS_GIVEN_NAME,
    anonymise_person,
    check_anonymise,
    what_is_erased,
)
from gfp_portal.privacy.forms import AnonymiseForm
from gfp_portal.privacy.personal_data import own_summary, summary_for
from gfp_portal.registry.models import AppointmentRole, AppointmentStatus, EndReason, Person
from gfp_portal.sessions.models import RegistrationStatus

bp = Blueprint("privacy", __name__)

# The enums whose values the summary shows by their translated titles.
TITLES = {"role": AppointmentRole, "appointment": AppointmentStatus,
          "end_reason": EndReason, "registration": RegistrationStatus,
          "attendance": AttendanceStatus, "source": AttendanceSource,
          "nomination": NominationState, "kind": NominationKind, "mail": MailStatus,
          "user_role": Role}


def _summary(document, *, own, person):
    return render_template("privacy/summary.html", document=document, own=own, person=person,
                           titles=TITLES, when=_when, day=_day, language=current_language())


def _shown():
    """Whether the summary is shown to somebody: on a GET. A HEAD (a link checker, a browser's
    prefetch) is answered alike without the page, and audits nothing, as it counts no
    download of a resource."""
    return request.method == "GET"


def _when(text):
    """A time of the document (ISO 8601) in the reader's language and time zone."""
    return moment_reading(datetime.fromisoformat(text), "medium") if text else "—"


def _day(text):
    return format_date(date.fromisoformat(text), "long") if text else "—"


@bp.route("/me/data")
@signed_in
def my_summary():
    """The signed-in person's data, in their language; each view is audited like the file."""
    document = own_summary(current_user, now=utcnow(), audited=_shown())
    commit()
    return _summary(document, own=True, person=None)


@bp.route("/registry/people/<int:person_id>/data")
@roles_required("coordinator")
def person_summary(person_id):
    """A person's data, produced by the Office (for a request made to it); audited with the
    coordinator who produced it."""
    person = db.get_or_404(Person, person_id)
    document = summary_for(person, actor=current_user, now=utcnow(), audited=_shown())
    commit()
    return _summary(document, own=False, person=person)


@bp.route("/registry/people/<int:person_id>/anonymise", methods=["GET", "POST"])
@roles_required("coordinator")
def anonymise(person_id):
    """What anonymising will erase and keep, then the coordinator types the family name."""
    person = db.get_or_404(Person, person_id)
    back = url_for("registry.person", person_id=person.id)
    try:
        check_anonymise(person)
    except DomainError as error:
        show_domain_error(error, None)
        return redirect(back)
    form = AnonymiseForm(expected=person.family_name)
    switching = resend_entries(form)  # checked and shown again, never anonymising
    if form.validate_on_submit() and not switching:
        ok, keys = commit_service(anonymise_person, person, actor=current_user, form=form)
        if ok:
            for key in keys:  # the letters go once the rows that named them are committed
                storage.remove(key)
            flash(_("The person is anonymised: their name and contact data are erased; "
                    "their appointments, registrations and attendance are kept."), "success")
            return redirect(back)
    return render_template("privacy/anonymise.html", person=person, form=form,
                           erased=what_is_erased(person),
                           placeholder=f"{ANONYMOUS_GIVEN_NAME} {person.id}")
