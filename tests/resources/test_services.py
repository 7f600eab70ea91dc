"""Resource rules: versions, files checked by content, safe replacement, fallback, counting."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from gfp_portal.core import storage
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import savepoint
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import choose_version
from gfp_portal.extensions import db
from gfp_portal.resources import services
from gfp_portal.resources.models import (
    Resource,
    ResourceCategory,
    ResourceDownload,
    ResourceTag,
    ResourceVersion,
)
from tests.helpers import EXE, PDF, stored_files

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def category(ctx):
    services.ensure_default_categories()
    return db.session.scalars(select(ResourceCategory).filter_by(code="guidelines")).one()


def new_resource(category, slug="eeg", **extra):
    data = {"slug": slug, "category": category, "visibility": "public", "is_published": False,
            "tags": ["Parity", "parity", " mentoring "]}
    data.update(extra)
    return services.create_resource(data, actor=None, now=NOW)


def test_a_resource_is_created_with_clean_tags_and_an_audit_event(category):
    resource = new_resource(category)
    assert sorted(resource.tags) == ["mentoring", "parity"]
    event = db.session.scalars(select(AuditEvent).filter_by(action="resource.create")).one()
    assert event.object_id == resource.id


@pytest.mark.parametrize("slug, code", [("Bad Slug", "slug_invalid"), ("new", "slug_invalid"),
                                        ("eeg", "slug_taken")])
def test_bad_or_taken_slugs_are_refused(category, slug, code):
    new_resource(category)
    with pytest.raises(DomainError) as refused:
        new_resource(category, slug=slug)
    assert refused.value.code == code


def test_a_version_with_a_file_is_stored_with_its_checksum(category, upload, storage_dir):
    resource = new_resource(category)
    version = services.add_version(resource, {"language": "fr", "title": "Directives"},
                                   upload(PDF, "directives.pdf"), actor=None, now=NOW)
    assert version.content_type == "application/pdf"
    assert version.size == len(PDF) and len(version.sha256) == 64
    assert version.filename == "directives.pdf"
    assert storage.read(version.file_key) == PDF
    assert version.kind_label == "PDF"


def test_a_version_with_a_link_needs_no_file(category):
    resource = new_resource(category)
    version = services.add_version(resource, {"language": "en", "title": "Online",
                                              "external_url": "https://www.unwomen.org/x"},
                                   actor=None, now=NOW)
    assert version.external_url and not version.has_file


@pytest.mark.parametrize("data, code", [
    ({"language": "en", "title": ""}, "title_required"),
    ({"language": "xx", "title": "T"}, "language_unknown"),
    ({"language": "en", "title": "T"}, "file_or_link"),
    ({"language": "en", "title": "T", "external_url": "javascript:alert(1)"}, "link_invalid"),
])
def test_incomplete_versions_are_refused(category, data, code):
    resource = new_resource(category)
    with pytest.raises(DomainError) as refused:
        services.add_version(resource, data, actor=None, now=NOW)
    assert refused.value.code == code


def test_one_version_per_language(category, upload):
    resource = new_resource(category)
    services.add_version(resource, {"language": "en", "title": "A"}, upload(), actor=None)
    with pytest.raises(DomainError) as refused:
        services.add_version(resource, {"language": "en", "title": "B"}, upload(), actor=None)
    assert refused.value.code == "version_exists"


def test_an_exe_renamed_pdf_is_refused_and_nothing_is_stored(category, upload, storage_dir):
    resource = new_resource(category)
    with pytest.raises(DomainError) as refused:
        services.add_version(resource, {"language": "en", "title": "T"},
                             upload(EXE, "guidelines.pdf"), actor=None)
    assert refused.value.code == "file_type"
    assert refused.value.field == "file"
    assert resource.versions == [] and stored_files(storage_dir) == []


def test_an_oversized_upload_is_refused_with_the_limit_and_nothing_is_stored(
        app, category, upload, storage_dir, monkeypatch):
    monkeypatch.setitem(app.config, "RESOURCE_MAX_BYTES", 1024 * 1024)
    resource = new_resource(category)
    with pytest.raises(DomainError) as refused:
        services.add_version(resource, {"language": "en", "title": "T"},
                             upload(PDF + b"0" * (1024 * 1024), "big.pdf"), actor=None)
    assert refused.value.code == "file_too_large"
    assert "1 MB" in str(refused.value.message)
    assert resource.versions == [] and stored_files(storage_dir) == []


def test_the_default_limit_is_25_megabytes(app):
    assert app.config["RESOURCE_MAX_BYTES"] == 25 * 1024 * 1024


def test_replacing_a_file_keeps_the_old_one_when_the_new_upload_fails(category, upload,
                                                                      storage_dir):
    resource = new_resource(category)
    version = services.add_version(resource, {"language": "en", "title": "T"}, upload(),
                                   actor=None)
    db.session.commit()
    old_key, old_sum = version.file_key, version.sha256
    with pytest.raises(DomainError):
        services.update_version(version, {"title": "T2"}, upload(EXE, "new.pdf"), actor=None)
    db.session.rollback()
    assert version.file_key == old_key and version.sha256 == old_sum and version.title == "T"
    assert storage.exists(old_key)
    assert stored_files(storage_dir) == [old_key]


def test_a_replaced_file_is_removed_only_once_the_change_is_committed(category, upload,
                                                                     storage_dir):
    resource = new_resource(category)
    version = services.add_version(resource, {"language": "en", "title": "T"}, upload(),
                                   actor=None)
    db.session.commit()
    old_key = version.file_key
    services.update_version(version, {"title": "T"}, upload(PDF + b"%v2", "v2.pdf"),
                            actor=None, now=NOW)
    assert storage.exists(old_key)  # still there until the commit
    db.session.commit()
    assert not storage.exists(old_key)
    assert stored_files(storage_dir) == [version.file_key]
    assert version.filename == "v2.pdf"


def test_a_new_file_is_removed_when_the_transaction_rolls_back(category, upload, storage_dir):
    resource = new_resource(category)
    services.add_version(resource, {"language": "en", "title": "T"}, upload(), actor=None)
    assert len(stored_files(storage_dir)) == 1
    db.session.rollback()
    assert stored_files(storage_dir) == []


def test_a_new_file_stays_when_a_savepoint_after_it_rolls_back_and_the_change_commits(
        category, upload, storage_dir):
    """A savepoint rolled back later in the same transaction (a row another request added at
    the same moment) undoes its own work only: the version committed keeps its file."""
    resource = new_resource(category)
    version = services.add_version(resource, {"language": "en", "title": "T"}, upload(),
                                   actor=None)
    with pytest.raises(LookupError), savepoint():
        raise LookupError("the savepoint's work is refused")
    db.session.commit()
    assert storage.exists(version.file_key)
    assert stored_files(storage_dir) == [version.file_key]


def test_a_replaced_file_stays_until_the_commit_not_a_savepoints_release(category, upload,
                                                                          storage_dir):
    """A savepoint released (its work kept for the transaction) is not a commit: the file the
    change replaces stays while the change may still roll back, and does when it does."""
    resource = new_resource(category)
    version = services.add_version(resource, {"language": "en", "title": "T"}, upload(),
                                   actor=None)
    db.session.commit()
    old_key = version.file_key
    services.update_version(version, {"title": "T"}, upload(PDF + b"%v2", "v2.pdf"),
                            actor=None, now=NOW)
    with savepoint():
        pass
    assert storage.exists(old_key)
    db.session.rollback()
    assert storage.exists(old_key) and stored_files(storage_dir) == [old_key]


def test_unpublish_and_publish(category, upload):
    resource = new_resource(category)
    with pytest.raises(DomainError) as refused:
        services.set_published(resource, True, actor=None)
    assert refused.value.code == "no_versions"
    services.add_version(resource, {"language": "en", "title": "T"}, upload(), actor=None)
    assert services.set_published(resource, True, actor=None, now=NOW)
    assert services.set_published(resource, False, actor=None, now=NOW)
    assert not resource.is_published
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "resource.publish" in actions and "resource.unpublish" in actions


def test_deleting_a_resource_removes_its_files_after_commit(category, upload, storage_dir):
    resource = new_resource(category)
    for language in ("en", "fr"):
        services.add_version(resource, {"language": language, "title": "T"}, upload(),
                             actor=None)
    db.session.commit()
    assert len(stored_files(storage_dir)) == 2
    services.record_download(resource.versions[0], now=NOW)
    db.session.commit()
    db.session.expire_all()
    services.delete_resource(db.session.get(Resource, resource.id), actor=None, now=NOW)
    db.session.commit()
    assert stored_files(storage_dir) == []
    for model in (Resource, ResourceVersion, ResourceTag, ResourceDownload):
        assert db.session.scalars(select(model)).all() == []


def test_fallback_order_is_own_language_then_english_then_the_others(category, upload):
    resource = new_resource(category)
    for language in ("es", "en", "fr"):
        services.add_version(resource, {"language": language, "title": language}, upload(),
                             actor=None)
    db.session.flush()
    assert choose_version(resource, "fr")[0].language == "fr"
    assert choose_version(resource, "fr")[1] is False
    assert choose_version(resource, "ar") == (resource.version("en"), True)
    services.delete_version(resource.version("en"), actor=None)
    assert choose_version(resource, "ar")[0].language == "fr"


def test_downloads_are_counted_per_resource_language_and_month(category, upload):
    resource = new_resource(category)
    en = services.add_version(resource, {"language": "en", "title": "T"}, upload(), actor=None)
    fr = services.add_version(resource, {"language": "fr", "title": "T"}, upload(), actor=None)
    for moment in (NOW, NOW, datetime(2026, 12, 1, tzinfo=UTC)):
        services.record_download(en, now=moment)
    services.record_download(fr, now=NOW)
    rows = db.session.execute(select(ResourceDownload.language, ResourceDownload.month,
                                     ResourceDownload.count)
                              .order_by(ResourceDownload.language, ResourceDownload.month)).all()
    assert [(r.language, r.month.isoformat(), r.count) for r in rows] == [
        ("en", "2026-11-01", 2), ("en", "2026-12-01", 1), ("fr", "2026-11-01", 1)]


def test_categories_can_be_added_renamed_and_removed_when_unused(category):
    added = services.create_category("Training material", actor=None)
    assert added.code == "training-material" and added.title == "Training material"
    with pytest.raises(DomainError) as refused:
        services.create_category("training material", actor=None)
    assert refused.value.code == "category_exists"
    new_resource(category)
    with pytest.raises(DomainError) as refused:
        services.delete_category(category, actor=None)
    assert refused.value.code == "category_in_use"
    services.rename_category(added, "Training materials", actor=None)
    services.delete_category(added, actor=None)
    assert str(category.title) == "Guidelines"


def test_categories_named_without_latin_letters_are_told_apart(category):
    first = services.create_category("سياسات", actor=None)
    second = services.create_category("تقارير", actor=None)
    assert {first.name, second.name} == {"سياسات", "تقارير"} and first.code != second.code
    # A shipped category renamed frees its old name for a new one.
    services.rename_category(category, "Lignes directrices", actor=None)
    assert services.create_category("Guidelines", actor=None).title == "Guidelines"
    with pytest.raises(DomainError) as refused:
        services.create_category("تقارير", actor=None)
    assert refused.value.code == "category_exists"
