"""Request and error logs never keep the token of an access link."""
import logging

import pytest

TOKEN = "kvb4r9Y-PoX6r-eucbh0s4f_q37sbtM56kfbXAWHqXs"


@pytest.mark.parametrize("path", [f"/activate/{TOKEN}", f"/password/reset/{TOKEN}",
                                  f"/join/verify/{TOKEN}", f"/join/amend/{TOKEN}?lang=fr",
                                  f"/calendar/{TOKEN}.ics"])
def test_the_request_log_leaves_the_token_out(app, caplog, path):
    caplog.set_level(logging.INFO)
    # The line the development server writes for every request.
    logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s %s', "127.0.0.1",
                                       "24/Nov/2026 09:00:00", f"GET {path} HTTP/1.1", 200, "-")
    assert TOKEN not in caplog.text
    assert path.split(TOKEN)[0] in caplog.text and "HTTP/1.1" in caplog.text


def test_an_error_log_leaves_the_token_out(app, caplog):
    app.logger.error("Exception on %s [%s]", f"/password/reset/{TOKEN}", "POST")
    assert TOKEN not in caplog.text and "/password/reset/" in caplog.text


def test_other_paths_are_logged_as_they_are(app, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("werkzeug").info('"%s" %s', "GET /certificates/ABCD-1234 HTTP/1.1", 200)
    assert "/certificates/ABCD-1234" in caplog.text
