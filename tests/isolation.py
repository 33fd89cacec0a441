"""Starting again from the same place: what the database was given undone, what this process
kept in memory forgotten."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction


def forget_local_caches() -> None:
    """What one test kept in this process's memory (measures worked out, due items) is not
    another's: ids repeat from test to test."""
    for cache in caches.all(initialized_only=True):
        if isinstance(cache, LocMemCache):
            cache.clear()


@contextmanager
def undone() -> Iterator[None]:
    """The block's writes are rolled back when it ends, however it ends, and local caches
    forgotten: the next block starts where this one did, as a new test would."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)
            forget_local_caches()
