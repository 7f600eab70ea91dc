"""Production serves every page over HTTPS: the emails written outside any request (the job
worker and the scheduler render them in a bare app context) link to it over HTTPS too."""
import re
from datetime import UTC, date, datetime, time

import pytest

from config import DevelopmentConfig, ProductionConfig, TestingConfig
from gfp_portal.app import create_app
from gfp_portal.core.jobs import JobState, run_periodic
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry
from tests.helpers import entity, outbox


@pytest.fixture
def production_app(app):
    class ProductionLike(ProductionConfig):
        # The suite's own database, migrated by the session's app (never the production one).
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_STORAGE_URI = "memory://"
        SERVER_NAME = "gfp.example.org"

    production = create_app(ProductionLike)
    yield production
    with production.app_context():
        db.engine.dispose()


def test_the_daily_job_links_its_emails_to_the_site_over_https(production_app, coordinator,
                                                                make_person):
    registry.appoint(make_person(), {"entity": entity("UNDP"), "unct": None,
                                     "role": "focal_point", "start_date": date(2025, 1, 1),
                                     "end_date": date(2026, 12, 31)}, actor=None)
    db.session.commit()
    day = date(2026, 12, 1)
    with production_app.app_context():  # as the scheduler runs it (core/engine.py)
        run = run_periodic("registry.send-alerts", f"{day.isoformat()}T05:00",
                           now=datetime.combine(day, time(5), tzinfo=UTC))
        assert run.state == JobState.done, run.error
    digest, = outbox("term_alerts_digest")
    links = re.findall(r"\w+://\S+", digest.body_text + digest.body_html)
    assert links and all(link.startswith("https://gfp.example.org/") for link in links), links


def test_development_and_the_tests_keep_plain_http():
    # `make run` serves plain HTTP on 127.0.0.1.
    assert ProductionConfig.PREFERRED_URL_SCHEME == "https"
    assert getattr(DevelopmentConfig, "PREFERRED_URL_SCHEME", "http") == "http"
    assert getattr(TestingConfig, "PREFERRED_URL_SCHEME", "http") == "http"
