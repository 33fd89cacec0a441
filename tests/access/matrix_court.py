"""The URL matrix's rows for the court app (see test_url_matrix.py for the people)."""

from collections.abc import Callable

from tests.access.matrix_people import row

ROWS: dict[str, tuple[str, Callable[[object], dict[str, int]], dict[str, int]]] = {}


def _client(world: object) -> dict[str, int]:
    return {"client_id": world.client.pk}  # type: ignore[attr-defined]


def _court(world: object) -> dict[str, int]:
    return {"court_id": world.court.pk}  # type: ignore[attr-defined]


def _hearing(world: object) -> dict[str, int]:
    return {"court_id": world.court.pk, "hearing_id": world.hearing.pk}  # type: ignore[attr-defined]


def _note(world: object) -> dict[str, int]:
    return {**_hearing(world), "participant_id": world.participant.pk}  # type: ignore[attr-defined]


ROWS = {
    # The court record shows days without use and missed tests: clinical. Keeping it is the
    # case manager's; an empty post is refused with what is wrong (400).
    "court_record": ("get", _client, row(404, alice=200, sue=200)),
    "court_enrol": ("post", _client, row(404, alice=400, sue=400)),
    "court_advance": ("post", _client, row(404, alice=400, sue=400)),
    "court_respond": ("post", _client, row(404, alice=400, sue=400)),
    "court_end": ("post", _client, row(404, alice=400, sue=400)),
    "court_team": ("post", _client, row(404, alice=400, sue=400)),
    "court_call_in": ("post", _client, row(404, alice=400, sue=400)),
    # The calendar is the serving program's case managers' and supervisors'.
    "court_hearings": ("get", _court, row(404, alice=200, bob=200, sue=200)),
    "court_measures": ("get", _court, row(404, alice=200, bob=200, sue=200)),
    "court_line": ("get", _court, row(404, alice=200, bob=200, sue=200)),
    # A staffing report shows each person only the participants they read clinically (bob sees
    # a count); a recommendation is the client's case manager's; an empty post says what is
    # wrong.
    "hearing_staffing": ("get", _hearing, row(404, alice=200, bob=200, sue=200)),
    "staffing_recommend": ("post", _note, row(404, alice=400, sue=400)),
    "staffing_release": ("post", _hearing, row(404, alice=400, bob=400, sue=400)),
    # A court team member's read-only account: their court, and its hearings' reports.
    "court_team_home": ("get", lambda w: {}, row(404, jude=200)),
    "court_team_hearing": (
        "get",
        lambda w: {"hearing_id": w.hearing.pk},  # type: ignore[attr-defined]
        row(404, jude=200),
    ),
}

OTHER_ORGANISATION: list[str] = ["court_record"]


def prepare(world: object) -> None:
    """A drug court of the program, with the client taking part in it."""
    from django.utils import timezone

    from casebridge.court.models import CourtProgram, Hearing, Phase
    from casebridge.court.services import participant_enrol

    court = CourtProgram.objects.create(
        organisation=world.org,  # type: ignore[attr-defined]
        program=world.program,  # type: ignore[attr-defined]
        name="Matrix Court",
        court_name="Dept 1",
    )
    Phase.objects.create(court_program=court, number=1, name="One")
    Phase.objects.create(court_program=court, number=2, name="Two")
    world.participant = participant_enrol(  # type: ignore[attr-defined]
        client=world.client,  # type: ignore[attr-defined]
        court_program=court,
        by=world.alice,  # type: ignore[attr-defined]
        docket_number="M-1",
        charge_category="possession",
        track="post_plea",
        entered_on=timezone.localdate(),
    )
    world.court = court  # type: ignore[attr-defined]
    world.hearing = Hearing.objects.create(  # type: ignore[attr-defined]
        court_program=court,
        held_on=timezone.localdate(),
        created_by=world.alice,  # type: ignore[attr-defined]
    )
    # jude: the court's judge, reading through a court team account, named for the client,
    # who consented to share progress with the court.
    from casebridge.accounts.models import Role
    from casebridge.court.models import CourtTeamMember, Seat
    from tests.factories import ConsentFactory, StaffFactory

    world.jude = StaffFactory(  # type: ignore[attr-defined]
        username="jude",
        first_name="Jude",
        organisation=world.org,  # type: ignore[attr-defined]
        role=Role.COURT_TEAM,
    )
    seat = CourtTeamMember.objects.create(user=world.jude, court_program=court, seat=Seat.JUDGE)  # type: ignore[attr-defined]
    world.participant.team_accounts.add(seat)  # type: ignore[attr-defined]
    ConsentFactory(
        client=world.client,  # type: ignore[attr-defined]
        created_by=world.alice,  # type: ignore[attr-defined]
        recipient_kind="named",
        recipient_name="Dept 1",
        purpose="court",
        categories=["progress"],
    )
