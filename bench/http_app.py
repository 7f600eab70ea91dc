"""The portal as the HTTP benchmark serves it under gunicorn: the production code on the
benchmark database named by BENCH_DATABASE_URL, over plain HTTP, with rate limits off (one
client sends every request)."""
import os

from config import INSTANCE_DIR, DevelopmentConfig
from gfp_portal.app import create_app


class HttpBenchConfig(DevelopmentConfig):
    ENV_NAME = "bench"
    SECRET_KEY = "bench-secret-key"  # noqa: S105 — a throwaway benchmark database
    SQLALCHEMY_DATABASE_URI = os.environ["BENCH_DATABASE_URL"]
    SERVER_NAME = None
    RATELIMIT_ENABLED = False
    STORAGE_PATH = str(INSTANCE_DIR / "bench-storage")
    LOG_FORMAT = "text"
    SERVE_BUILT_STATIC = True  # as in production: fingerprinted, compressed, cached for a year


app = create_app(HttpBenchConfig)
