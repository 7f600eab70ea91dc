"""The headers of the portal's emails as a mail server, a mail client and a reader see them:
written by the file transport and read back from its bytes."""
import re
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime

from gfp_portal.core.outbox import deliver_due
from gfp_portal.core.transports import FileTransport
from gfp_portal.extensions import db
from gfp_portal.messages import services as messages
from gfp_portal.sessions import registration

TITLE_AR = "تدخل الشهود: دليل عملي للموظفين المعنيين بالمساواة بين الجنسين في منظومة الأمم المتحدة"


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


def send_network_message(coordinator, kind="notice", **texts):
    message = messages.save_draft(None, {
        "kind": kind, "subject_en": "Annual meeting", "body_en": "Dear colleagues,",
        "status": "active", **texts}, actor=coordinator)
    messages.send_message(message, actor=coordinator)
    return message


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


def test_a_newsletter_s_unsubscribe_address_is_written_as_a_bracketed_url(
        app, coordinator, make_network, tmp_path, monkeypatch):
    """RFC 2369 allows no encoded-words in List-Unsubscribe, and mail programmes read it as
    written: the one-click button (RFC 8058) needs the URL itself, longer than a line of 78
    characters though it is."""
    make_network(1, languages=("fr",))
    send_network_message(coordinator, kind="newsletter", subject_fr="Nouvelles",
                         body_fr="Chères et chers collègues,")
    (raw, mail), = delivered(app, tmp_path, monkeypatch)
    value = raw_header(raw, "List-Unsubscribe")
    assert "=?" not in value, value
    assert re.fullmatch(r"<http://portal\.test/messages/unsubscribe/[^\s<>]+\?lang=fr>", value)
    assert raw_header(raw, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<[0-9a-f]{32}@portal\.test>", raw_header(raw, "Message-ID"))
    assert all(len(line) <= 998 for line in raw.splitlines())


def test_an_arabic_subject_is_still_encoded_and_folded(app, make_session, make_appointee,
                                                       coordinator, tmp_path, monkeypatch):
    registered(make_session, make_appointee, coordinator, title_ar=TITLE_AR,
               languages="en fr ar")
    (raw, mail), = delivered(app, tmp_path, monkeypatch)
    head = raw.split(b"\n\n", 1)[0]
    assert head.isascii() and all(len(line) <= 78 for line in head.splitlines())
    assert raw_header(raw, "Subject").startswith("=?utf-8?")
    assert TITLE_AR in str(make_header(decode_header(raw_header(raw, "Subject"))))
    assert TITLE_AR in mail["Subject"]


def test_a_message_to_the_network_asks_auto_responders_to_stay_quiet(
        app, coordinator, make_network, tmp_path, monkeypatch):
    """A message to the whole network reaches hundreds of mailboxes, mostly Exchange, which
    honours X-Auto-Response-Suppress (MS-OXCMAIL) and "Precedence: bulk" rather than RFC
    3834's Auto-Submitted: without them every absent focal point's reply comes back."""
    make_network(3, languages=("en", "fr", "ar"))
    send_network_message(coordinator)
    mails = delivered(app, tmp_path, monkeypatch)
    assert len(mails) == 3
    for _raw, mail in mails:
        assert mail["Auto-Submitted"] == "auto-generated"
        assert mail["Precedence"] == "bulk"
        assert mail["X-Auto-Response-Suppress"] == "OOF, AutoReply"


def test_a_personal_notice_holds_back_auto_replies_but_is_not_bulk_mail(
        app, make_session, make_appointee, coordinator, tmp_path, monkeypatch):
    """Every email of the portal is automated, so no out-of-office reply is wanted; only the
    messages to the whole network are bulk mail, which some filters put aside."""
    registered(make_session, make_appointee, coordinator)
    (_raw, mail), = delivered(app, tmp_path, monkeypatch)
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert mail["Precedence"] is None
