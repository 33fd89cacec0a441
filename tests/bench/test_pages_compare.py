"""How the page benchmark judges two sizes against each other."""

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _pages_module():
    sys.path.insert(0, str(BENCH))  # pages.py imports its neighbour serving.py
    try:
        spec = importlib.util.spec_from_file_location("bench_pages", BENCH / "pages.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def _report(queries, counts):
    row = {"median": 10.0, "p90": 11.0, "sql": 2.0}
    return {
        "clients": 0,
        "pages": {
            "floor": row | {"queries": 8, "counts": 0},
            "caseload": row | {"queries": queries, "counts": counts},
        },
    }


def test_a_count_of_a_list_that_goes_past_its_page_at_one_size_only_is_allowed(capsys):
    pages = _pages_module()
    assert pages.compare([1000, 100000], {1000: _report(14, 0), 100000: _report(15, 1)})
    assert pages.compare([1000, 100000], {1000: _report(17, 1), 100000: _report(16, 0)})
    assert "ok" in capsys.readouterr().out


def test_any_other_query_more_at_the_larger_size_is_reported(capsys):
    pages = _pages_module()
    assert not pages.compare([1000, 100000], {1000: _report(14, 0), 100000: _report(15, 0)})
    assert "queries grow" in capsys.readouterr().out
    # Two counts more is not one list going past its page.
    assert not pages.compare([1000, 100000], {1000: _report(14, 0), 100000: _report(16, 2)})
