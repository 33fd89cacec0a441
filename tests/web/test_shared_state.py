"""What several instances must share is kept where they all reach it: sessions and sign-in
lock-outs in the database, Django's cache in Redis when CACHE_URL says so (this process's
memory otherwise, for one machine)."""

import uuid

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client as BrowserClient

from tests.factories import PASSWORD
from tests.web.fresh_settings import settings_from

# A database number of its own, so nothing here meets the task queue's keys.
REDIS_CACHE = "redis://127.0.0.1:6379/12"


def test_one_machine_keeps_its_cache_in_memory(monkeypatch, tmp_path):
    configured = settings_from(monkeypatch, tmp_path)
    assert configured.CACHES["default"]["BACKEND"].endswith("locmem.LocMemCache")


def test_a_redis_cache_url_shares_the_cache(monkeypatch, tmp_path):
    configured = settings_from(monkeypatch, tmp_path, CACHE_URL=REDIS_CACHE)
    assert configured.CACHES["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_CACHE,
        "KEY_PREFIX": "casebridge",
    }


def test_a_cache_url_of_another_kind_is_refused_at_start(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        settings_from(monkeypatch, tmp_path, CACHE_URL="memcached://127.0.0.1:11211")


def test_what_one_instance_caches_another_reads(monkeypatch, tmp_path, settings):
    """Two cache connections stand for two instances: a value set through one is read through
    the other, so it went through Redis and not through this process's memory."""
    configured = settings_from(
        monkeypatch, tmp_path, CACHE_URL=REDIS_CACHE, CACHE_KEY_PREFIX=f"test-{uuid.uuid4().hex}"
    )
    settings.CACHES = configured.CACHES
    instance_a = caches.create_connection("default")
    instance_b = caches.create_connection("default")
    try:
        instance_a.set("round", "queued", 30)
        assert instance_b.get("round") == "queued"
    finally:
        instance_a.delete("round")
        instance_a.close()
        instance_b.close()


def test_sessions_and_lock_outs_are_rows_every_instance_reads(settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def test_a_session_made_on_one_instance_works_on_another(client, world):
    assert (
        client.post("/account/login/", {"username": "alice", "password": PASSWORD}).status_code
        == 302
    )
    caches["default"].clear()  # nothing of it lives in the first instance's memory
    other = BrowserClient()
    other.cookies = client.cookies
    assert Session.objects.count() == 1
    assert other.get("/my-day/").status_code == 200


def test_a_lock_out_on_one_instance_holds_on_another(client, world):
    for _ in range(5):
        client.post("/account/login/", {"username": "alice", "password": "wrong"})
    caches["default"].clear()
    other = BrowserClient()
    locked = other.post("/account/login/", {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
