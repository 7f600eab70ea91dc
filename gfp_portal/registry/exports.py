"""The registry as rows: one per appointment (or per person without any), in CSV or Excel."""
import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

COLUMNS = (
    "given_name", "family_name", "email", "phone", "position_title", "grade", "entity",
    "duty_station_city", "duty_station_country", "duty_station_time_zone",
    "preferred_language", "time_zone", "directory_consent", "role", "appointment_entity",
    "scope", "status", "start_date", "end_date", "time_share", "tor_on_file",
    "appointed_by_name", "appointed_by_title", "end_reason", "ended_on",
)
# Spreadsheet programs run cells that start with these as formulas.
FORMULA_STARTS = ("=", "+", "-", "@")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(getattr(value, "value", value))


def person_columns(person):
    station = person.duty_station
    return {
        "given_name": person.given_name, "family_name": person.family_name,
        "email": person.email, "phone": person.phone, "position_title": person.position_title,
        "grade": person.grade, "entity": person.entity.acronym if person.entity else None,
        "duty_station_city": station.city if station else None,
        "duty_station_country": station.country_iso3 if station else None,
        "duty_station_time_zone": station.time_zone if station else None,
        "preferred_language": person.preferred_language, "time_zone": person.time_zone,
        "directory_consent": person.directory_consent,
    }


def appointment_columns(appointment):
    return {
        "role": appointment.role, "appointment_entity": appointment.entity.acronym,
        "scope": appointment.unct.iso3 if appointment.unct else "HQ",
        "status": appointment.status, "start_date": appointment.start_date,
        "end_date": appointment.end_date, "time_share": appointment.time_share,
        "tor_on_file": appointment.tor_on_file,
        "appointed_by_name": appointment.appointed_by_name,
        "appointed_by_title": appointment.appointed_by_title,
        "end_reason": appointment.end_reason, "ended_on": appointment.ended_on,
    }


def export_rows(people, appointments_of=None):
    """Rows of strings keyed by COLUMNS; `appointments_of(person)` narrows what is shown."""
    rows = []
    for person in people:
        appointments = appointments_of(person) if appointments_of else person.appointments
        base = person_columns(person)
        for appointment in sorted(appointments, key=lambda a: (a.start_date, a.id)) or [None]:
            row = dict(base, **(appointment_columns(appointment) if appointment else {}))
            rows.append({column: _text(row.get(column)) for column in COLUMNS})
    return rows


def _guard(value):
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_guard(row[column]) for column in COLUMNS])
    # The byte-order mark lets spreadsheet programs read the accents right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "registry"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Every cell is text, so that dates and codes come back exactly as they went out.
        sheet.append([_guard(row[column]) for column in COLUMNS])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
