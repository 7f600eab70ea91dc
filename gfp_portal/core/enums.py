"""The base of the portal's enums: a string enum whose members carry a title in the reader's
language."""
import enum


class _TitledEnumType(enum.EnumType):
    """Gives a member declared with its title alone its own name as its value."""

    def __new__(metacls, cls, bases, classdict, **kwargs):
        for name in classdict._member_names:
            if not isinstance(classdict[name], tuple):
                # Past the enum namespace's own __setitem__, which refuses a name set twice.
                dict.__setitem__(classdict, name, (name, classdict[name]))
        return super().__new__(metacls, cls, bases, classdict, **kwargs)


class TitledEnum(enum.StrEnum, metaclass=_TitledEnumType):
    """Each member is declared with its lazily translated title, `draft = _l("Draft")`: its
    value, what the database stores, is its name; `title` is what a page shows. A member whose
    value cannot be its name (a Python keyword) gives both: `import_ = "import", _l("…")`."""

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
