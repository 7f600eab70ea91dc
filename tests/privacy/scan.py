"""Where a person's name or address is still stored: every column of every table of the
database as it is (reflected, not as the models say), JSON walked, bytes and base64
attachments decoded."""
import base64
import binascii
import json
import re
import warnings
from datetime import date

from sqlalchemy import MetaData, select
from sqlalchemy.exc import SAWarning

from gfp_portal.extensions import db

_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]{16,}$")


def _texts(value):
    """Every text a stored value holds: JSON walked, bytes and base64 attachments decoded."""
    if value is None or isinstance(value, (int, float, bool, date)):
        return
    if isinstance(value, (bytes, bytearray, memoryview)):
        yield bytes(value).decode("utf-8", "ignore")
        return
    if isinstance(value, (dict, list)):
        yield json.dumps(value, ensure_ascii=False)
        for item in (value.values() if isinstance(value, dict) else value):
            yield from _texts(item)
        return
    text = str(value)
    yield text
    if _BASE64.match(text):
        try:
            decoded = base64.b64decode(text, validate=False).decode("utf-8", "ignore")
        except (binascii.Error, ValueError):
            decoded = ""
        yield decoded


def where_found(needles):
    """(table.column, needle) for every place a needle (lower case) is stored."""
    metadata = MetaData()
    with warnings.catch_warnings():  # indexes on expressions are not needed to read rows
        warnings.simplefilter("ignore", SAWarning)
        metadata.reflect(bind=db.engine)
    found = []
    for table in metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                for text in _texts(value):
                    found.extend((f"{table.name}.{column}", needle) for needle in needles
                                 if needle in text.lower())
    return sorted(set(found))
