from django.core.cache import caches

from casebridge.clients.models import ClientFlag
from tests.isolation import undone


def test_what_a_block_wrote_and_kept_is_gone_after_it(world):
    kept = caches["due"]  # local memory whatever CACHE_URL says
    with undone():
        ClientFlag.objects.create(client=world.client, kind="high_risk", raised_by=world.alice)
        kept.set("kept", 1)
        assert ClientFlag.objects.count() == 1 and kept.get("kept") == 1
    assert not ClientFlag.objects.exists()
    assert kept.get("kept") is None
