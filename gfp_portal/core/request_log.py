"""Log lines with the id of their request (X-Request-ID), written as text or as JSON."""
import json
import logging
import re
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from flask import g, has_request_context, request
from flask.logging import default_handler

HEADER = "X-Request-ID"
# What nginx's $request_id, a UUID or a load balancer's trace id look like; anything else
# (too short, too long, spaces, quotes, line breaks) could forge a log line and is replaced.
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,128}")
# gunicorn logs its access line once the request is over, with the response headers as atoms.
ACCESS_LOG_ATOM = "{x-request-id}o"
NO_REQUEST = "-"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def assign_request_id():
    """before_request: the proxy's id when well-formed, else a new one."""
    given = request.headers.get(HEADER, "")
    g.request_id = given if WELL_FORMED.fullmatch(given) else uuid.uuid4().hex


def return_request_id(response):
    response.headers[HEADER] = current_request_id()
    return response


def current_request_id():
    if not has_request_context():
        return NO_REQUEST
    if "request_id" not in g:
        assign_request_id()
    return g.request_id


def _record_factory(make_record):
    def factory(*args, **kwargs):
        record = make_record(*args, **kwargs)
        atoms = record.args if isinstance(record.args, Mapping) else {}
        record.request_id = atoms.get(ACCESS_LOG_ATOM) or current_request_id()
        return record
    factory.adds_request_id = True
    return factory


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, traceback."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


FORMATTERS = {"json": JsonFormatter, "text": lambda: logging.Formatter(TEXT_FORMAT)}


def formatter_for(name):
    if name not in FORMATTERS:
        raise RuntimeError(f"Unknown LOG_FORMAT {name!r}; use one of {sorted(FORMATTERS)}")
    return FORMATTERS[name]()


def configure_logging(app):
    """Every record gets a request id; the portal's loggers write to standard error in the
    format LOG_FORMAT names. Called once per app; a second app replaces the handler."""
    formatter = formatter_for(app.config["LOG_FORMAT"])
    if not getattr(logging.getLogRecordFactory(), "adds_request_id", False):
        logging.setLogRecordFactory(_record_factory(logging.getLogRecordFactory()))
    portal = logging.getLogger("gfp_portal")
    for old in [h for h in portal.handlers if getattr(h, "gfp_portal_handler", False)]:
        portal.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.gfp_portal_handler = True
    handler.setFormatter(formatter)
    portal.addHandler(handler)
    portal.setLevel(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)
    app.before_request(assign_request_id)
    app.after_request(return_request_id)
