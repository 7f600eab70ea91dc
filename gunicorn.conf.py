"""gunicorn's settings for the portal (`gunicorn -c gunicorn.conf.py wsgi:app`).

A deployment file, so it reads its own settings from the environment; the portal's settings
stay in config.py.
"""
import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"
# Each worker holds its own database pool; threads let one worker wait on the database or
# the mail server for one request while serving another.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 4)
# A request still running after this many seconds is killed; nginx waits a little longer.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# A worker is replaced after this many requests (plus jitter), so that no leak builds up.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# gunicorn's control socket sits in the home folder by default, shared by every instance on
# the machine; the portal is run by systemd's signals instead (deploy/systemd/).
control_socket_disable = True

accesslog = "-"
errorlog = "-"
# The client as nginx saw it, and the request id the portal answered with.
access_log_format = ('%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" '
                     'request_id=%({x-request-id}o)s')

if (os.environ.get("LOG_FORMAT") or "json") == "json":
    # gunicorn's own lines as JSON too, like the portal's (request id included).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "gfp_portal.core.request_log.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": "WARNING", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        },
    }


def post_worker_init(worker):
    """What a worker has loaded by now (the portal, its modules, Babel's data) lives as long
    as the worker: moved out of the garbage collector's reach, so that a full collection does
    not walk it again in the middle of a request."""
    import gc

    gc.collect()
    gc.freeze()
