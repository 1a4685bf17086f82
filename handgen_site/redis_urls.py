"""Give the Django cache its own Redis database next to the broker's.

Sharing one database, ``cache.clear()`` (FLUSHDB) would drop every queued task with the
throttle counters. Deriving the cache's database from ``REDIS_URL`` keeps a deployment at
one setting while separating the two.
"""

from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis's default `databases`; a deployment with more sets REDIS_CACHE_URL


def next_database_url(url: str) -> str:
    """``redis://h:6379/3`` -> ``redis://h:6379/4`` (no database given means 0, so 1)."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    database = int(path) if path else 0
    if database + 1 >= REDIS_DATABASES:
        raise ValueError(f"REDIS_URL uses database {database}; set REDIS_CACHE_URL to a free one for the cache")
    return urlunsplit(parts._replace(path=f"/{database + 1}"))
