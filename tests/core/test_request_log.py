"""Every log line of a request carries its request id, which the answer returns; production
writes the lines as JSON."""
import io
import json
import logging
import re

import pytest

from gfp_portal.app import create_app
from gfp_portal.core.auth import public
from gfp_portal.extensions import db


@pytest.fixture
def logging_view(app, monkeypatch):
    """/healthz replaced by a view that writes one log line."""
    @public
    def view():
        app.logger.warning("checking %s", "the network")
        return "ok"

    monkeypatch.setitem(app.view_functions, "main.healthz", view)


def test_an_answer_carries_a_new_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_the_id_set_by_the_proxy_is_kept(client):
    rid = "7f0c2a5e-9b1d-4c3e-8a6f-2d4b1e0c9a77"
    assert client.get("/healthz", headers={"X-Request-ID": rid}).headers["X-Request-ID"] == rid


@pytest.mark.parametrize("rid", ["short", "x" * 200, "abc def ghi jkl", 'a"}{"level":"x"',
                                 "line\\nbreak-injected-here"])
def test_a_malformed_id_is_replaced(client, rid):
    answered = client.get("/healthz", headers={"X-Request-ID": rid}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", answered)


def test_a_log_line_written_during_a_request_carries_its_id(client, logging_view, caplog):
    caplog.set_level(logging.INFO)
    rid = client.get("/healthz").headers["X-Request-ID"]
    record = next(r for r in caplog.records if r.getMessage() == "checking the network")
    assert record.request_id == rid


def test_a_line_outside_any_request_has_no_id(app, caplog):
    app.logger.warning("from the command line")
    assert caplog.records[-1].request_id == "-"


def test_the_access_log_line_takes_the_id_of_the_answer(app, caplog):
    # gunicorn logs the access line after the request, with the response headers as atoms.
    caplog.set_level(logging.INFO, logger="gunicorn.access")
    logging.getLogger("gunicorn.access").info('"%(r)s" %(s)s %({x-request-id}o)s',
                                              {"r": "GET / HTTP/1.1", "s": "200",
                                               "{x-request-id}o": "a" * 32})
    assert caplog.records[-1].request_id == "a" * 32


@pytest.fixture
def json_app(tmp_path):
    from config import TestingConfig

    class JsonConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'json.db'}"
        LOG_FORMAT = "json"

    app = create_app(JsonConfig)
    handler = next(h for h in logging.getLogger("gfp_portal").handlers
                   if getattr(h, "gfp_portal_handler", False))
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield app, stream
    handler.setStream(old)
    with app.app_context():
        db.engine.dispose()


def test_production_lines_are_json_with_the_request_id(json_app, monkeypatch):
    app, stream = json_app

    @public
    def view():
        try:
            raise ValueError("broken row")
        except ValueError:
            app.logger.exception("import failed for %s", "unct")
        return "ok"

    monkeypatch.setitem(app.view_functions, "main.healthz", view)
    rid = app.test_client().get("/healthz").headers["X-Request-ID"]
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == rid and line["level"] == "ERROR"
    assert line["message"] == "import failed for unct" and line["logger"] == "gfp_portal.app"
    assert "ValueError: broken row" in line["exc_info"] and line["time"].endswith("Z")


def test_an_unknown_log_format_is_refused(tmp_path):
    from config import TestingConfig

    class WrongConfig(TestingConfig):
        LOG_FORMAT = "xml"

    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        create_app(WrongConfig)
