"""Mail transports: build the MIME message from an outbox row and hand it to SMTP or a file."""
import base64
import smtplib
import ssl
from contextlib import contextmanager, nullcontext
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from gfp_portal.core.db import utcnow
from gfp_portal.core.text import single_line

# Headers set as objects (Subject, To…) are encoded (RFC 2047) and folded at 78 characters
# as ever; the portal's own headers (Message-ID, List-Unsubscribe…) are written as they are,
# by set_raw: the default policy would write a line it cannot fold, an unsubscribe <URL>, as
# encoded-words, which RFC 2369 forbids there and no mail programme reads as a link.
POLICY = policy.default.clone(refold_source="none")
# The longest line SMTP carries (RFC 5322 §2.1.1), its CRLF aside.
_MAX_LINE = 998
# Every email of the portal is automated (RFC 3834's Auto-Submitted). Exchange, which most
# agencies run, holds back out-of-office and automatic replies on X-Auto-Response-Suppress
# (MS-OXCMAIL) instead; "OOF, AutoReply" leaves delivery and non-delivery reports alone.
AUTOMATED_HEADERS = {"Auto-Submitted": "auto-generated",
                     "X-Auto-Response-Suppress": "OOF, AutoReply"}


class AddressNeedsSMTPUTF8(smtplib.SMTPNotSupportedError):
    """The address has letters beyond ASCII that only a server speaking SMTPUTF8 (RFC 6531)
    carries, and this server does not: no later attempt would fare better."""

    permanent = True


def wire_address(address):
    """`address` as a server without SMTPUTF8 reads it: an accented domain in its ASCII form
    (its A-label, xn--…, RFC 5890). An address whose part before the @ is accented needs
    SMTPUTF8 whatever its domain, which SMTPUTF8 carries as written: it is kept as it is."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii() or not local.isascii():
        return address
    try:
        ascii_domain = validate_email(address, check_deliverability=False,
                                      globally_deliverable=False).ascii_domain
    except EmailNotValidError:
        return address
    return f"{local}@{ascii_domain}"


def _header_address(value):
    """The value of an address header (From, To), its address as `wire_address` writes it."""
    value = single_line(value)
    name, address = parseaddr(value)
    wire = wire_address(address)
    return value if wire == address else Address(name, addr_spec=wire)


def _set_own(mime, name, value):
    """Write one of the portal's own headers as it is; a value that no line could hold as
    it is (never the portal's own) is encoded rather than refused by the server."""
    value = single_line(value)
    if value.isascii() and len(name) + 2 + len(value) <= _MAX_LINE:
        mime.set_raw(name, value)
    else:
        mime[name] = value


def build_mime(message):
    mime = EmailMessage(policy=POLICY)
    # Headers are kept on one line here too: a row written before values were cleaned must
    # not stay undeliverable.
    mime["From"] = _header_address(message.sender)
    mime["To"] = _header_address(message.recipient)
    mime["Subject"] = single_line(message.subject)
    _set_own(mime, "Message-ID", message.message_id)
    mime["Date"] = utcnow()  # "+0000": "-0000" would say the time zone is unknown
    for name, value in AUTOMATED_HEADERS.items():
        _set_own(mime, name, value)
    for name, value in (message.headers or {}).items():  # made one line when queued
        _set_own(mime, name, value)
    mime.set_content(message.body_text)
    if message.body_html:
        mime.add_alternative(message.body_html, subtype="html")
    for part in message.parts or ():
        maintype, subtype = part["content_type"].split("/", 1)
        data = base64.b64decode(part["data"])
        params = dict(part.get("params") or {})
        if part.get("disposition") == "alternative":
            # e.g. text/calendar; method=REQUEST beside the text and HTML bodies (RFC 6047).
            if not mime.is_multipart():
                mime.make_alternative()
            alternative = EmailMessage()
            alternative.set_content(data, maintype=maintype, subtype=subtype, params=params)
            mime.attach(alternative)
        else:
            mime.add_attachment(data, maintype=maintype, subtype=subtype,
                                filename=part.get("filename"), params=params)
    # Set last: set_content() drops the Content-* headers already present.
    mime["Content-Language"] = message.locale
    return mime


class SMTPTransport:
    def __init__(self, config):
        self.host = config["MAIL_SERVER"]
        self.port = config["MAIL_PORT"]
        self.use_tls = config["MAIL_USE_TLS"]
        self.username = config["MAIL_USERNAME"]
        self.password = config["MAIL_PASSWORD"]
        self.timeout = config["MAIL_TIMEOUT"]

    @contextmanager
    def connect(self):
        """One SMTP connection for a batch of messages; yields an object with send()."""
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            yield _SMTPConnection(smtp)

    def send(self, message):
        with self.connect() as connection:
            connection.send(message)


class _SMTPConnection:
    def __init__(self, smtp):
        self.smtp = smtp

    def send(self, message):
        sender, recipient = _envelope(message)
        self.smtp.ehlo_or_helo_if_needed()
        if not (sender + recipient).isascii() and not self.smtp.has_extn("smtputf8"):
            raise AddressNeedsSMTPUTF8(
                "The server does not offer SMTPUTF8, which the address needs")
        # smtplib asks for SMTPUTF8 itself when the envelope needs it.
        self.smtp.send_message(build_mime(message), from_addr=sender, to_addrs=[recipient])


class FileTransport:
    """Development transport: one .eml file per message under MAIL_FILE_DIR."""

    def __init__(self, config):
        self.directory = Path(config["MAIL_FILE_DIR"])

    def connect(self):
        return nullcontext(self)

    def send(self, message):
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{message.id:08d}-{message.template.replace('/', '-')}.eml"
        mime = build_mime(message)
        # As a server receives it: in UTF-8 (RFC 6532) only when the envelope needs SMTPUTF8,
        # as smtplib writes it then.
        utf8 = not "".join(_envelope(message)).isascii()
        path.write_bytes(mime.as_bytes(policy=mime.policy.clone(utf8=utf8)))


def _envelope(message):
    """The envelope's sender and recipient, as `wire_address` writes them."""
    return (wire_address(parseaddr(message.sender)[1]),
            wire_address(single_line(message.recipient)))


TRANSPORTS = {"smtp": SMTPTransport, "file": FileTransport}


def transport_from_config(config):
    name = config["MAIL_TRANSPORT"]
    try:
        return TRANSPORTS[name](config)
    except KeyError:
        raise RuntimeError(f"Unknown MAIL_TRANSPORT {name!r}; use 'smtp' or 'file'") from None
