"""The built-in taxonomy comes with a data migration; a transactional test elsewhere flushes the
tables after it, so the directory's tests put it back (loading it is idempotent)."""

import pytest

from casebridge.directory.models import Taxonomy, TaxonomyTerm
from casebridge.directory.taxonomy import load_builtin_taxonomy


@pytest.fixture(autouse=True)
def _builtin_taxonomy(request):
    if "db" in request.fixturenames or "world" in request.fixturenames:
        request.getfixturevalue("db")
        load_builtin_taxonomy(Taxonomy, TaxonomyTerm)
