"""Fixtures of the induction tests: the path's documents in the library (the terms of
reference and the two key guidelines named by the shipped settings), in the test's context."""
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from gfp_portal.extensions import db
from gfp_portal.resources import services as resources
from gfp_portal.resources.models import ResourceCategory
from tests.helpers import PDF

SLUGS = ("terms-of-reference", "enabling-environment-guidelines",
         "field-specific-enabling-environment-guidelines")


def add_document(slug, versions):
    resources.ensure_default_categories()
    category = db.session.scalars(select(ResourceCategory).filter_by(code="guidelines")).one()
    resource = resources.create_resource({"slug": slug, "category": category,
                                          "visibility": "network", "is_published": False,
                                          "tags": []}, actor=None)
    for language, title in versions.items():
        resources.add_version(resource, {"language": language, "title": title,
                                         "summary": f"About {title}"},
                              FileStorage(stream=io.BytesIO(PDF),
                                          filename=f"{slug}-{language}.pdf"), actor=None)
    resources.set_published(resource, True, actor=None)
    db.session.flush()
    return resource


@pytest.fixture
def documents(ctx):
    """The terms of reference (en, ar) and the key guidelines (en, fr; en)."""
    found = {
        "terms": add_document(SLUGS[0], {"en": "Terms of reference of gender focal points",
                                         "ar": "اختصاصات جهات تنسيق الشؤون الجنسانية"}),
        "eeg": add_document(SLUGS[1], {"en": "Enabling Environment Guidelines",
                                       "fr": "Directives relatives à l’environnement favorable"}),
        "field": add_document(SLUGS[2], {"en": "Field-specific guidelines"}),
    }
    db.session.commit()
    return found
