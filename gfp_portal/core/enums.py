"""The base of the portal's enums: a string enum whose members carry a title in the reader's
language."""
import enum


class TitledEnum(enum.StrEnum):
    """Each member is declared with its value and its lazily translated title,
    `draft = "draft", _l("Draft")`; the value is what the database stores, `title` what a
    page shows."""

    def __new__(cls, value, title):
        member = str.__new__(cls, value)
        member._value_ = value
        member._title = title
        return member

    @property
    def title(self):
        return self._title

    @classmethod
    def choices(cls, *, omit=()):
        """(value, title) of each member but those in `omit`, for a select field."""
        return [(member.value, member.title) for member in cls if member not in omit]
