"""Logs never keep the token of an access link (activation, reset, confirmation, feed)."""
import logging
import re

# The loggers that write request paths: the development server, gunicorn's access log and
# the application's own errors ("Exception on <path> [POST]").
PATH_LOGGERS = ("werkzeug", "gunicorn.access")
REDACTED = "[token]"


class RedactTokens(logging.Filter):
    """Replace the `<token>` part of the given URL rules in every record of the logger."""

    def __init__(self, prefixes):
        super().__init__()
        self.pattern = re.compile(
            "(" + "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
            + r")[^/?#\s\"']+")

    def filter(self, record):
        message = record.getMessage()
        redacted = self.pattern.sub(r"\1" + REDACTED, message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def token_prefixes(app):
    """The static part before `<token>` of every URL rule that carries one."""
    return {rule.rule.split("<token>")[0] for rule in app.url_map.iter_rules()
            if "token" in rule.arguments}


def redact_tokens_in_logs(app):
    prefixes = token_prefixes(app)
    if not prefixes:
        return
    for logger in (app.logger, *(logging.getLogger(name) for name in PATH_LOGGERS)):
        for old in [f for f in logger.filters if isinstance(f, RedactTokens)]:
            logger.removeFilter(old)
        logger.addFilter(RedactTokens(prefixes))
