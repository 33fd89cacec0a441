"""A drug court with two phases, for the court tests."""

import pytest

from casebridge.court.models import CourtProgram, Phase


@pytest.fixture
def court(world):
    program = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="Adult Drug Court", court_name="Dept 12"
    )
    Phase.objects.create(
        court_program=program,
        number=1,
        name="Stabilisation",
        min_days=30,
        days_without_use=14,
        tests_per_week=3,
        meetings_per_week=2,
    )
    Phase.objects.create(court_program=program, number=2, name="Treatment", min_days=60)
    return program
