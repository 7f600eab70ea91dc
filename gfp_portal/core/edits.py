"""Edits that cross: two people edit one record at once. An edit form keeps the record's
latest audit event as its page showed it (core.forms.EditsRecord); its save is refused when
it would change a field that somebody changed since, which it would otherwise undo without
a word; the message says who changed which field to what. A change since that the save
leaves as it is (a publication, a field the form does not hold, the same value typed by
both) does not stop it. Two saves of one record sent at the same moment run their check and
save one after the other, so the second is judged against the first."""
import hashlib

from babel.lists import format_list
from flask_babel import gettext as _
from sqlalchemy import false, func, select, update

from gfp_portal.core.audit import events_since, last_event_id
from gfp_portal.core.data_version import DataVersion
from gfp_portal.core.db import db, on_postgresql, row_id_in
from gfp_portal.core.errors import DomainError
from gfp_portal.core.history import field_label, shown_value
from gfp_portal.core.i18n import current_language, isolated

# The longest a changed value is quoted in the message, in characters.
SHOWN_LENGTH = 80


def seen_of(form):
    """The event the page of `form` (EditsRecord) showed (0: the record had none); None when
    the form did not bring a number back (a page shown before this check existed), which the
    check cannot judge."""
    text = (form.seen.data or "").strip()
    if text == "0":
        return 0
    return row_id_in(text)


def showing(record, *forms):
    """Keep in each of `forms` the state of `record` that their page shows: for a page that
    shows them itself, not through unless_crossed (forms among several on a record's page)."""
    seen = str(last_event_id(record))
    for form in forms:
        form.seen.data = seen


def unless_crossed(form, record, save, *, changes_of=None):
    """`save` (one service call that edits `record` from `form`) as the form's page runs it.
    Showing the page, the form keeps the record's latest event. Saving, the call is refused
    with a DomainError that says who changed what, and nothing is saved, when the changes it
    made (`changes_of(result)`, the result itself by default: {field: [old, new]}) name a
    field that an event recorded on `record` since then changed; the form then keeps the
    newest event, so that sending the entries again, once checked, saves them."""
    if not form.is_submitted():
        showing(record, form)
        return save

    def checked():
        _hold(record)
        seen = seen_of(form)
        since = events_since(record, seen) if seen is not None else []
        result = save()
        changes = (changes_of or (lambda value: value))(result)
        crossed = [event for event in since if set(event.changes or {}) & set(changes)]
        if crossed:
            form.seen.data = str(since[-1].id)
            raise DomainError("crossed", _crossed_message(form, record, crossed, changes))
        return result

    return checked


def _hold(record):
    """Hold `record` until this transaction ends: another save of it waits here until this one
    is committed, then reads its event (a record without a row, such as the settings, is held
    too)."""
    hold(f"{record.__tablename__}:{record.id}")


def hold(name):
    """Hold `name` until this transaction ends: another transaction that holds it waits here
    until this one is committed or rolled back. PostgreSQL: a lock named after it, which
    leaves nothing behind. SQLite lets one transaction write at a time: this one starts
    writing now, by an update that changes no row."""
    if on_postgresql():
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        db.session.execute(select(func.pg_advisory_xact_lock(key)))
    else:
        db.session.execute(update(DataVersion).where(false()).values(number=DataVersion.number))


def version_keys(language):
    """`changes_of` for the edit of one language version of a record: its changes as the
    record's events name them ("fr.title")."""
    return lambda changes: [f"{language}.{key}" for key in changes]


def _crossed_message(form, record, events, changes):
    """Who changed which of the fields the save would undo, and to what."""
    people = dict.fromkeys(isolated(event.actor.email) if event.actor
                           else _("an automatic task") for event in events)
    now = {key: pair[1] for event in events for key, pair in (event.changes or {}).items()
           if key in changes}
    order = list(form._fields)  # the fields in the order the page shows them

    def position(key):  # "fr.title" stands where the form shows its title
        name = key.rpartition(".")[2]
        return order.index(name) if name in order else len(order)

    return crossed_message(people, [_field_now(form, record, key, now[key])
                                    for key in sorted(now, key=position)])


def crossed_message(people, fields):
    """The refusal of a save that would undo what `people` (names) changed since its page
    was shown: the `fields` they changed, each as field_now gives it."""
    language = current_language()
    return _("While this page was open, %(people)s changed %(fields)s. Nothing was saved, so "
             "as not to undo that change: your entries are kept below. Check them, then save "
             "again.", people=format_list(list(people), locale=language),
             fields=format_list(list(fields), locale=language))


def _field_now(form, record, key, value):
    """The field by the form's own label when it has one, else the history's, with its value
    now unless it is hidden."""
    field = form._fields.get(key)
    label = str(field.label.text) if field is not None else field_label(record.__tablename__,
                                                                        key)
    shown = shown_value(record.__tablename__, key, value)
    return label if shown is None else field_now(label, shown)


def field_now(label, value):
    """"Start (now: 5 Dec 2026, 14:00)": a field and its value now, shortened."""
    shown = str(value)
    if len(shown) > SHOWN_LENGTH:
        shown = shown[:SHOWN_LENGTH].rstrip() + "…"
    return _("%(field)s (now: %(value)s)", field=label, value=isolated(shown))

