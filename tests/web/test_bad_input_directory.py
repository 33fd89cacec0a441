"""Fuzzing the directory's forms on the machinery of test_bad_input_fuzz: the administrators'
upload and export, and the search (a GET, fuzzed here with the same junk): junk in any field is
never a server error, and an upload that is refused keeps nothing."""

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebridge.directory.models import DirectoryImport, Service
from tests.directory.builders import directory_document
from tests.web.test_bad_input_fuzz import EXAMPLES, JUNK, FormCase, post_junk, post_valid


class RewoundFile(SimpleUploadedFile):
    """An upload that reads whole every time it is posted (each example posts it again)."""

    def read(self, *args: Any) -> bytes:
        self.file.seek(0)
        return self.file.read(*args)


HSDS = json.dumps(directory_document(2)).encode()


def _kept(dz: Any) -> Any:
    return (DirectoryImport.objects.count(), Service.objects.count())


CASES: dict[str, FormCase] = {
    "directory upload": FormCase(
        user="ada",
        url=lambda dz: reverse("directory_imports"),
        valid=lambda dz: {
            "file": RewoundFile("directory.json", HSDS, "application/json"),
            "dry_run": "on",
            "strict": "",
        },
        saved=_kept,
    ),
}


@pytest.fixture
def dz(world):
    return SimpleNamespace(world=world)


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_field_is_never_a_server_error_and_saves_nothing(client, dz, name):
    post_junk(client, name, CASES[name], dz)


def test_the_valid_posts_do_succeed(client, dz):
    post_valid(client, CASES, dz)


FIELDS = ["q", "category", "payment", "language", "open_now", "within", "client", "page"]


def test_junk_in_the_search_is_never_a_server_error(client, dz):
    client.force_login(dz.world.alice)
    params = st.dictionaries(st.sampled_from(FIELDS), st.one_of(JUNK, st.lists(JUNK, max_size=3)))

    @settings(
        max_examples=EXAMPLES * 3,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=params)
    def one_search(data: dict[str, Any]) -> None:
        with transaction.atomic():
            response = client.get(reverse("directory_search"), data)
            assert response.status_code < 500
            transaction.set_rollback(True)

    one_search()


def test_junk_in_the_export_is_never_a_server_error(client, dz):
    client.force_login(dz.world.ada)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(value=st.one_of(JUNK, st.lists(JUNK, max_size=2)))
    def one_export(value: Any) -> None:
        with transaction.atomic():
            response = client.post(reverse("directory_export"), {"format": value})
            assert response.status_code in {200, 400}
            transaction.set_rollback(True)

    one_export()
