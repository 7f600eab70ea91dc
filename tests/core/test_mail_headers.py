"""The headers of the portal's emails as a mail server, a mail client and a reader see them:
written by the file transport and read back from its bytes."""
import re
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

from gfp_portal.core.outbox import deliver_due
from gfp_portal.core.transports import FileTransport
from gfp_portal.extensions import db
from gfp_portal.sessions import registration


def delivered(app, tmp_path, monkeypatch):
    """Every due message, delivered by the file transport: [(its bytes, parsed)]."""
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    db.session.commit()
    while deliver_due(FileTransport(app.config)) != (0, 0):
        pass
    return [(eml.read_bytes(), message_from_bytes(eml.read_bytes(), policy=policy.default))
            for eml in sorted(tmp_path.glob("*.eml"))]


def raw_header(raw, name):
    """The header `name` as written, unfolded; None when absent."""
    head = raw.split(b"\n\n", 1)[0].decode("ascii")
    found = re.search(rf"^{name}:(.*(?:\r?\n[ \t].*)*)", head, re.MULTILINE | re.IGNORECASE)
    return None if found is None else re.sub(r"\r?\n", "", found.group(1)).strip()


def registered(make_session, make_appointee, coordinator, **session):
    """A personal notice: the confirmation of a registration, in Arabic."""
    registration.register(make_session(**session), make_appointee(language="ar"),
                          actor=coordinator, by_coordinator=True)


def test_the_date_says_its_time_is_utc(app, make_session, make_appointee, coordinator,
                                       tmp_path, monkeypatch):
    """RFC 5322 §3.3: "-0000" says the sender does not know its time zone; the portal's
    clock is UTC, "+0000"."""
    registered(make_session, make_appointee, coordinator)
    (raw, mail), = delivered(app, tmp_path, monkeypatch)
    assert raw_header(raw, "Date").endswith(" +0000"), raw_header(raw, "Date")
    assert parsedate_to_datetime(mail["Date"]).tzinfo is not None
