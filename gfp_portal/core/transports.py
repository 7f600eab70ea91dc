"""Mail transports: build the MIME message from an outbox row and hand it to SMTP or a file."""
import base64
import smtplib
import ssl
from contextlib import contextmanager, nullcontext
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from gfp_portal.core.db import utcnow
from gfp_portal.core.text import single_line


def build_mime(message):
    mime = EmailMessage()
    # Headers are kept on one line here too: a row written before values were cleaned must
    # not stay undeliverable.
    mime["From"] = single_line(message.sender)
    mime["To"] = single_line(message.recipient)
    mime["Subject"] = single_line(message.subject)
    mime["Message-ID"] = message.message_id
    mime["Date"] = utcnow()  # "+0000": "-0000" would say the time zone is unknown
    mime["Auto-Submitted"] = "auto-generated"
    for name, value in (message.headers or {}).items():  # made one line when queued
        mime[name] = value
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
        self.smtp.send_message(build_mime(message), from_addr=_address(message.sender),
                               to_addrs=[message.recipient])


class FileTransport:
    """Development transport: one .eml file per message under MAIL_FILE_DIR."""

    def __init__(self, config):
        self.directory = Path(config["MAIL_FILE_DIR"])

    def connect(self):
        return nullcontext(self)

    def send(self, message):
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{message.id:08d}-{message.template.replace('/', '-')}.eml"
        path.write_bytes(bytes(build_mime(message)))


def _address(value):
    return parseaddr(value)[1]


TRANSPORTS = {"smtp": SMTPTransport, "file": FileTransport}


def transport_from_config(config):
    name = config["MAIL_TRANSPORT"]
    try:
        return TRANSPORTS[name](config)
    except KeyError:
        raise RuntimeError(f"Unknown MAIL_TRANSPORT {name!r}; use 'smtp' or 'file'") from None
