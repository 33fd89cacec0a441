"""What the Recovery capital tab shows: the support network, the client's own words and, for
those who read clinical content, the BARC-10 trend and the days in recovery with milestones."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from casebridge.assessments.charts import Chart, trend
from casebridge.assessments.definitions import all_instruments
from casebridge.assessments.models import InstrumentResponse
from casebridge.clients.models import Client
from casebridge.monitoring.recovery import sobriety_dates
from casebridge.recovery_capital.models import OwnWords, SupportTie

BARC = "barc10"
# Milestones people in recovery mark, in days.
MILESTONES = (
    (1, "24 hours"),
    (30, "30 days"),
    (60, "60 days"),
    (90, "90 days"),
    (182, "6 months"),
    (273, "9 months"),
    (365, "1 year"),
    (547, "18 months"),
)


@dataclass
class Milestones:
    since: date
    days: int
    reached: list[str]
    next_label: str
    next_on: date


def milestones(since: date, today: date) -> Milestones:
    """Days in recovery from the sobriety date, the milestones reached and the next one (after
    18 months, each anniversary)."""
    days = max(0, (today - since).days + 1)
    reached = [label for count, label in MILESTONES if days >= count]
    upcoming = [(count, label) for count, label in MILESTONES if days < count]
    if upcoming:
        count, label = upcoming[0]
    else:
        years = days // 365 + 1
        count, label = years * 365, f"{years} years"
    return Milestones(since, days, reached, label, since + timedelta(days=count - 1))


def ties(client: Client) -> list[SupportTie]:
    return list(client.support_ties.select_related("added_by"))


def own_words(client: Client) -> OwnWords | None:
    return OwnWords.objects.filter(client=client).select_related("updated_by").first()


def clinical_part(client: Client, today: date) -> dict[str, Any]:
    """The BARC-10 scores with their chart, and the milestones (clinical content)."""
    responses = list(
        InstrumentResponse.objects.filter(client=client, instrument=BARC)
        .select_related("administered_by")
        .order_by("administered_at", "id")
    )
    instrument = all_instruments().get(BARC)
    chart: Chart | None = trend(instrument, responses) if instrument else None
    sobriety = sobriety_dates([client.pk]).get(client.pk)
    return {
        "barc": responses,
        "barc_chart": chart,
        "milestones": milestones(sobriety.since, today) if sobriety else None,
    }
