"""Parity fixtures: files of figures to import, and a coordinator's client."""
import io

import pytest
from openpyxl import Workbook

from gfp_portal.core.tables import to_csv
from gfp_portal.parity.imports import COLUMNS

HEADER = ["entity", "period", "grade", "station", "women", "men"]


def figures_csv(rows, header=HEADER):
    """A parity import file (CSV) of `rows`, each a list in the order of `header`."""
    return to_csv([header, *rows])


def figures_xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def grid(entities, periods, grades, women=45, men=55, station="HQ"):
    """One row per entity, period and grade."""
    return [[e, p, g, station, women, men] for e in entities for p in periods for g in grades]


@pytest.fixture
def coordinator_client(client, reference, login_as):
    login_as("coordinator")
    return client


__all__ = ["COLUMNS", "figures_csv", "figures_xlsx", "grid"]
