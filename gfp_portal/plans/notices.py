"""The emails of implementation plans, each in its recipient's language: a review note of the
Office and the reminder of the submission deadline, to the responsible focal points. The plan's
page is behind the sign-in: one who can sign in is sent to it, anyone else (no account, or one
they cannot sign in with) to the Office's mailbox."""
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from gfp_portal.core.i18n import mail_locale
from gfp_portal.core.outbox import queue_email
from gfp_portal.plans import queries
from gfp_portal.registry.queries import signing_in


def _links(plan, people):
    """person id -> the plan's page for those of `people` who can sign in, None for the
    others; and the Office's mailbox, named to them instead."""
    signers = signing_in({person.id for person in people})
    link = url_for("plans.detail", plan_id=plan.id, _external=True)
    return ({person.id: link if person.id in signers else None for person in people},
            current_app.config["ORGANIZER_EMAIL"])


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
    links, office = _links(plan, people)
    for person in people:
        queue_email(person.email, "plan_note", locale=mail_locale(person.preferred_language),
                    now=now,
                    subject=_l("Implementation plan of %(entity)s: a review note from the "
                               "Office", entity=plan.entity.acronym),
                    context={"person": person, "plan": plan, "note": note,
                             "link": links[person.id], "office": office})
    return len(people)


def deadline_reminder(plan, days_left, *, now):
    """To each responsible focal point: the plan is due in `days_left` days."""
    people = recipients(plan, today=now.date())
    links, office = _links(plan, people)
    for person in people:
        queue_email(person.email, "plan_reminder",
                    locale=mail_locale(person.preferred_language), now=now,
                    subject=_l("Implementation plan of %(entity)s: the submission deadline "
                               "is near", entity=plan.entity.acronym),
                    context={"person": person, "plan": plan, "days_left": days_left,
                             "link": links[person.id], "office": office})
    return len(people)
