"""What the audit events of the library say."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import describe, hidden, language_value, title_of
from gfp_portal.resources.models import Visibility


def register():
    describe("resources", title=_l("Resource"), labels={
        "slug": _l("Web address"), "category": _l("Category"), "visibility": _l("Who may see it"),
        "is_published": _l("Published"), "tags": _l("Topics"), "language": _l("Language"),
        "title": _l("Title"), "summary": _l("Summary"),
        "external_url": _l("Or a link to the document"),
        "filename": _l("File"),
    }, values={"visibility": title_of(Visibility), "language": language_value,
               "sha256": hidden}, sentences={
        "resource.create": _l("Resource added"), "resource.update": _l("Resource updated"),
        "resource.publish": _l("Resource published"),
        "resource.unpublish": _l("Resource unpublished"), "resource.delete": _l("Resource deleted"),
        "resource.version_add": _l("Language version added"),
        "resource.version_update": _l("Language version updated"),
        "resource.version_delete": _l("Language version removed"),
    })
    describe("resource_categories", title=_l("Category"), labels={"name": _l("Name")},
             sentences={"resource_category.create": _l("Category added"),
                        "resource_category.update": _l("Category renamed"),
                        "resource_category.delete": _l("Category deleted")})
