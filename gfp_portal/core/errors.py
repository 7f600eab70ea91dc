"""DomainError: a refused operation, with a stable code for tests and a translated message."""


class DomainError(Exception):
    def __init__(self, code, message, *, field=None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)
