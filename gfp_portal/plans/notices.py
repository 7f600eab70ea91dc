"""The emails of implementation plans, each in its recipient's language: a review note of the
Office and the reminder of the submission deadline, to the responsible focal points."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from gfp_portal.core.i18n import mail_locale
from gfp_portal.core.outbox import queue_email
from gfp_portal.plans import queries


def _link(plan):
    return url_for("plans.detail", plan_id=plan.id, _external=True)


def recipients(plan, *, today=None):
    """The plan's responsible focal points who can be written to on `today`: those who still
    hold an active appointment for its entity (or one whose end was entered ahead, until its
    last day), not those anonymised since (their address is erased)."""
    acting = queries.acting_ids(plan, [person.id for person in plan.responsible], today=today)
    return [person for person in plan.responsible
            if person.id in acting and person.anonymised_at is None]


def review_note(plan, note, *, now):
    """To each responsible focal point: the Office wrote a review note on the plan."""
    people = recipients(plan, today=now.date())
    for person in people:
        queue_email(person.email, "plan_note", locale=mail_locale(person.preferred_language),
                    now=now,
                    subject=_l("Implementation plan of %(entity)s: a review note from the "
                               "Office", entity=plan.entity.acronym),
                    context={"person": person, "plan": plan, "note": note,
                             "link": _link(plan)})
    return len(people)


def deadline_reminder(plan, days_left, *, now):
    """To each responsible focal point: the plan is due in `days_left` days."""
    people = recipients(plan, today=now.date())
    for person in people:
        queue_email(person.email, "plan_reminder",
                    locale=mail_locale(person.preferred_language), now=now,
                    subject=_l("Implementation plan of %(entity)s: the submission deadline "
                               "is near", entity=plan.entity.acronym),
                    context={"person": person, "plan": plan, "days_left": days_left,
                             "link": _link(plan)})
    return len(people)
