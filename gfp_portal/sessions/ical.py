"""iCalendar for training sessions (RFC 5545, methods of RFC 5546), as pure functions.

One UID per session for its whole life; SEQUENCE is the session's `ical_sequence`; start and
end carry the session's TZID with a matching VTIMEZONE. Texts come in already translated: the
caller renders them in the recipient's language.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration, vText

PRODID = "-//UN Women//GFP Portal//EN"
# The content types an email's calendar parts are sent as (sessions.notices).
CONTENT_TYPES = ("text/calendar", "application/ics")


@dataclass(frozen=True)
class Texts:
    """What an event says, in one language."""

    summary: str
    description: str
    location: str | None = None
    url: str | None = None      # the join link, for a reader who may see it
    # The language each text is in (its LANGUAGE parameter), when known: a text may fall back
    # to English.
    summary_language: str | None = None
    description_language: str | None = None


@dataclass(frozen=True)
class Party:
    email: str
    name: str | None = None

    def address(self, **params):
        address = vCalAddress(f"mailto:{self.email}")
        if self.name:
            address.params["cn"] = vText(self.name)
        for key, value in params.items():
            address.params[key.replace("_", "-")] = vText(value)
        return address


def uid(session, host):
    return uid_of(session.id, host)


def uid_of(session_id, host):
    return f"session-{session_id}@{host}"


def rewrite_texts(data, rewrite):
    """The calendar `data` (bytes) with `rewrite` (str -> str) applied to every text a reader
    sees in it: its text properties (summary, description, location…) and the addresses and
    names (CN) of its parties, folded and escaped again as RFC 5545 writes them. `data`
    itself when nothing changes; every other line stays as it was."""
    calendar = Calendar.from_ical(data)
    changed = False
    for component in calendar.walk():
        for name in list(component):
            values = component[name]
            new = [_rewritten(value, rewrite) for value in
                   (values if isinstance(values, list) else [values])]
            if any(after is not before for after, before in zip(
                    new, values if isinstance(values, list) else [values], strict=True)):
                component[name] = new if isinstance(values, list) else new[0]
                changed = True
    return calendar.to_ical() if changed else data


def _rewritten(value, rewrite):
    """`value` (a property's) rewritten, or the same object when `rewrite` changes nothing."""
    if isinstance(value, vCalAddress):
        address, name = rewrite(str(value)), value.params.get("CN")
        new_name = rewrite(str(name)) if name is not None else None
        if address == str(value) and new_name == name:
            return value
        new = vCalAddress(address)
        new.params = value.params.copy()
        if new_name is not None:
            new.params["CN"] = vText(new_name)
        return new
    if isinstance(value, vText):
        text = rewrite(str(value))
        if text == str(value):
            return value
        new = vText(text)
        new.params = value.params.copy()
        return new
    return value


def _language(code):
    return {"LANGUAGE": code} if code else None


def event(session, texts, *, host, organizer, now, attendee=None, cancelled=False,
          status=True):
    """One VEVENT; `cancelled`: the session is (STATUS:CANCELLED); `status=False` leaves
    STATUS out (RFC 5546: a CANCEL that uninvites one attendee must not carry it)."""
    item = Event()
    item.add("uid", uid(session, host))
    item.add("sequence", session.ical_sequence)
    item.add("dtstamp", now)
    item.add("dtstart", session.starts_at.astimezone(session.zone))
    item.add("dtend", session.ends_at.astimezone(session.zone))
    item.add("summary", texts.summary, parameters=_language(texts.summary_language))
    item.add("description", texts.description,
             parameters=_language(texts.description_language))
    if texts.location:
        item.add("location", texts.location)
    if texts.url:
        item.add("url", texts.url)
    if status:
        item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    item.add("transp", "OPAQUE")
    item.add("organizer", organizer.address())
    if attendee is not None:
        item.add("attendee", attendee.address(role="REQ-PARTICIPANT", partstat="ACCEPTED",
                                              rsvp="FALSE"))
    return item


def calendar(events, *, method=None, name=None, refresh_hours=None):
    events = list(events)
    return assemble([item.to_ical() for item in events],
                    [item.decoded("dtstart") for item in events], method=method, name=name,
                    refresh_hours=refresh_hours)


def assemble(events, starts, *, method=None, name=None, refresh_hours=None):
    """A calendar of events already written out (`events`, bytes), whose starts (in their own
    zones) are `starts`."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    if refresh_hours:
        cal.add("refresh-interval", timedelta(hours=refresh_hours), parameters={
            "VALUE": "DURATION"})
        # Outlook reads the TTL only as a duration (PT1H), never as "1:00:00".
        cal.add("x-published-ttl", vDuration(timedelta(hours=refresh_hours)))
    # The calendar's own lines, then one VTIMEZONE per zone used (in a stable order, with the
    # rules around the events only: the whole 1970-2038 history would help nobody), then the
    # events: written out part by part, so that a zone is worked out and written once per
    # process, not once per invitation.
    parts = []
    if starts:
        years = [moment.year for moment in starts]
        parts += [_vtimezone(tzid, min(years) - 1, max(years) + 2)
                  for tzid in sorted({moment.tzinfo.key for moment in starts})]
    parts += events
    head = cal.to_ical()
    if not head.endswith(_END):
        raise ValueError("a calendar ends with END:VCALENDAR")
    return head[:-len(_END)] + b"".join(parts) + _END


_END = b"END:VCALENDAR\r\n"


class _EveryChange(Timezone):
    """icalendar's VTIMEZONE, its search for changes of offset starting with steps of a
    fortnight rather than of 64 days, which leap over a short period of the year: Morocco
    turns its clocks back for about five weeks of Ramadan. Calendar clients (Outlook first)
    place an event by these rules, not by their own copy of the zone."""

    _from_tzinfo_skip_search = [step for step in Timezone._from_tzinfo_skip_search
                                if step <= timedelta(days=16)]


@lru_cache(maxsize=128)
def _vtimezone(tzid, first_year, last_year):
    """The VTIMEZONE of `tzid` from 1 January of `first_year` to that of `last_year`, written
    out: worked out once per process, then copied into every calendar that names the zone."""
    zone = _EveryChange.from_tzid(tzid, first_date=date(first_year, 1, 1),
                                  last_date=date(last_year, 1, 1))
    # RFC 5545 has no COMMENT directly in VTIMEZONE (libical rejects it without METHOD).
    zone.pop("COMMENT", None)
    return zone.to_ical()


def invitation(session, texts, *, method, recipient, host, organizer, now,
               whole_session=True):
    """REQUEST (confirmed, promoted, or updated: SEQUENCE already raised) or CANCEL for one
    recipient: of the session (`whole_session`, STATUS:CANCELLED), else of this person's
    place only (they withdrew or were removed: no STATUS, as RFC 5546 says)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(method)
    cancel = method == "CANCEL"
    return calendar([event(session, texts, host=host, organizer=organizer, now=now,
                           attendee=recipient, cancelled=cancel,
                           status=whole_session or not cancel)], method=method)


def publication(session, texts, *, host, organizer, now):
    """The add-to-calendar download: METHOD:PUBLISH, no attendee."""
    return calendar([event(session, texts, host=host, organizer=organizer, now=now,
                           cancelled=session.is_cancelled)], method="PUBLISH")


def feed(items, *, name, host, organizer, now, refresh_hours=1):
    """A person's subscription: (session, texts) pairs, no METHOD; cancelled sessions stay
    listed as cancelled."""
    return calendar([event(session, texts, host=host, organizer=organizer, now=now,
                           cancelled=session.is_cancelled)
                     for session, texts in items], name=name, refresh_hours=refresh_hours)
