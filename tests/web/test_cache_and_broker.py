"""The Django cache and the Celery broker never share a Redis database: clearing one keeps the other."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

from handgen_site.redis_urls import next_database_url


@pytest.mark.parametrize(
    ("broker", "cache_url"),
    [
        ("redis://127.0.0.1:6379/3", "redis://127.0.0.1:6379/4"),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/1"),
        ("redis://:secret@host:6380/0?socket_timeout=5", "redis://:secret@host:6380/1?socket_timeout=5"),
    ],
)
def test_the_cache_takes_the_next_database(broker, cache_url):
    assert next_database_url(broker) == cache_url


def test_the_last_database_needs_an_explicit_cache_url():
    with pytest.raises(ValueError, match="REDIS_CACHE_URL"):
        next_database_url("redis://h:6379/15")


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (the CI's PostgreSQL + Redis run)")
def test_clearing_the_cache_keeps_queued_messages():
    from handgen_site.celery import app

    assert settings.CACHES["default"]["LOCATION"] != settings.CELERY_BROKER_URL
    name = f"handgen-test-{uuid.uuid4().hex[:8]}"
    with app.connection_for_write() as conn:
        queue = conn.SimpleQueue(name)
        try:
            queue.put({"task": "kept"})
            cache.set("throttle-key", 1)
            cache.clear()
            assert cache.get("throttle-key") is None
            assert queue.get(timeout=5).payload == {"task": "kept"}
        finally:
            queue.queue.delete()
            queue.close()
