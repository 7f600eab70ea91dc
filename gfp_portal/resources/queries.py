"""Read-only queries behind the library pages: what a viewer may see, searched and filtered."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from gfp_portal.core.search import matches
from gfp_portal.extensions import db
from gfp_portal.resources.models import (
    Resource,
    ResourceCategory,
    ResourceTag,
    ResourceVersion,
    Visibility,
)


def visible_to(stmt, user, *, include_unpublished=False):
    """Anonymous visitors see public resources only; unpublished ones are for the staff."""
    if not user.is_authenticated:
        stmt = stmt.where(Resource.visibility == Visibility.public)
    if not include_unpublished:
        stmt = stmt.where(Resource.is_published)
    return stmt


def can_see(resource, user):
    if resource.visibility != Visibility.public and not user.is_authenticated:
        return False
    return resource.is_published or (user.is_authenticated and user.is_staff)


def with_versions(stmt):
    return stmt.options(joinedload(Resource.category), selectinload(Resource.versions),
                        selectinload(Resource.tag_rows))


def library_query(user, *, q=None, category=None, tag=None, language=None,
                  include_unpublished=False):
    stmt = with_versions(visible_to(select(Resource), user,
                                    include_unpublished=include_unpublished))
    if q and q.strip():
        stmt = stmt.where(Resource.versions.any(matches(ResourceVersion.search_key, q)))
    if category:
        stmt = stmt.where(Resource.category_id == category)
    if tag:
        stmt = stmt.where(Resource.id.in_(select(ResourceTag.resource_id)
                                          .where(ResourceTag.tag == tag)))
    if language:
        stmt = stmt.where(Resource.versions.any(language=language))
    return stmt.order_by(Resource.created_at.desc(), Resource.id.desc())


def new_in_language(user, language, *, since, limit):
    """Resources the user may see with a version in `language` added since `since`, the
    newest first, with those versions (one query)."""
    rows = db.session.execute(
        visible_to(select(Resource, ResourceVersion), user)
        .join(ResourceVersion, ResourceVersion.resource_id == Resource.id)
        .where(ResourceVersion.language == language, ResourceVersion.created_at >= since)
        .order_by(ResourceVersion.created_at.desc(), Resource.id.desc()).limit(limit)).all()
    return [(resource, version) for resource, version in rows]


def categories():
    return db.session.scalars(select(ResourceCategory).order_by(ResourceCategory.position,
                                                                ResourceCategory.id)).all()


def tags_in_use(user, *, include_unpublished=False):
    stmt = visible_to(select(ResourceTag.tag).join(Resource), user,
                      include_unpublished=include_unpublished).distinct()
    return sorted(db.session.scalars(stmt))


def resource_by_slug(slug):
    return db.session.scalars(with_versions(select(Resource)).where(Resource.slug == slug)
                              ).first()


def category_by_id(category_id):
    return db.session.get(ResourceCategory, category_id)
