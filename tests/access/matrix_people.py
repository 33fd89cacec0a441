"""The people of the URL matrix and the helper that writes a row of expected answers."""

PEOPLE = ["anon", "alice", "bob", "sue", "otto", "cody", "ivy", "ada", "aud", "charlie", "jude"]
# alice: assigned case manager · bob: same program, not assigned · sue: supervisor of the program
# otto: supervisor of another program · cody: assigned coach · ivy: intake coordinator
# ada: program administrator · aud: auditor · charlie: case manager in another organisation
# jude: the judge of the client's drug court, reading through a court team account


def row(default: int, anon: int = 302, **overrides: int) -> dict[str, int]:
    expected = {person: default for person in PEOPLE}
    expected["anon"] = anon
    expected.update(overrides)
    return expected


CLINICAL = {"alice", "bob", "sue", "otto", "cody", "ivy", "charlie"}
