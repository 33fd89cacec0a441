"""Comparing two plan versions: whatever the plans hold, the comparison reports exactly the
elements added, dropped and changed, matched by key."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from casebridge.plans.documents import compare

words = st.text(alphabet="abcdefgh ", min_size=1, max_size=12)


@st.composite
def goals(draw):
    return {
        "key": str(uuid.uuid4()),
        "term": draw(st.sampled_from(["short", "long"])),
        "own_words": draw(words),
        "measurable": draw(words),
        "target_date": "2027-01-01",
        "strength": "",
        "objectives": [],
        "interventions": [],
    }


@st.composite
def documents(draw):
    return {
        "problems": [
            {
                "key": str(uuid.uuid4()),
                "need_domain": "",
                "statement": draw(words),
                "goals": draw(st.lists(goals(), max_size=4)),
            }
            for _ in range(draw(st.integers(1, 3)))
        ]
    }


@given(documents(), st.data())
def test_comparison_finds_exactly_what_was_added_dropped_and_changed(document, data):
    assert compare(document, document) == []
    newer = {"problems": [dict(p, goals=list(p["goals"])) for p in document["problems"]]}
    all_goals = [g for p in newer["problems"] for g in p["goals"]]
    dropped = set(
        data.draw(st.sets(st.sampled_from([g["key"] for g in all_goals]))) if all_goals else set()
    )
    changed = set()
    for problem in newer["problems"]:
        kept = []
        for goal in problem["goals"]:
            if goal["key"] in dropped:
                continue
            if data.draw(st.booleans()):
                goal = dict(goal, measurable=goal["measurable"] + " by March")
                changed.add(goal["key"])
            kept.append(goal)
        problem["goals"] = kept
    added = data.draw(st.lists(goals(), max_size=3))
    newer["problems"][0]["goals"].extend(added)

    found: dict[str, list] = {}
    for change in compare(document, newer):
        found.setdefault(change.what, []).append(change)
    titles = {
        what: sorted(c.title for c in found.get(what, []))
        for what in ("added", "dropped", "changed")
    }
    by_key = {g["key"]: g for p in document["problems"] for g in p["goals"]}
    assert titles["added"] == sorted(g["own_words"] for g in added)
    assert titles["dropped"] == sorted(by_key[k]["own_words"] for k in dropped)
    assert titles["changed"] == sorted(by_key[k]["own_words"] for k in changed)
    assert all(c.fields[0][0] == "How we will know" for c in found.get("changed", []))
