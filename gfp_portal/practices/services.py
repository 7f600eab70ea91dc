"""Practice and award rules: submitting a good practice, the Office's review (changes requested,
published, declined), its language versions; the awards of the network.

Every change writes an audit event; the submitter is told by email, in the same transaction,
when the Office publishes their practice or asks for changes. The Office decides on the text
its page showed, and once: a decision is refused when the practice was changed since, or
decided by another coordinator first, also at the same moment.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from gfp_portal.accounts.models import Role
from gfp_portal.core.audit import diff, events_since, log_action, log_changes, log_creation
from gfp_portal.core.db import locked_in_state, utcnow
from gfp_portal.core.errors import DomainError, required_text
from gfp_portal.core.text import email_addresses
from gfp_portal.extensions import db
from gfp_portal.practices import notices
from gfp_portal.practices.models import (
    OPEN_STATES,
    Award,
    AwardCitation,
    GuidelineArea,
    Practice,
    PracticeState,
    PracticeVersion,
)
from gfp_portal.registry.services import find_person_by_email

FIRST_YEAR = 1990
MAX_PEOPLE = 12
VERSION_FIELDS = ("title", "summary", "body", "results")
# The events after which the Office reads a practice again before deciding on it: what it says
# changed (its text, or its entity, year, area and contacts), or a coordinator asked for changes.
CHANGING_ACTIONS = ("practice.update", "practice.version_add", "practice.version_update",
                    "practice.request_changes")


def languages():
    return current_app.config["LANGUAGES"]


# --- who may do what ---------------------------------------------------------------------------

def own_entities(user):
    """The entities `user` may submit practices for: every one (None) for the Office; for a
    focal point, the entities of their active appointments."""
    if user.is_staff:
        return None
    if not user.has_role(Role.focal_point) or user.person is None:
        return []
    entities = {a.entity.id: a.entity for a in user.person.active_appointments}
    return sorted(entities.values(), key=lambda e: e.acronym.lower())


def may_submit(user):
    """The Office, or a focal point with an active appointment (own_entities is not empty:
    every appointment names an entity, which need not be read to know)."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return (user.has_role(Role.focal_point) and user.person is not None
            and bool(user.person.active_appointments))


def may_edit(user, practice):
    """The Office edits any practice; the submitter theirs while the Office has not decided."""
    if not user.is_authenticated:
        return False
    return user.is_staff or (practice.submitter_id == user.id and practice.is_open)


def _require_editor(practice, actor):
    """Refused unless `actor` may edit the practice. The submitter's change locks it in review
    until it is saved (locked_in_state): a decision sent at the same moment waits for it,
    then finds the practice changed since its page; a change that waited for a decision
    finds the practice decided, and is refused."""
    if not (may_edit(actor, practice) and
            (actor.is_staff or locked_in_state(practice, *OPEN_STATES))):
        raise DomainError("not_editable", _l(
            "Only the Office, or the person who submitted it while it is under review, can "
            "change this practice."))


def _require_coordinator(actor):
    if not actor.is_staff:
        raise DomainError("not_coordinator", _l(
            "Only the Office of the Focal Point for Women reviews good practices."))


def _require_state(practice, *states):
    if practice.state not in states:
        raise DomainError("wrong_state", _l(
            "This practice is %(state)s; that action is no longer possible.",
            state=practice.state.title))


def _lock_in_state(practice, *states):
    """Refused as _require_state refuses, also when the practice is no longer in the state
    this request read (another decision got there first); it stays locked in that state
    until the transaction ends (locked_in_state)."""
    _require_state(practice, *states)
    if not locked_in_state(practice, practice.state):
        _require_state(practice)  # in none of no states: refused, naming the state it is in


def _require_unchanged(practice, seen):
    """Refused when the practice changed (CHANGING_ACTIONS) since the page that showed its
    event `seen` (None: the page showed none to compare): the Office decides on what it
    read."""
    if seen is not None and any(event.action in CHANGING_ACTIONS
                                for event in events_since(practice, seen)):
        raise DomainError("changed_since", _l(
            "This practice was changed while this page was open, so nothing was done: read "
            "it again, then decide."))


# --- shared checks -----------------------------------------------------------------------------

def people_by_emails(text, *, field, visible=None):
    """The people of the registry named by their email addresses (separated by commas, spaces
    or new lines), in the order given; a piece that is only invisible marks (a direction
    mark pasted after a comma) names nobody. An unknown address is refused, as is one of a
    person `visible(person)` says the actor may not read (refused alike: the answer must not
    tell that the registry holds them)."""
    people = []
    for email in email_addresses(text):
        person = find_person_by_email(email)
        if person is None or (visible is not None and not visible(person)):
            raise DomainError("person_unknown", _l(
                "Nobody in the registry has the address %(email)s.", email=email), field=field)
        if person not in people:
            people.append(person)
    if len(people) > MAX_PEOPLE:
        raise DomainError("too_many_people", lazy_ngettext(
            "Name at most %(num)s person.", "Name at most %(num)s people.", MAX_PEOPLE),
            field=field)
    return people


def _check_year(year, now):
    if year is None or not FIRST_YEAR <= year <= now.year + 1:
        raise DomainError("year_invalid", _l(
            "Enter a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=now.year + 1),
            field="year")


def _state(practice):
    return {"entity": practice.entity.acronym if practice.entity else None,
            "year": practice.year, "area": practice.area.value if practice.area else None,
            "contacts": [p.email for p in practice.contacts]}


def _apply(practice, data, actor, now):
    entity = data.get("entity")
    allowed = own_entities(actor)
    if entity is None or (allowed is not None and entity not in allowed):
        raise DomainError("entity_not_own", _l(
            "You can submit practices only for the entities you are a focal point for."),
            field="entity")
    _check_year(data.get("year"), now)
    try:
        area = GuidelineArea(data.get("area"))
    except ValueError:
        raise DomainError("area_invalid", _l("Choose an area."), field="area") from None
    practice.entity, practice.year, practice.area = entity, data["year"], area
    # A focal point names the people the network directory shows (those holding a term), or
    # keeps those the practice names already; the Office names anyone of the registry.
    named = set(practice.contacts)
    practice.contacts = people_by_emails(
        data.get("contacts"), field="contacts", visible=None if actor.is_staff else
        lambda person: person in named or bool(person.active_appointments))


def _version_values(data):
    values = {name: (data.get(name) or "").strip() for name in VERSION_FIELDS}
    if not values["title"]:
        raise DomainError("title_required", _l("Enter the title."), field="title")
    if not values["body"]:
        raise DomainError("body_required", _l("Describe the measures taken."), field="body")
    return values


# --- practices ---------------------------------------------------------------------------------

def submit_practice(data, *, actor, now=None):
    """A new practice by `actor`, sent to the Office for review. `data`: entity, year, area,
    contacts (email addresses), and its first language version: language, title, summary,
    body (the measures taken), results (the figures before and after)."""
    now = now or utcnow()
    practice = Practice(submitter_id=actor.id, created_at=now, submitted_at=now,
                        updated_at=now, state=PracticeState.submitted)
    _apply(practice, data, actor, now)
    language = data.get("language")
    if language not in languages():
        raise DomainError("language_unknown", _l("Choose a language."), field="language")
    practice.versions.append(PracticeVersion(language=language, **_version_values(data)))
    log_creation("practice.submit", practice, lambda p: _state(p) | {"language": language},
                 actor=actor, now=now)
    return practice


def update_practice(practice, data, *, actor, now=None):
    now = now or utcnow()
    _require_editor(practice, actor)
    before = _state(practice)
    _apply(practice, data, actor, now)
    db.session.flush()
    changes = log_changes("practice.update", practice, before, _state(practice), actor=actor,
                          now=now)
    if changes:
        practice.updated_at = now
    return changes


def resubmit_practice(practice, *, actor, now=None):
    """The submitter sends the practice back to the Office after making the changes asked."""
    now = now or utcnow()
    if practice.submitter_id != actor.id:
        raise DomainError("not_submitter", _l(
            "Only the person who submitted this practice can submit it again."))
    _lock_in_state(practice, PracticeState.changes_requested)
    practice.state = PracticeState.submitted
    practice.submitted_at = practice.updated_at = now
    db.session.flush()
    log_action("practice.resubmit", practice, actor=actor, now=now,
               changes={"state": ["changes_requested", "submitted"]})


def request_changes(practice, comment, *, actor, seen=None, now=None):
    """The Office asks the submitter to change the practice, from the page that showed its
    event `seen` (see _require_unchanged)."""
    now = now or utcnow()
    _require_coordinator(actor)
    _lock_in_state(practice, PracticeState.submitted)
    _require_unchanged(practice, seen)
    comment = required_text(comment, "comment_required",
                            _l("Say what the submitter should change."), field="text")
    practice.state = PracticeState.changes_requested
    practice.decision_note = comment
    practice.updated_at = now
    db.session.flush()
    log_action("practice.request_changes", practice, actor=actor, now=now, reason=comment,
               changes={"state": ["submitted", "changes_requested"]})
    notices.decision(practice, actor_id=actor.id, now=now)


def publish_practice(practice, *, actor, seen=None, now=None):
    """The Office publishes the practice, from the page that showed its event `seen` (see
    _require_unchanged)."""
    now = now or utcnow()
    _require_coordinator(actor)
    _lock_in_state(practice, *OPEN_STATES)
    _require_unchanged(practice, seen)
    before = practice.state.value
    practice.state = PracticeState.published
    practice.published_at = practice.updated_at = now
    practice.decision_note = None
    db.session.flush()
    log_action("practice.publish", practice, actor=actor, now=now,
               changes={"state": [before, "published"]})
    notices.decision(practice, actor_id=actor.id, now=now)


def decline_practice(practice, reason, *, actor, seen=None, now=None):
    """The Office declines the practice, from the page that showed its event `seen` (see
    _require_unchanged)."""
    now = now or utcnow()
    _require_coordinator(actor)
    _lock_in_state(practice, *OPEN_STATES)
    _require_unchanged(practice, seen)
    reason = required_text(reason, "reason_required",
                           _l("Give the reason; the submitter will read it."), field="text")
    before = practice.state.value
    practice.state = PracticeState.declined
    practice.decision_note = reason
    practice.updated_at = now
    db.session.flush()
    log_action("practice.decline", practice, actor=actor, now=now, reason=reason,
               changes={"state": [before, "declined"]})


# --- language versions -------------------------------------------------------------------------

def add_version(practice, data, *, actor, now=None):
    """data: language, title, summary, body, results."""
    now = now or utcnow()
    _require_editor(practice, actor)
    language = data.get("language")
    if language not in languages():
        raise DomainError("language_unknown", _l("Choose a language."), field="language")
    if practice.version(language) is not None:
        raise DomainError("version_exists", _l(
            "This practice already has a version in this language."), field="language")
    version = PracticeVersion(language=language, **_version_values(data))
    practice.versions.append(version)
    practice.updated_at = now
    db.session.flush()
    log_action("practice.version_add", practice, actor=actor, now=now,
               changes=diff({}, {"language": language, "title": version.title}))
    return version


def update_version(version, data, *, actor, now=None):
    now = now or utcnow()
    practice = version.practice
    _require_editor(practice, actor)
    values = _version_values(data)
    before = {name: getattr(version, name) for name in VERSION_FIELDS}
    for name, value in values.items():
        setattr(version, name, value)
    changes = diff(before, values)
    if changes:
        practice.updated_at = now
        log_action("practice.version_update", practice, actor=actor, now=now,
                   changes={f"{version.language}.{k}": v for k, v in changes.items()})
    db.session.flush()
    return changes


# --- awards ------------------------------------------------------------------------------------

def _award_state(award):
    return {"year": award.year, "event": award.event, "name": award.name,
            "entity": award.entity.acronym if award.entity else None,
            "recipients": [p.email for p in award.recipients],
            **{f"citation.{c.language}": c.text for c in award.citations}}


def _apply_award(award, data, now):
    _check_year(data.get("year"), now)
    event = required_text(data.get("event"), "event_required", _l("Enter the event."),
                          field="event")
    name = required_text(data.get("name"), "name_required", _l("Enter the name of the award."),
                         field="name")
    recipients = people_by_emails(data.get("recipients"), field="recipients")
    if not recipients:
        raise DomainError("recipients_required", _l(
            "Name at least one recipient by their email address."), field="recipients")
    citations = {code: (data.get("citations", {}).get(code) or "").strip()
                 for code in languages()}
    if not any(citations.values()):
        raise DomainError("citation_required", _l("Write the citation in at least one "
                                                  "language."), field="citation_en")
    award.year, award.event, award.name = data["year"], event, name
    award.entity = data.get("entity")
    award.recipients = recipients
    kept = {c.language: c for c in award.citations}
    award.citations = []
    for code, text in citations.items():
        if text:
            citation = kept.get(code) or AwardCitation(language=code)
            citation.text = text
            award.citations.append(citation)


def create_award(data, *, actor, now=None):
    """data: year, event, name, entity (or None), recipients (email addresses), citations
    ({language: text})."""
    now = now or utcnow()
    award = Award(created_at=now)
    _apply_award(award, data, now)
    log_creation("award.create", award, _award_state, actor=actor, now=now)
    return award


def update_award(award, data, *, actor, now=None):
    now = now or utcnow()
    before = _award_state(award)
    _apply_award(award, data, now)
    db.session.flush()
    return log_changes("award.update", award, before, _award_state(award), actor=actor,
                       now=now)


def delete_award(award, *, actor, now=None):
    log_action("award.delete", award, actor=actor, now=now,
               changes=diff(_award_state(award), {}))
    db.session.delete(award)
    db.session.flush()
