"""What an audit event says, in the reader's language: each domain describes its own events
(its `history.py` calls `describe`), the history and audit pages read them through `entry`."""
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from babel.lists import format_list
from flask import url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from gfp_portal.core.db import db
from gfp_portal.core.i18n import collation_key, current_language, language_label, language_name
from gfp_portal.core.jobs import JobState
from gfp_portal.core.outbox import MailStatus, OutboxMessage
from gfp_portal.core.timezones import moment_reading, zone_name

_TITLES = {}     # object_type -> what the object is ("Appointment")
_SENTENCES = {}  # action -> sentence, or callable(values) -> sentence
_LABELS = {}     # (object_type, field) -> label
_VALUES = {}     # (object_type, field) -> callable(value) -> text; None hides the field
_REASONS = {}    # a reason the portal writes as a code ("retention") -> what it says
_PAGES = {}      # object_type -> (model, endpoint of a record's page, its id's argument)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_LANGUAGE_CODES = ("en", "fr", "es", "ar")
# A field of one language version: "fr.title", "citation.fr", "title_fr".
_LANGUAGE_FIELD = re.compile(r"^(en|fr|es|ar)\.|[._](en|fr|es|ar)$")
_DIGEST = re.compile(r"^[0-9a-f]{40,}$")


def describe(object_type, *, title=None, sentences=None, labels=None, values=None,
             reasons=None, page=None):
    """Called by each domain for the objects it writes events about (a higher domain may add
    how to show a value only it knows). `reasons` say in words the reasons its jobs write as
    codes; any other reason was typed by a person and reads as typed. `page` is (model,
    endpoint, name of the id's argument) of the page every reader of the audit log may open
    for one such record."""
    if title is not None:
        _TITLES[object_type] = title
    if page is not None:
        _PAGES[object_type] = page
    _SENTENCES.update(sentences or {})
    _REASONS.update(reasons or {})
    for key, label in (labels or {}).items():
        _LABELS[(object_type, key)] = label
    for key, formatter in (values or {}).items():
        _VALUES[(object_type, key)] = formatter


def hidden(value):
    """A value formatter for fields that mean nothing to a reader (checksums, internal ids)."""
    return None


def title_of(enum_class):
    """A value formatter that shows an enum value by its translated title."""
    return lambda value: str(enum_class(value).title)


@dataclass
class Detail:
    """One field an event changed: its label, its value before (None: none) and after, and
    the language each value is written in when it is not the reader's (value_language)."""
    label: str
    before: object
    after: object
    before_language: str | None = None
    after_language: str | None = None


@dataclass
class Entry:
    sentence: str
    object_title: str
    details: list = field(default_factory=list)  # of Detail
    reason: str | None = None


def record_pages(events):
    """{(object type, id): address of its page} for the records `events` are about that have
    a page and still exist: one statement per kind of record."""
    wanted = defaultdict(set)
    for event in events:
        if event.object_type in _PAGES and event.object_id is not None:
            wanted[event.object_type].add(event.object_id)
    pages = {}
    for kind, ids in wanted.items():
        model, endpoint, argument = _PAGES[kind]
        for record_id in db.session.scalars(select(model.id).where(model.id.in_(ids))):
            pages[(kind, record_id)] = url_for(endpoint, **{argument: record_id})
    return pages


def object_titles():
    """(object type, what it is) of every kind of record that events are written about, by
    the reader's collation of its name."""
    return sorted(((kind, str(title)) for kind, title in _TITLES.items()),
                  key=lambda pair: collation_key(pair[1]))


def plain_value(value):
    """A stored value as a reader expects it: dates in their language, yes/no, lists."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (int, float)):
        return format_decimal(value)
    if isinstance(value, (list, tuple)):
        return format_list([plain_value(v) for v in value], locale=current_language())
    if isinstance(value, str):
        # Text that has the shape of a date may be none ("2024-13-45"), or a time that the
        # reader's time zone would move before year 1 or after 9999.
        try:
            if _DATE.match(value):
                return format_date(date.fromisoformat(value), "medium")
            if _DATETIME.match(value):
                return moment_reading(datetime.fromisoformat(value), "medium")
        except (ValueError, OverflowError):
            return value
        if _DIGEST.match(value):
            return None
    return str(value)


def language_value(code):
    return language_name(code) if code else "—"


def languages_value(codes):
    """Languages (a session's), each by its own name: "English, français"."""
    return plain_value([language_value(c) for c in codes]) if isinstance(codes, list) \
        else language_value(codes)


def value_language(object_type, key, value):
    """The language a stored value is shown in when it is not the reader's, for its `lang`:
    a text of one language version ("fr.title", "title_fr") is in that language, the name of
    a language (language_value) in its own; None for any other value."""
    if _VALUES.get((object_type, key)) in (language_value, languages_value):
        return value if isinstance(value, str) and value in _LANGUAGE_CODES else None
    match = _LANGUAGE_FIELD.search(key)
    return (match.group(1) or match.group(2)) if match else None


def _on_page(object_type, key, value, shown):
    """A value as a page's history shows it: a list of languages with each name marked as
    written in it (shown_value gives plain text, which sentences take too)."""
    if _VALUES.get((object_type, key)) is languages_value and isinstance(value, list) \
            and value and all(code in _LANGUAGE_CODES for code in value):
        return Markup(format_list([str(language_label(code)) for code in value],  # noqa: S704
                                  locale=current_language()))  # names escaped by language_label
    return shown


def zone_value(name):
    """A time zone as the reader's language names it ("Nairobi (UTC+3)")."""
    return zone_name(name, current_language()) if name else "—"


def shown_value(object_type, key, value):
    """A stored value of the field `key` as the reader is shown it; None for a hidden one."""
    formatter = _VALUES.get((object_type, key))
    if formatter is None:
        return plain_value(value)
    if value is None or value == "":
        return "—" if formatter is not hidden else None
    try:
        return formatter(value)
    except (KeyError, ValueError, TypeError):  # a value an older version wrote
        return plain_value(value)


def after_values(event):
    """{field: value after the change (or before, when the change removed it)}."""
    return {key: (pair[1] if pair[1] is not None else pair[0])
            for key, pair in (event.changes or {}).items()}


def entry(event):
    sentence = _SENTENCES.get(event.action)
    if callable(sentence):
        try:
            sentence = sentence(after_values(event))
        except (KeyError, ValueError, TypeError):
            sentence = None
    if sentence is None:
        sentence = _("Changed")
    details = []
    for key, (before, after) in sorted((event.changes or {}).items(),
                                       key=lambda item: str(field_label(event.object_type,
                                                                   item[0]))):
        shown_after = shown_value(event.object_type, key, after)
        if shown_after is None:
            continue
        shown_before = None if before is None else shown_value(event.object_type, key, before)
        shown_after = _on_page(event.object_type, key, after, shown_after)
        shown_before = _on_page(event.object_type, key, before, shown_before)
        details.append(Detail(field_label(event.object_type, key), shown_before, shown_after,
                              value_language(event.object_type, key, before),
                              value_language(event.object_type, key, after)))
    title = _TITLES.get(event.object_type)
    # Only the portal's own work (no one acting) writes a reason as a code.
    reason = _REASONS.get(event.reason, event.reason) if event.actor_id is None \
        else event.reason
    return Entry(sentence=str(sentence), object_title=str(title) if title else _("Other"),
                 details=details, reason=None if reason is None else str(reason))


def field_label(object_type, key):
    """What the field `key` of an `object_type` is called, in the reader's language."""
    language, _dot, rest = key.partition(".")
    if rest and language in _LANGUAGE_CODES:  # a field of one language version: "fr.title"
        return f"{field_label(object_type, rest)} ({language_name(language)})"
    label = _LABELS.get((object_type, key))
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def register():
    """The events core itself writes: settings (each domain labels its own), the outbox and
    the scheduled work."""
    describe("settings", title=_l("Settings"),
             sentences={"settings.update": _l("Settings changed")})
    describe("outbox_messages", title=_l("Email"), labels={"status": _l("Status")},
             page=(OutboxMessage, "admin.outbox_detail", "message_id"),
             values={"status": title_of(MailStatus)},
             sentences={"mail.retry": _l("Email queued to be sent again")})
    describe("job_runs", title=_l("Scheduled work"), labels={"state": _l("State")},
             values={"state": title_of(JobState)},
             sentences={"job.run_again": _l("Queued to run again for its period")})
