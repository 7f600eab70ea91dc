"""Library analytics: downloads per resource, language and month; translation gaps."""
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from gfp_portal.core.i18n import current_language, language_name
from gfp_portal.extensions import db
from gfp_portal.resources.models import Resource, ResourceDownload, ResourceVersion
from gfp_portal.resources.queries import with_versions


def last_months(today, count):
    """The first days of the `count` months up to `today`'s, oldest first."""
    year, month = today.year, today.month
    months = []
    for __ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def downloads_table(today, *, months=6, limit=20):
    """The most downloaded (resource, language) pairs over the last `months` months up to
    `today`'s (a day in UTC, as downloads are counted): {"months": [...], "rows": [(resource,
    language, {month: count}, total)]}, each total the sum of the months shown. The database
    ranks the pairs; only the monthly counts of the `limit` first are read (three queries)."""
    window = last_months(today, months)
    in_window = ResourceDownload.month.between(window[0], window[-1])
    pair = (ResourceDownload.resource_id, ResourceDownload.language)
    downloads = func.sum(ResourceDownload.count)
    ranked = db.session.execute(
        select(*pair, downloads).where(in_window).group_by(*pair)
        .order_by(downloads.desc(), *pair).limit(limit)).all()
    per_pair = {(resource_id, language): {} for resource_id, language, __ in ranked}
    for resource_id, language, month, count in db.session.execute(
            select(*pair, ResourceDownload.month, ResourceDownload.count)
            .where(in_window, ResourceDownload.resource_id.in_(
                {resource_id for resource_id, __ in per_pair}))):
        if (resource_id, language) in per_pair:
            per_pair[resource_id, language][month] = count
    resources = _resources_by_id({resource_id for resource_id, __ in per_pair})
    rows = [(resources[resource_id], language, per_pair[resource_id, language], total)
            for resource_id, language, total in ranked]
    return {"months": window, "rows": rows}


def downloads_per_month():
    """[(month, language, downloads)] over the whole library (one query)."""
    return db.session.execute(
        select(ResourceDownload.month, ResourceDownload.language,
               func.sum(ResourceDownload.count))
        .group_by(ResourceDownload.month, ResourceDownload.language)).all()


def _resources_by_id(ids):
    if not ids:
        return {}
    return {r.id: r for r in db.session.scalars(
        with_versions(select(Resource)).where(Resource.id.in_(ids)))}


def downloads_rows(language=None, *, address_of):
    """Every count, as a table for core.tables (a CSV or a workbook): resource (by its title
    in `language`, the reader's unless told, else in English), its web address
    (`address_of(slug)`), the language by its own name (as the dashboard names it), month,
    downloads."""
    language = language or current_language()
    counts = db.session.execute(
        select(ResourceDownload.resource_id, ResourceDownload.language,
               ResourceDownload.month, ResourceDownload.count)
        .order_by(ResourceDownload.month, ResourceDownload.resource_id,
                  ResourceDownload.language)).all()
    resources = _resources_by_id({row.resource_id for row in counts})
    table = [[_("Resource"), _("Web address"), _("Language"), _("Month"), _("Downloads")]]
    for resource_id, counted, month, count in counts:
        resource = resources[resource_id]
        table.append([resource.title_in(language, resource.slug), address_of(resource.slug),
                      language_name(counted), month.strftime("%Y-%m"), count])
    return table


def gaps_query(language=None):
    """Resources that lack at least one language (or `language`), newest first."""
    present = (select(func.count(ResourceVersion.id))
               .where(ResourceVersion.resource_id == Resource.id).scalar_subquery())
    stmt = with_versions(select(Resource))
    if language:
        stmt = stmt.where(~Resource.versions.any(language=language))
    else:
        stmt = stmt.where(present < len(current_app.config["LANGUAGES"]))
    return stmt.order_by(Resource.is_published.desc(), Resource.created_at.desc(),
                         Resource.id.desc())


def gap_counts():
    """{language: number of resources without a version in it}."""
    total = db.session.scalar(select(func.count(Resource.id)))
    having = dict(db.session.execute(
        select(ResourceVersion.language, func.count(ResourceVersion.id))
        .group_by(ResourceVersion.language)).all())
    return {code: total - having.get(code, 0) for code in current_app.config["LANGUAGES"]}
