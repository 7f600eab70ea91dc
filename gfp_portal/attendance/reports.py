"""Reading video-meeting attendance reports: Microsoft Teams (UTF-16 or UTF-8, tab-, comma- or
semicolon-separated, a summary before the participants) and Zoom participants reports (several
join/leave rows per person, "Name (Original Name)", no email for guests).

Each person's intervals are merged (two devices at once count once) and turned into minutes.
A report gives the times its clocks showed, read in the session's time zone: across a change
of time, the minutes are those that passed, not the difference of what the clocks showed.
"""
import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from gfp_portal.core.errors import DomainError

TIME_FORMATS = ("%m/%d/%y, %I:%M:%S %p", "%m/%d/%Y, %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p",
                "%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y, %H:%M:%S",
                "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S")

# A report of a full-day meeting of hundreds of people is far below these bounds.
MAX_LINES = 50_000
MAX_CELL = 1_000
# The columns read from a participant list: each must be named once.
READ = ("name", "email", "join time", "leave time", "first join", "last leave",
        "name (original name)", "user email", "duration", "in-meeting duration",
        "duration (minutes)")
# What the meeting tool counted, less what its rounding (Zoom's whole minutes) may add.
ROUNDING = timedelta(minutes=1)


@dataclass
class Attendee:
    name: str
    email: str | None
    intervals: list = field(default_factory=list)
    other_names: set = field(default_factory=set)

    @property
    def minutes(self):
        """Minutes present, overlapping intervals counted once."""
        total, end = 0.0, None
        for start, stop in sorted(self.intervals):
            if end is None or start > end:
                total += (stop - start).total_seconds()
                end = stop
            elif stop > end:
                total += (stop - end).total_seconds()
                end = stop
        return round(total / 60)


@dataclass
class Report:
    format: str
    attendees: list


def _refuse(reason):
    raise DomainError("malformed_report", reason, field="file")


def decode(data):
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        if len(data) > 1 and data[1:2] == b"\x00":  # UTF-16 LE without a byte order mark
            return data.decode("utf-16-le")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # also a UTF-16 file cut in a character or a lone surrogate
        _refuse(_l("The file is neither UTF-8 nor UTF-16 text: is it a Teams or Zoom "
                   "attendance report?"))


# The separators a report is written with: tabs (Teams), commas (Zoom, Excel in English) or
# semicolons (Excel in most European languages, where the comma is the decimal sign).
DELIMITERS = ("\t", ";", ",")
# Words only a report's header of participants holds.
HEADER_WORDS = ("join time", "first join", "name (original name)")


def _delimiter(lines, text):
    """The separator of the report's cells: the one its header of participants is written
    with (its cells hold no separator, where a date may hold a comma)."""
    header = next((line for line in lines
                   if any(word in line.lower() for word in HEADER_WORDS)), None)
    if header is not None:
        return max(DELIMITERS, key=header.count)
    sample = next((line for line in lines if line.strip()), "")
    return "\t" if sample.count("\t") >= sample.count(",") and "\t" in text else ","


def _rows(text):
    """The report's rows of cells, refused before reading when larger than any report."""
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        _refuse(lazy_ngettext("The report has more than %(num)s line.",
                             "The report has more than %(num)s lines.", MAX_LINES))
    reader = csv.reader(lines, delimiter=_delimiter(lines, text))
    rows = []
    try:
        for row in reader:
            for cell in row:
                if len(cell) > MAX_CELL:
                    _refuse(lazy_ngettext(
                        "Line %(line)s: a cell is longer than %(num)s character.",
                        "Line %(line)s: a cell is longer than %(num)s characters.", MAX_CELL,
                        line=reader.line_num))
                if "\x00" in cell:
                    _refuse(_l("Line %(line)s contains an invalid character (a NUL byte).",
                               line=reader.line_num))
            rows.append([cell.strip() for cell in row])
    except csv.Error:
        _refuse(_l("Line %(line)s cannot be read: a cell is too long or a quotation mark is "
                   "not closed.", line=reader.line_num))
    return rows


def _time(value, line, zone):
    """The moments (in UTC) at which clocks in `zone` showed `value`: one, or two for a time
    of the hour they show twice when they go back (and for one of the hour they skip, which
    no clock there shows: read with the offset before the change, and after it)."""
    value = (value or "").strip()
    for pattern in TIME_FORMATS:
        try:
            local = datetime.strptime(value, pattern)
        except ValueError:
            continue
        return sorted({local.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                       for fold in (0, 1)})
    _refuse(_l("Line %(line)s: “%(value)s” is not a date and time this import reads.",
               line=line, value=value[:40]))


# Teams' durations: "1h 37m 28s", "45s", or "01:37:28"; Zoom's: whole minutes. No meeting
# lasts a million hours: longer numbers are no duration (nor a timedelta's overflow).
_DURATIONS = (re.compile(r"(?:(\d{1,6})\s*h)?\s*(?:(\d{1,6})\s*m(?:in)?)?\s*(?:(\d{1,6})\s*s)?"),
              re.compile(r"(\d{1,6}):([0-5]\d):([0-5]\d)"))
_MINUTES = re.compile(r"()(\d{1,6})()")


def _duration(value, minutes=False):
    """The time a row says its person was there, in whole minutes (Zoom) when `minutes`;
    None when the report gives none this reads. It only tells apart the moments that a time
    of the hour shown twice may be (_interval), so a value it cannot read refuses nothing."""
    value = (value or "").strip().lower()
    for pattern in (_MINUTES,) if minutes else _DURATIONS:
        match = pattern.fullmatch(value)
        if value and match is not None:
            hours, mins, secs = (int(part or 0) for part in match.groups())
            return timedelta(hours=hours, minutes=mins, seconds=secs)
    return None


def _interval(starts, stops, counted):
    """(start, stop) of a row whose join may be any of the moments `starts` and its leave any
    of `stops` (_time): the shortest span from a join to a later leave, not shorter than the
    time the meeting tool `counted` when the report gives it (less its rounding): when the
    clocks go back, "01:30 to 02:30" is two hours to whoever stayed to the end, which the tool
    counted. A leave before every join is read the other way around, as it was written."""
    spans = [(stop - start, start, stop) for start in starts for stop in stops
             if stop >= start] or \
        [(start - stop, stop, start) for start in starts for stop in stops]
    long_enough = [span for span in spans if counted is None or span[0] >= counted - ROUNDING]
    _length, start, stop = min(long_enough) if long_enough else max(spans)
    return start, stop


def _header_index(rows, *names):
    for number, row in enumerate(rows):
        lowered = [cell.lower() for cell in row]
        if all(name in lowered for name in names):
            twice = next((cell for cell in lowered if cell in READ and lowered.count(cell) > 1),
                         None)
            if twice:
                _refuse(_l("Line %(line)s names the column “%(column)s” twice.",
                           line=number + 1, column=twice))
            return number, {cell: i for i, cell in enumerate(lowered)}
    return None, None


def _cell(row, columns, name):
    """The cell of column `name`; empty when the row stops before it."""
    index = columns[name]
    return row[index] if index < len(row) else ""


def _add(people, name, email, interval, original=None):
    key = (email or "").lower() or "name:" + re.sub(r"\s+", " ", name).strip().lower()
    person = people.setdefault(key, Attendee(name=name, email=(email or None)))
    person.intervals.append(interval)
    if original and original != person.name:
        person.other_names.add(original)


def _table(rows, start_index, columns, read):
    people = {}
    for offset, row in enumerate(rows[start_index + 1:], start=start_index + 2):
        if not any(row):
            break  # the end of this section
        if len(row) < len(columns):
            _refuse(_l("Line %(line)s is incomplete: the file looks cut short.", line=offset))
        read(people, row, offset)
    if not people:
        _refuse(_l("The report lists no participant."))
    return list(people.values())


def _row_interval(row, columns, line, zone, join, leave, counted):
    """The row's (start, stop) in UTC: its `join` and `leave` columns read in `zone`, and the
    duration (`counted`: the column and whether it counts whole minutes) when there is one."""
    column, minutes = counted
    return _interval(_time(_cell(row, columns, join), line, zone),
                     _time(_cell(row, columns, leave), line, zone),
                     _duration(_cell(row, columns, column), minutes)
                     if column in columns else None)


def parse_teams(rows, zone):
    index, columns = _header_index(rows, "name", "join time", "leave time")
    if index is None:  # older reports: one row per person, first join and last leave
        index, columns = _header_index(rows, "name", "first join", "last leave")
        # The time in the meeting, which may be shorter than from the first join to the last
        # leave: it is the least the span can be.
        join, leave, counted = "first join", "last leave", ("in-meeting duration", False)
    else:
        join, leave, counted = "join time", "leave time", ("duration", False)
    if index is None:
        _refuse(_l("No participant list found in this Teams report."))

    def read(people, row, line):
        email = _cell(row, columns, "email") if "email" in columns else None
        _add(people, _cell(row, columns, "name"), email,
             _row_interval(row, columns, line, zone, join, leave, counted))
    return Report("teams", _table(rows, index, columns, read))


def parse_zoom(rows, zone):
    index, columns = _header_index(rows, "name (original name)", "join time", "leave time")
    if index is None:
        _refuse(_l("No participant list found in this Zoom report."))

    def read(people, row, line):
        shown = _cell(row, columns, "name (original name)")
        match = re.match(r"^(.*?)\s*\((.+)\)\s*$", shown)
        name, original = (match.group(1), match.group(2)) if match else (shown, None)
        email = _cell(row, columns, "user email") if "user email" in columns else None
        _add(people, name, email, _row_interval(row, columns, line, zone, "join time",
                                                "leave time", ("duration (minutes)", True)),
             original)
    return Report("zoom", _table(rows, index, columns, read))


def parse(data, zone=UTC):
    """A Report from the file's bytes, its times read as clocks in `zone` (the session's)
    show them, or DomainError("malformed_report") with the reason."""
    if not data:
        _refuse(_l("The file is empty."))
    rows = _rows(decode(data))
    flat = {cell.lower() for row in rows for cell in row}
    if "name (original name)" in flat:
        return parse_zoom(rows, zone)
    if {"first join", "join time"} & flat or any("summary" in c for c in flat):
        return parse_teams(rows, zone)
    _refuse(_l("This is not a Teams or Zoom attendance report this import knows."))


def status_for(minutes, scheduled, *, present_percent, partial_percent):
    share = 100 * minutes / scheduled if scheduled else 0
    if share >= present_percent:
        return "present"
    if share >= partial_percent:
        return "partial"
    return "absent"
