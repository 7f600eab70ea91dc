"""Resource rules: resources and their language versions, files, publishing, downloads."""
import re
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from gfp_portal.core import storage
from gfp_portal.core.audit import diff, log_action, log_changes, log_creation
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError, required_text
from gfp_portal.extensions import db
from gfp_portal.resources.files import remove_after_commit, stored_in
from gfp_portal.resources.models import (
    DEFAULT_CATEGORIES,
    Resource,
    ResourceCategory,
    ResourceDownload,
    ResourceTag,
    ResourceVersion,
    Visibility,
)
from gfp_portal.resources.signals import resource_deleting, resource_renamed

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Paths under /resources/ that are pages, not resources.
RESERVED_SLUGS = {"new", "manage", "categories", "gaps", "downloads"}
FILE_KINDS = ("pdf", "docx", "pptx", "xlsx")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def languages():
    return current_app.config["LANGUAGES"]


# --- categories ------------------------------------------------------------------------------

def ensure_default_categories():
    """Add the shipped categories that are missing; returns how many were added."""
    known = set(db.session.scalars(select(ResourceCategory.code)))
    added = 0
    for position, (code, name) in enumerate(DEFAULT_CATEGORIES):
        if code not in known:
            db.session.add(ResourceCategory(code=code, name=name, position=position))
            added += 1
    db.session.flush()
    return added


def create_category(name, *, actor, now=None):
    name = required_text(name, "name_required", _l("Enter the name."), field="name")
    clash = db.session.scalars(select(ResourceCategory).where(
        func.lower(ResourceCategory.name) == name.lower())).first()
    if clash is not None:
        raise DomainError("category_exists", _l("This category already exists."), field="name")
    # The code only identifies the category: a name in another script, or one a renamed
    # category had, gets a code of its own.
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50] or "category"
    taken = set(db.session.scalars(select(ResourceCategory.code).where(
        ResourceCategory.code.startswith(stem))))
    code, number = stem, 1
    while code in taken:
        number += 1
        code = f"{stem}-{number}"
    position = (db.session.scalar(select(func.max(ResourceCategory.position))) or 0) + 1
    category = ResourceCategory(code=code, name=name, position=position)
    db.session.add(category)
    db.session.flush()
    log_action("resource_category.create", category, actor=actor, now=now,
               changes={"name": [None, name]})
    return category


def rename_category(category, name, *, actor, now=None):
    name = (name or "").strip()
    clash = db.session.scalars(select(ResourceCategory).where(
        func.lower(ResourceCategory.name) == name.lower())).first()
    if clash is not None and clash is not category:
        raise DomainError("category_exists", _l("This category already exists."), field="name")
    before = {"name": category.name}
    category.name = name
    return log_changes("resource_category.update", category, before, {"name": name},
                       actor=actor, now=now)


def check_category_deletable(category):
    """Refuse to delete a category that resources are in."""
    used = db.session.scalar(select(func.count(Resource.id)).where(
        Resource.category_id == category.id))
    if used:
        raise DomainError("category_in_use",
                          _l("This category is used by resources; move them first."))


def delete_category(category, *, actor, now=None):
    check_category_deletable(category)
    log_action("resource_category.delete", category, actor=actor, now=now,
               changes={"name": [category.name, None]})
    db.session.delete(category)
    db.session.flush()


# --- resources -------------------------------------------------------------------------------

def _clean_tags(tags):
    seen = []
    for tag in tags or []:
        tag = tag.strip().lower()[:60]
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def _state(resource):
    return {"slug": resource.slug, "category": resource.category.code if resource.category
            else None, "visibility": resource.visibility.value if resource.visibility else None,
            "is_published": resource.is_published, "tags": resource.tags}


def _apply(resource, data):
    slug = (data["slug"] or "").strip().lower()
    if not SLUG.match(slug) or slug in RESERVED_SLUGS:
        raise DomainError("slug_invalid", _l("Use lower-case letters, digits and hyphens only "
                                             "(for example why-gender-parity)."), field="slug")
    clash = db.session.scalars(select(Resource).where(Resource.slug == slug)).first()
    if clash is not None and clash is not resource:
        raise DomainError("slug_taken", _l("Another resource already uses this address."),
                          field="slug")
    resource.slug = slug
    resource.category = data["category"]
    resource.visibility = Visibility(data["visibility"])
    resource.is_published = bool(data.get("is_published"))
    tags = _clean_tags(data.get("tags"))
    existing = {row.tag: row for row in resource.tag_rows}
    resource.tag_rows = [existing.get(tag) or ResourceTag(tag=tag) for tag in tags]


def create_resource(data, *, actor, now=None):
    """data: slug, category (a ResourceCategory), visibility, is_published, tags."""
    now = now or utcnow()
    resource = Resource(created_at=now, updated_at=now)
    _apply(resource, data)
    log_creation("resource.create", resource, _state, actor=actor, now=now)
    return resource


def update_resource(resource, data, *, actor, now=None):
    now = now or utcnow()
    before = _state(resource)
    _apply(resource, data)
    db.session.flush()
    if resource.slug != before["slug"]:
        resource_renamed.send(resource, before=before["slug"], actor=actor, now=now)
    changes = log_changes("resource.update", resource, before, _state(resource), actor=actor,
                          now=now)
    if changes:
        resource.updated_at = now
    return changes


def set_published(resource, published, *, actor, now=None):
    now = now or utcnow()
    if resource.is_published == published:
        return False
    if published and not resource.versions:
        raise DomainError("no_versions", _l("Add at least one language version before "
                                            "publishing."))
    resource.is_published = published
    resource.updated_at = now
    log_action("resource.publish" if published else "resource.unpublish", resource,
               actor=actor, now=now, changes={"is_published": [not published, published]})
    return True


def delete_resource(resource, *, actor, now=None):
    """Delete the resource, its versions and counts; its files go once this is committed."""
    for version in resource.versions:
        remove_after_commit(db.session, version.file_key)
    resource_deleting.send(resource, actor=actor, now=now)
    log_action("resource.delete", resource, actor=actor, now=now,
               changes=diff(_state(resource), {}))
    # Not left to ON DELETE CASCADE: SQLite enforces foreign keys only when asked to.
    db.session.execute(delete(ResourceDownload).where(
        ResourceDownload.resource_id == resource.id))
    db.session.delete(resource)
    db.session.flush()


# --- language versions -----------------------------------------------------------------------

def _version_state(version):
    return {"language": version.language, "title": version.title, "summary": version.summary,
            "external_url": version.external_url, "filename": version.filename,
            "sha256": version.sha256}


def _check_version(data, upload, version=None):
    title = required_text(data.get("title"), "title_required", _l("Enter the title."),
                          field="title")
    link = (data.get("external_url") or "").strip() or None
    if link and not URL.match(link):
        raise DomainError("link_invalid", _l("Enter a full web address starting with https://."),
                          field="external_url")
    if link and upload:
        raise DomainError("file_and_link", _l("Give either a file or a link, not both."),
                          field="external_url")
    has_file = upload is not None or (version is not None and version.has_file and not link)
    if not link and not has_file:
        raise DomainError("file_or_link", _l("Upload a file or give a link."), field="file")
    return title, (data.get("summary") or "").strip(), link


def _store(upload):
    stored = storage.store_upload(upload, kinds=FILE_KINDS,
                                  max_bytes=current_app.config["RESOURCE_MAX_BYTES"],
                                  field="file")
    stored_in(db.session, stored.key)
    return stored


def _attach(version, stored):
    version.file_key, version.filename = stored.key, stored.filename
    version.content_type, version.size, version.sha256 = (stored.content_type, stored.size,
                                                          stored.sha256)
    version.external_url = None


def _detach(version):
    remove_after_commit(db.session, version.file_key)
    version.file_key = version.filename = version.content_type = version.sha256 = None
    version.size = None


def add_version(resource, data, upload=None, *, actor, now=None):
    """data: language, title, summary, external_url; `upload` a FileStorage or None."""
    now = now or utcnow()
    language = data.get("language")
    if language not in languages():
        raise DomainError("language_unknown", _l("Choose a language."), field="language")
    if resource.version(language) is not None:
        raise DomainError("version_exists",
                          _l("This resource already has a version in this language."),
                          field="language")
    title, summary, link = _check_version(data, upload)
    version = ResourceVersion(language=language, title=title, summary=summary,
                              external_url=link, created_at=now, updated_at=now)
    if upload is not None:
        _attach(version, _store(upload))
    resource.versions.append(version)
    resource.updated_at = now
    db.session.flush()
    log_action("resource.version_add", resource, actor=actor, now=now,
               changes=diff({}, _version_state(version)))
    return version


def update_version(version, data, upload=None, *, actor, now=None):
    """Edit a version; a new `upload` replaces its file. The old file stays until the new one
    is stored and the change committed, so a failed upload never leaves it without one."""
    now = now or utcnow()
    title, summary, link = _check_version(data, upload, version)
    before = _version_state(version)
    if upload is not None:
        stored = _store(upload)  # raises before anything changes
        remove_after_commit(db.session, version.file_key)
        _attach(version, stored)
    elif link:
        if version.has_file:
            _detach(version)
        version.external_url = link
    version.title, version.summary = title, summary
    changes = diff(before, _version_state(version))
    if changes:
        version.updated_at = version.resource.updated_at = now
        log_action("resource.version_update", version.resource, actor=actor, now=now,
                   changes={f"{version.language}.{k}": v for k, v in changes.items()})
    db.session.flush()
    return changes


def check_version_deletable(version):
    """Refuse to delete the only version of a published resource."""
    resource = version.resource
    if resource.is_published and len(resource.versions) == 1:
        raise DomainError("last_version", _l("A published resource keeps at least one "
                                             "version; unpublish it first."))


def delete_version(version, *, actor, now=None):
    resource = version.resource
    check_version_deletable(version)
    remove_after_commit(db.session, version.file_key)
    log_action("resource.version_delete", resource, actor=actor, now=now,
               changes=diff(_version_state(version), {}))
    resource.versions.remove(version)
    db.session.flush()


# --- downloads -------------------------------------------------------------------------------

def month_of(moment):
    return date(moment.year, moment.month, 1)


def record_download(version, *, now=None):
    """Count one download of `version` in the month of `now` (one upsert, safe under
    concurrent requests)."""
    now = now or utcnow()
    values = {"resource_id": version.resource_id, "language": version.language,
              "month": month_of(now), "count": 1}
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ResourceDownload).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["resource_id", "language", "month"],
        set_={"count": ResourceDownload.count + 1})
    db.session.execute(stmt)
