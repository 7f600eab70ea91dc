"""What every Redis client the portal makes is given: the rate-limit counters' (Flask-Limiter's
storage) and the job queue's (core/engine.py).

Each call waits at most REDIS_TIMEOUT_SECONDS to connect, then as long for each answer, and
fails with redis.TimeoutError past it: a Redis that takes the connection and never answers is
met as one that refuses it, not with a request held until the web server kills its worker."""


def timeouts(config):
    """The connect and read timeouts of a Redis client, as redis-py takes them."""
    seconds = config["REDIS_TIMEOUT_SECONDS"]
    return {"socket_connect_timeout": seconds, "socket_timeout": seconds}


def limiter_storage_options(config):
    """RATELIMIT_STORAGE_OPTIONS: the timeouts when the limits count in Redis (redis://,
    rediss://, redis+unix://…), then whatever the config sets itself."""
    given = config.get("RATELIMIT_STORAGE_OPTIONS", {})
    if not config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        return given
    return {**timeouts(config), **given}
