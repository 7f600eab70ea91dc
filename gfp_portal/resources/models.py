"""Resource, its language versions, categories, topic tags and monthly download counts."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.i18n import LanguageVersion, LanguageVersions
from gfp_portal.core.search import keep_search_key
from gfp_portal.core.storage import KIND_LABELS
from gfp_portal.extensions import db


class Visibility(TitledEnum):
    public = _l("Public")
    network = _l("Network only")

# Topic tags the library uses, by their name in the reader's language; a tag the Office adds
# later shows as written (hyphens read as spaces) until it is named here.
TAG_TITLES = {
    "advocacy": _l("Advocacy"),
    "anti-racism": _l("Anti-racism"),
    "enabling-environment": _l("Enabling environment"),
    "field": _l("Field offices"),
    "flexible-working": _l("Flexible working"),
    "mentoring": _l("Mentoring"),
    "parity": _l("Gender parity"),
    "recruitment": _l("Recruitment"),
    "retention": _l("Retention"),
    "sexual-harassment": _l("Sexual harassment"),
    "survey": _l("Surveys"),
}


def tag_title(tag):
    title = TAG_TITLES.get(tag)
    if title is not None:
        return str(title)
    words = tag.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


# The shipped categories (code, English name); their names are translated as long as the
# Office keeps them. Categories added or renamed by the Office show the name it gave them.
DEFAULT_CATEGORIES = (
    ("guidelines", "Guidelines"),
    ("briefs", "Briefs"),
    ("advocacy", "Advocacy"),
    ("templates-tools", "Templates and tools"),
    ("reports", "Reports"),
    ("sexual-harassment-prevention", "Sexual harassment prevention"),
)
CATEGORY_TITLES = {
    "guidelines": _l("Guidelines"),
    "briefs": _l("Briefs"),
    "advocacy": _l("Advocacy"),
    "templates-tools": _l("Templates and tools"),
    "reports": _l("Reports"),
    "sexual-harassment-prevention": _l("Sexual harassment prevention"),
}


class ResourceCategory(db.Model):
    __tablename__ = "resource_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    @property
    def title(self):
        if self.name == dict(DEFAULT_CATEGORIES).get(self.code):
            return CATEGORY_TITLES[self.code]
        return self.name

    def __str__(self):
        return str(self.title)


class Resource(LanguageVersions, db.Model):
    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("resource_categories.id"), index=True)
    visibility: Mapped[Visibility] = enum_column(Visibility, default=Visibility.public)
    is_published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[ResourceCategory] = relationship()
    versions: Mapped[list["ResourceVersion"]] = relationship(
        back_populates="resource", cascade="all, delete-orphan",
        order_by="ResourceVersion.language")
    tag_rows: Mapped[list["ResourceTag"]] = relationship(
        cascade="all, delete-orphan", order_by="ResourceTag.tag")

    @property
    def tags(self):
        return [row.tag for row in self.tag_rows]

    @property
    def is_public(self):
        return self.visibility == Visibility.public

    def __str__(self):
        return self.title_or(self.slug)


class ResourceTag(db.Model):
    __tablename__ = "resource_tags"

    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"),
                                             primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


class ResourceVersion(LanguageVersion, db.Model):
    """One language of a resource: its own title, summary and either a file or a link."""

    __tablename__ = "resource_versions"
    __table_args__ = (UniqueConstraint("resource_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"),
                                             index=True)
    external_url: Mapped[str | None] = mapped_column(String(1000))
    # The stored file (see core.storage): generated key, download name, type, size, checksum.
    file_key: Mapped[str | None] = mapped_column(String(80))
    filename: Mapped[str | None] = mapped_column(String(160))
    content_type: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Title and summary without accents or case, for search (core.search).
    search_key: Mapped[str] = mapped_column(Text, default="")

    resource: Mapped[Resource] = relationship(back_populates="versions")

    @property
    def has_file(self):
        return self.file_key is not None

    @property
    def kind_label(self):
        """PDF, DOCX… for a file; None for a link."""
        if not self.filename:
            return None
        return KIND_LABELS.get(self.filename.rsplit(".", 1)[-1], self.filename.rsplit(".")[-1])


keep_search_key(ResourceVersion, "search_key", "title", "summary")


class ResourceDownload(db.Model):
    """How many times one language version of a resource was downloaded in one month."""

    __tablename__ = "resource_downloads"

    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"),
                                             primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)  # the first day of the month
    count: Mapped[int] = mapped_column(default=0)

    resource: Mapped[Resource] = relationship()
