"""The agenda of a session: items in order of time, each with a multilingual title and
description and its presenters (people of the registry, members of the Office, guests)."""
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from gfp_portal.core.audit import log_action
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import current_language, join_list, language_fields
from gfp_portal.core.text import email_addresses
from gfp_portal.core.timezones import zone_label
from gfp_portal.extensions import db
from gfp_portal.programme.models import AgendaItem, AgendaPresenter, Guest, Sector
from gfp_portal.programme.queries import agenda_of
from gfp_portal.registry.services import find_person_by_email

TEXT_FIELDS = language_fields("title", "description")


def _state(item):
    state = {field: getattr(item, field) for field in TEXT_FIELDS}
    state["starts_at"] = item.starts_at.isoformat() if item.starts_at else None
    state["presenters"] = sorted(presenter_key(p) for p in item.presenters)
    return state


def presenter_key(presenter):
    if presenter.person_id or presenter.person:
        return f"person:{presenter.person_id or presenter.person.id}"
    if presenter.user_id or presenter.user:
        return f"user:{presenter.user_id or presenter.user.id}"
    return f"guest:{presenter.guest_id or presenter.guest.id}"


def _check_time(session, starts_at):
    if starts_at is None or not session.starts_at <= starts_at < session.ends_at:
        raise DomainError("outside_session", _l(
            "The item must start during the session, between its start and its end."),
            field="starts_at")


def _apply(item, data, presenters):
    for field in TEXT_FIELDS:
        value = (data.get(field) or "").strip() or None
        setattr(item, field, value)
    if not item.title_en:
        raise DomainError("title_required", _l("Enter the title in English."), field="title_en")
    _check_time(item.session, data.get("starts_at"))
    item.starts_at = data["starts_at"]
    wanted = {presenter_key(p): p for p in presenters}
    for current in list(item.presenters):
        if presenter_key(current) not in wanted:
            item.presenters.remove(current)
    kept = {presenter_key(p) for p in item.presenters}
    item.presenters.extend(p for key, p in wanted.items() if key not in kept)


def presenter(*, person=None, user=None, guest=None):
    """An unsaved presenter naming one of the three (given to add_item/update_item)."""
    return AgendaPresenter(person=person, user=user, guest=guest,
                           person_id=getattr(person, "id", None),
                           user_id=getattr(user, "id", None),
                           guest_id=getattr(guest, "id", None))


def people_presenting(text):
    """Unsaved presenters for the people of the registry named by their email addresses in
    `text` (a typed or pasted list); an unknown address is refused on the form's field."""
    presenters = []
    for email in email_addresses(text):
        person = find_person_by_email(email)
        if person is None:
            raise DomainError("unknown_person", _("Nobody in the registry has the address "
                                                  "%(email)s.", email=email[:320]),
                              field="people")
        presenters.append(presenter(person=person))
    return presenters


def _renumber(session):
    """Items in order of time (then of their place so far), numbered from 0."""
    items = db.session.scalars(select(AgendaItem).where(AgendaItem.session_id == session.id)
                               .order_by(AgendaItem.position, AgendaItem.id)).all()
    for position, item in enumerate(items):
        item.position = position
    return items


def add_item(session, data, presenters=(), *, actor, now=None):
    """A new item, placed after the items that start at the same time or earlier."""
    now = now or utcnow()
    item = AgendaItem(session=session, created_at=now)
    _apply(item, data, presenters)
    later = db.session.scalars(select(AgendaItem).where(
        AgendaItem.session_id == session.id, AgendaItem.starts_at > item.starts_at)
        .order_by(AgendaItem.position)).first()
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(
        AgendaItem.session_id == session.id))
    if later is not None:
        for other in db.session.scalars(select(AgendaItem).where(
                AgendaItem.session_id == session.id, AgendaItem.position >= later.position)):
            other.position += 1
        item.position = later.position - 1
    else:
        item.position = -1 if last is None else last + 1
    db.session.add(item)
    db.session.flush()
    _renumber(session)
    db.session.flush()
    log_action("agenda.add", item, actor=actor, now=now,
               changes={k: [None, v] for k, v in _state(item).items() if v})
    return item


def update_item(item, data, presenters=(), *, actor, now=None):
    now = now or utcnow()
    before = _state(item)
    _apply(item, data, presenters)
    db.session.flush()
    after = _state(item)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        log_action("agenda.update", item, actor=actor, now=now, changes=changes)
    return changes


def move_item(item, direction, *, actor, now=None):
    """One place up or down the agenda (the order shown, whatever the times)."""
    if direction not in ("up", "down"):
        raise DomainError("bad_direction", _l("An item moves up or down."))
    items = _renumber(item.session)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        raise DomainError("cannot_move", _l("This item cannot move further."))
    items[index].position, items[other].position = other, index
    db.session.flush()
    log_action("agenda.move", item, actor=actor, now=now,
               changes={"position": [index, other]})


def follow_session(session, starts_before, *, actor, now=None):
    """The items keep their place in a session that moved: each as long after its start as
    before. An item that would then fall outside the session (cut shorter) refuses the
    change, named in the reader's language."""
    now = now or utcnow()
    shift = session.starts_at - starts_before
    for item in agenda_of(session):
        starts = item.starts_at + shift
        if not session.starts_at <= starts < session.ends_at:
            raise DomainError("agenda_outside", _l(
                "The agenda item “%(title)s” would fall outside the session. End the session "
                "later, or change or delete the item first.",
                title=item.text("title", current_language())), field="ends_at")
        if shift:
            before, item.starts_at = item.starts_at, starts
            log_action("agenda.update", item, actor=actor, now=now,
                       changes={"starts_at": [before.isoformat(), starts.isoformat()]})


def delete_item(item, *, actor, now=None):
    session = item.session
    log_action("agenda.delete", item, actor=actor, now=now,
               changes={k: [v, None] for k, v in _state(item).items() if v})
    db.session.delete(item)
    db.session.flush()
    _renumber(session)
    db.session.flush()


def delete_agenda(session, *, actor, now=None):
    """Every item of the session's agenda (the session is deleted)."""
    for item in agenda_of(session):
        log_action("agenda.delete", item, actor=actor, now=now,
                   changes={k: [v, None] for k, v in _state(item).items() if v})
        db.session.delete(item)
    db.session.flush()


def add_guest_presenter(name, organisation, sector, *, actor, now=None):
    """A guest who presents without asking for a place: a name, an organisation and a
    sector, and no email address."""
    now = now or utcnow()
    name, organisation = (name or "").strip(), (organisation or "").strip()
    if not name or not organisation:
        raise DomainError("guest_incomplete", _l(
            "Give the guest presenter's name and organisation."), field="guest_name")
    try:
        sector = Sector(sector)
    except ValueError:
        raise DomainError("bad_sector", _l("Choose the guest's sector."),
                          field="guest_sector") from None
    guest = Guest(name=name, organisation=organisation, sector=sector, created_at=now)
    db.session.add(guest)
    db.session.flush()
    log_action("guest.create", guest, actor=actor, now=now,
               changes={"name": [None, name], "organisation": [None, organisation]})
    return guest


def readings(item, viewer_zone, locale):
    """The item's start as a viewer reads it: "10:00 Nairobi (UTC+3)", then in the session's
    zone when it differs, as session times are shown. The day comes first when the session
    spans more than one day in that zone."""
    zones = [viewer_zone or "UTC"]
    if zones[0] != item.session.time_zone:
        zones.append(item.session.time_zone)
    return [_reading(item, name, locale) for name in zones]


def _reading(item, zone_name, locale, *, isolate=True):
    """The item's start in one zone, with the zone named: "10:00 Nairobi (UTC+3)"."""
    zone = ZoneInfo(zone_name)
    label = zone_label(zone_name, item.starts_at.astimezone(zone), locale, isolate=isolate)
    return f"{_moment(item, zone, locale)} {label}"


def _moment(item, zone, locale):
    """The item's start in `zone`: its time, with its day when the session has several."""
    moment = item.starts_at.astimezone(zone)
    time = format_time(moment, "short", locale=locale)
    session = item.session
    if session.starts_at.astimezone(zone).date() == session.ends_at.astimezone(zone).date():
        return time
    # The locale's own way to join a date and a time, as the session's times are joined.
    return str(Locale.parse(locale).datetime_formats["medium"]).format(
        time, format_date(moment.date(), "medium", locale=locale))


def invitation_lines(session, language, zone_name):
    """The agenda as an invitation's description gives it (plain text, in `language`, times
    in the recipient's zone, named on each line as the session's times are named above it):
    a heading, then one line per item with its presenters."""
    items = agenda_of(session)
    if not items:
        return []
    lines = [_("Agenda:")]
    for item in items:
        names = join_list((p.name for p in item.presenters), language)
        reading = _reading(item, zone_name or "UTC", language, isolate=False)
        line = f"{reading} {item.text('title', language)}"
        lines.append(f"{line} ({names})" if names else line)
    return ["\n".join(lines)]
