"""DomainError: a refused operation, with a stable code for tests and a translated message."""
from gfp_portal.core.text import is_blank


class DomainError(Exception):
    def __init__(self, code, message, *, field=None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)


def required_text(value, code, message, *, field=None):
    """`value` without its outer spaces; DomainError(code, message) when it shows nothing (a
    reason, a comment, a title the rule cannot do without): spaces only, or characters that
    show nothing (core.text.is_blank)."""
    text = (value or "").strip()
    if is_blank(text):
        raise DomainError(code, message, field=field)
    return text
