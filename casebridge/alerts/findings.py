"""What each alert rule finds in the record, for a set of clients at once.

Each finder reads one capability's facts for every client of the set in one or two queries,
then applies each client's program numbers (alerts/rules.py) in Python. The set may be one
client (a change just committed) or a thousand (a sweep's batch): the number of queries is the
same. Nothing here writes; alerts/services.py turns findings into alerts.
"""

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from casebridge.alerts.models import AlertKind, Priority
from casebridge.alerts.rules import RULES
from casebridge.assessments.models import InstrumentResponse
from casebridge.clients.models import ClientFlag, FlagKind
from casebridge.consents.models import Consent, ConsentStatus, ExpiryKind
from casebridge.court.models import Obligation, ObligationKind
from casebridge.monitoring.appointment_statuses import AppointmentStatus
from casebridge.monitoring.models import CheckIn
from casebridge.monitoring.models.appointments import CLINICAL_KINDS, Appointment, AppointmentKind
from casebridge.monitoring.models.recovery import MOUD, DrugScreen, Medication, ScreenOutcome
from casebridge.monitoring.services.medications import Prescription, gaps
from casebridge.plans.queries import reviews_due
from casebridge.referrals.models import Referral
from casebridge.referrals.statuses import AWAITING_ANSWER, OPEN
from casebridge.transitions.levels import LevelOfCare
from casebridge.transitions.models import Transition, TransitionStatus


@dataclass(frozen=True)
class ClientFacts:
    """What the rules need of the client row itself."""

    pk: int
    program_id: int
    next_contact_due_at: datetime | None
    last_contact_at: datetime | None


@dataclass
class Finding:
    client_id: int
    kind: str
    key: str
    title: str
    fact_on: date
    facts: list[str] = field(default_factory=list)
    # Where a finding needs more than its rule's action (a missed health appointment).
    needs_action: str = ""
    # Where a finding is more pressing than its rule (an escalation), and whether it goes to
    # the supervisors of the client's program too.
    priority: int | None = None
    for_supervisor: bool = False


@dataclass(frozen=True)
class Context:
    clients: dict[int, ClientFacts]
    # {client id: {kind: {"enabled": ..., threshold: value}}}, the client's program's numbers.
    settings: dict[int, dict[str, dict[str, Any]]]
    today: date
    now: datetime
    # Rows several rules read, loaded once per evaluation (see `_loaded`).
    loaded: dict[str, list[Any]] = field(default_factory=dict)
    # The sweep's batch as a range of client ids (every client in it is evaluated): a range
    # reads as fast as a list and costs nothing to build, where a list of a thousand ids does.
    id_range: tuple[int, int] | None = None

    def enabled(self, kind: str) -> list[int]:
        return [pk for pk in self.clients if self.settings[pk][kind]["enabled"]]

    def number(self, client_id: int, kind: str, name: str) -> int:
        return int(self.settings[client_id][kind][name])

    def widest(self, kind: str, name: str, clients: list[int]) -> int:
        return max(self.number(pk, kind, name) for pk in clients)

    def among(self, clients: list[int]) -> Q:
        """A filter on `client_id` for these clients."""
        if self.id_range is not None and len(clients) == len(self.clients):
            return Q(client_id__gte=self.id_range[0], client_id__lte=self.id_range[1])
        return Q(client_id__in=clients)

    def enabled_any(self, *kinds: str) -> list[int]:
        return sorted({pk for kind in kinds for pk in self.enabled(kind)})

    def back(self, kinds_and_windows: dict[str, str]) -> int:
        """The widest look-back, in days, of these rules over the clients they are on for."""
        widest = 0
        for kind, name in kinds_and_windows.items():
            members = self.enabled(kind)
            if members:
                widest = max(widest, self.widest(kind, name, members))
        return widest


def _loaded(ctx: Context, name: str, load: Callable[[], list[Any]]) -> list[Any]:
    """Rows that several rules read (recent check-ins, appointments, instruments), queried once
    per evaluation."""
    if name not in ctx.loaded:
        ctx.loaded[name] = load()
    return ctx.loaded[name]


def _appointments(ctx: Context) -> list[Any]:
    """Missed appointments not followed up in the widest window, and court hearings coming up,
    for the rules about appointments (one query)."""
    kinds = (AlertKind.MISSED_APPOINTMENT, AlertKind.MISSED_COURT, AlertKind.COURT_SOON)
    clients = ctx.enabled_any(*kinds)
    if not clients:
        return []
    back = ctx.back(
        {AlertKind.MISSED_APPOINTMENT: "look_back_days", AlertKind.MISSED_COURT: "look_back_days"}
    )
    ahead = ctx.back({AlertKind.COURT_SOON: "within_days"})
    missed = Q(
        status=AppointmentStatus.MISSED,
        followed_up_at__isnull=True,
        starts_at__gte=start_of(ctx.today - timedelta(days=back)),
    )
    coming = Q(
        kind=AppointmentKind.COURT,
        status=AppointmentStatus.SCHEDULED,
        starts_at__gte=ctx.now,
        starts_at__lt=start_of(ctx.today + timedelta(days=ahead + 1)),
    )
    return list(
        Appointment.objects.filter(missed | coming, ctx.among(clients)).values_list(
            "pk", "client_id", "kind", "starts_at", "status", "timed"
        )
    )


def _recent_check_ins(ctx: Context) -> list[Any]:
    """Check-ins in the widest window of the craving and use rules, newest first per client."""
    clients = ctx.enabled_any(AlertKind.CRAVING, AlertKind.REPORTED_USE)
    if not clients:
        return []
    back = ctx.back({AlertKind.CRAVING: "look_back_days", AlertKind.REPORTED_USE: "look_back_days"})
    return list(
        CheckIn.objects.filter(
            ctx.among(clients), checked_in_at__gte=start_of(ctx.today - timedelta(days=back))
        )
        .order_by("client_id", "-checked_in_at", "-id")
        .values_list("pk", "client_id", "checked_in_at", "craving", "used_since_last")
    )


MOOD_INSTRUMENTS = {"phq9": "PHQ-9 (depression)", "gad7": "GAD-7 (anxiety)"}


def _instruments(ctx: Context) -> list[Any]:
    """PHQ-9, GAD-7 and BAM results in the widest window of their rules, each with the score
    of the one before it of the same instrument (one query)."""
    clients = ctx.enabled_any(AlertKind.MOOD_WORSE, AlertKind.BAM_RISK)
    if not clients:
        return []
    back = ctx.back({AlertKind.MOOD_WORSE: "look_back_days", AlertKind.BAM_RISK: "look_back_days"})
    before = InstrumentResponse.objects.filter(
        client_id=OuterRef("client_id"),
        instrument=OuterRef("instrument"),
        administered_at__lt=OuterRef("administered_at"),
        primary_score__isnull=False,
    ).order_by("-administered_at", "-id")
    return list(
        InstrumentResponse.objects.filter(
            ctx.among(clients),
            instrument__in=[*MOOD_INSTRUMENTS, "bam"],
            administered_at__gte=start_of(ctx.today - timedelta(days=back)),
        )
        .annotate(
            previous=Subquery(before.values("primary_score")[:1]),
            previous_at=Subquery(before.values("administered_at")[:1]),
        )
        .values_list(
            "pk",
            "client_id",
            "instrument",
            "administered_at",
            "primary_score",
            "scores",
            "previous",
            "previous_at",
        )
    )


def day(value: date) -> str:
    """A day as people write it: "Mon 3 Nov 2026"."""
    return f"{value:%a} {value.day} {value:%b %Y}"


def local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def start_of(value: date) -> datetime:
    return timezone.make_aware(datetime.combine(value, time.min))


# Finders


def missed_appointments(ctx: Context) -> list[Finding]:
    """Missed appointments nobody has followed up, and missed court dates, in the window."""
    kinds = {
        AlertKind.MISSED_APPOINTMENT: set(ctx.enabled(AlertKind.MISSED_APPOINTMENT)),
        AlertKind.MISSED_COURT: set(ctx.enabled(AlertKind.MISSED_COURT)),
    }
    labels = dict(AppointmentKind.choices)
    found = []
    for pk, client_id, kind, starts_at, status, _ in _loaded(
        ctx, "appointments", lambda: _appointments(ctx)
    ):
        if status != AppointmentStatus.MISSED:
            continue
        alert_kind = (
            AlertKind.MISSED_COURT
            if kind == AppointmentKind.COURT
            else AlertKind.MISSED_APPOINTMENT
        )
        if client_id not in kinds[alert_kind]:
            continue
        on = local_day(starts_at)
        if on < ctx.today - timedelta(days=ctx.number(client_id, alert_kind, "look_back_days")):
            continue
        what = str(labels.get(kind, kind))
        found.append(
            Finding(
                client_id,
                alert_kind,
                f"appointment-{pk}",
                f"Missed: {what.lower()} on {day(on)}",
                on,
                [f"Recorded as missed; nobody has followed it up yet ({day(on)})."],
                needs_action="read_clinical" if kind in CLINICAL_KINDS else "",
            )
        )
    return found


def missed_check_ins(ctx: Context) -> list[Finding]:
    """No check-in within the grace days after the one expected, counted from the last one (a
    client who never checked in is not expected to)."""
    clients = ctx.enabled(AlertKind.MISSED_CHECK_IN)
    if not clients:
        return []
    last = CheckIn.objects.filter(client_id=OuterRef("client_id")).order_by("-checked_in_at")
    rows = (
        CheckIn.objects.filter(ctx.among(clients))
        .filter(pk=Subquery(last.values("pk")[:1]))
        .values_list("client_id", "checked_in_at")
    )
    found = []
    for client_id, checked_in_at in rows:
        last_on = local_day(checked_in_at)
        expected = last_on + timedelta(days=ctx.number(client_id, "missed_check_in", "every_days"))
        late_after = expected + timedelta(
            days=ctx.number(client_id, "missed_check_in", "grace_days")
        )
        if ctx.today <= late_after:
            continue
        found.append(
            Finding(
                client_id,
                AlertKind.MISSED_CHECK_IN,
                f"expected-{expected.isoformat()}",
                f"No check-in since {day(last_on)}",
                expected,
                [f"Last check-in {day(last_on)}; the next was expected by {day(expected)}."],
            )
        )
    return found


def craving(ctx: Context) -> list[Finding]:
    """Craving at or above the program's level at the latest check-in, or rising at each of the
    last few check-ins (within the window)."""
    clients = set(ctx.enabled(AlertKind.CRAVING))
    recent: dict[int, list[tuple[int, datetime, int]]] = defaultdict(list)
    rows = _loaded(ctx, "check_ins", lambda: _recent_check_ins(ctx))
    for pk, client_id, checked_in_at, level, _ in rows:
        if client_id in clients and len(recent[client_id]) < 10:
            recent[client_id].append((pk, checked_in_at, level))
    found = []
    for client_id, check_ins in recent.items():
        window_start = ctx.today - timedelta(
            days=ctx.number(client_id, AlertKind.CRAVING, "look_back_days")
        )
        check_ins = [c for c in check_ins if local_day(c[1]) >= window_start]
        if not check_ins:
            continue
        latest_pk, latest_at, latest_level = check_ins[0]
        at_least = ctx.number(client_id, AlertKind.CRAVING, "at_least")
        over = ctx.number(client_id, AlertKind.CRAVING, "rising_over")
        run = [level for _, _, level in reversed(check_ins[:over])]
        rising = len(run) == over and all(a < b for a, b in itertools.pairwise(run))
        on = local_day(latest_at)
        if latest_level >= at_least:
            title = f"Craving {latest_level} of 10 at the check-in on {day(on)}"
        elif rising:
            title = f"Craving rising over {over} check-ins: " + ", ".join(map(str, run))
        else:
            continue
        facts = [
            f"{day(local_day(at))}: craving {level} of 10" for _, at, level in check_ins[:over]
        ]
        found.append(
            Finding(client_id, AlertKind.CRAVING, f"check-in-{latest_pk}", title, on, facts)
        )
    return found


def reported_use(ctx: Context) -> list[Finding]:
    clients = set(ctx.enabled(AlertKind.REPORTED_USE))
    found = []
    for pk, client_id, checked_in_at, _, used in _loaded(
        ctx, "check_ins", lambda: _recent_check_ins(ctx)
    ):
        if not used or client_id not in clients:
            continue
        on = local_day(checked_in_at)
        days = ctx.number(client_id, AlertKind.REPORTED_USE, "look_back_days")
        if on >= ctx.today - timedelta(days=days):
            found.append(
                Finding(
                    client_id,
                    AlertKind.REPORTED_USE,
                    f"check-in-{pk}",
                    f"Said they used, at the check-in on {day(on)}",
                    on,
                    [f"Check-in of {day(on)}: use since the last check-in."],
                )
            )
    return found


SCREEN_WORDS: dict[str, str] = {
    ScreenOutcome.POSITIVE: "unexpected positive",
    ScreenOutcome.REFUSED: "refused",
    ScreenOutcome.MISSED: "missed",
}


def screens(ctx: Context) -> list[Finding]:
    clients = ctx.enabled(AlertKind.SCREEN)
    if not clients:
        return []
    back = ctx.widest(AlertKind.SCREEN, "look_back_days", clients)
    rows = DrugScreen.objects.filter(
        ctx.among(clients),
        outcome__in=list(SCREEN_WORDS),
        collected_on__gte=ctx.today - timedelta(days=back),
    ).values_list("pk", "client_id", "collected_on", "outcome")
    found = []
    for pk, client_id, collected_on, outcome in rows:
        days = ctx.number(client_id, AlertKind.SCREEN, "look_back_days")
        if collected_on < ctx.today - timedelta(days=days):
            continue
        found.append(
            Finding(
                client_id,
                AlertKind.SCREEN,
                f"screen-{pk}",
                f"Drug screen on {day(collected_on)}: {SCREEN_WORDS[outcome]}",
                collected_on,
                [f"Drug screen of {day(collected_on)} recorded as {SCREEN_WORDS[outcome]}."],
            )
        )
    return found


COURT_WORDS = {
    ObligationKind.CALL_IN: "no call to the testing line",
    ObligationKind.TEST: "no drug test on a day their colour was drawn",
}


def court_missed(ctx: Context) -> list[Finding]:
    """Missed court obligations in the window, less a drawn day's test recorded since."""
    clients = ctx.enabled(AlertKind.COURT_MISSED)
    if not clients:
        return []
    back = ctx.widest(AlertKind.COURT_MISSED, "look_back_days", clients)
    tested = DrugScreen.objects.filter(
        client_id=OuterRef("client_id"), collected_on=OuterRef("day")
    )
    rows = (
        Obligation.objects.filter(
            ctx.among(clients), kept=False, day__gte=ctx.today - timedelta(days=back)
        )
        .exclude(Q(kind=ObligationKind.TEST) & Exists(tested))
        .values_list("pk", "client_id", "day", "kind")
    )
    found = []
    for pk, client_id, on, kind in rows:
        if on < ctx.today - timedelta(
            days=ctx.number(client_id, AlertKind.COURT_MISSED, "look_back_days")
        ):
            continue
        words = COURT_WORDS[ObligationKind(kind)]
        found.append(
            Finding(
                client_id,
                AlertKind.COURT_MISSED,
                f"court-obligation-{pk}",
                f"Court, {day(on)}: {words}",
                on,
                [f"The day's check on {day(on)} found {words}."],
            )
        )
    return found


def mood_worse(ctx: Context) -> list[Finding]:
    """A PHQ-9 or GAD-7 score worse than the one before it by the program's points or more."""
    clients = set(ctx.enabled(AlertKind.MOOD_WORSE))
    found = []
    for row in _loaded(ctx, "instruments", lambda: _instruments(ctx)):
        pk, client_id, instrument, at, score, _, previous, previous_at = row
        if client_id not in clients or instrument not in MOOD_INSTRUMENTS:
            continue
        if previous is None or score is None:
            continue
        points = ctx.number(client_id, AlertKind.MOOD_WORSE, "points")
        on = local_day(at)
        days = ctx.number(client_id, AlertKind.MOOD_WORSE, "look_back_days")
        if score - previous < points or on < ctx.today - timedelta(days=days):
            continue
        name = MOOD_INSTRUMENTS[instrument]
        found.append(
            Finding(
                client_id,
                AlertKind.MOOD_WORSE,
                f"response-{pk}",
                f"{name} {score}, up {score - previous} from {previous}",
                on,
                [
                    f"{name} on {day(on)}: {score}.",
                    f"The one before, on {day(local_day(previous_at))}: {previous}.",
                ],
            )
        )
    return found


def bam_risk(ctx: Context) -> list[Finding]:
    clients = set(ctx.enabled(AlertKind.BAM_RISK))
    found = []
    for pk, client_id, instrument, at, _, scores, _, _ in _loaded(
        ctx, "instruments", lambda: _instruments(ctx)
    ):
        if client_id not in clients or instrument != "bam":
            continue
        risk = (scores or {}).get("risk")
        on = local_day(at)
        days = ctx.number(client_id, AlertKind.BAM_RISK, "look_back_days")
        cut_off = ctx.number(client_id, AlertKind.BAM_RISK, "risk_at_least")
        if not isinstance(risk, int) or risk < cut_off or on < ctx.today - timedelta(days=days):
            continue
        found.append(
            Finding(
                client_id,
                AlertKind.BAM_RISK,
                f"response-{pk}",
                f"Recovery check-up (BAM) risk score {risk} of 24",
                on,
                [f"BAM on {day(on)}: risk factors {risk} (the program's cut-off is {cut_off})."],
            )
        )
    return found


def safety_without_follow_up(ctx: Context) -> list[Finding]:
    clients = ctx.enabled(AlertKind.SAFETY_FOLLOW_UP)
    if not clients:
        return []
    rows = ClientFlag.objects.filter(
        ctx.among(clients), kind=FlagKind.SAFETY, cleared_at__isnull=True
    ).values_list("pk", "client_id", "raised_at")
    found = []
    for pk, client_id, raised_at in rows:
        hours = ctx.number(client_id, AlertKind.SAFETY_FOLLOW_UP, "after_hours")
        if ctx.now - raised_at < timedelta(hours=hours):
            continue
        on = local_day(raised_at)
        found.append(
            Finding(
                client_id,
                AlertKind.SAFETY_FOLLOW_UP,
                f"flag-{pk}",
                f"Safety concern open since {day(on)} with no follow-up",
                on,
                [
                    f"Raised {day(on)} at {timezone.localtime(raised_at):%H:%M}; no safety "
                    f"follow-up recorded after {hours} hours."
                ],
            )
        )
    return found


def contacts_overdue(ctx: Context) -> list[Finding]:
    found = []
    for client_id in ctx.enabled(AlertKind.CONTACT_OVERDUE):
        facts = ctx.clients[client_id]
        if facts.next_contact_due_at is None:
            continue
        due_on = local_day(facts.next_contact_due_at)
        grace = ctx.number(client_id, AlertKind.CONTACT_OVERDUE, "grace_days")
        if ctx.today <= due_on + timedelta(days=grace):
            continue
        last = (
            f"Last contact {day(local_day(facts.last_contact_at))}."
            if facts.last_contact_at
            else "No contact recorded yet."
        )
        found.append(
            Finding(
                client_id,
                AlertKind.CONTACT_OVERDUE,
                f"due-{due_on.isoformat()}",
                f"Contact overdue since {day(due_on)}",
                due_on,
                [last, f"The next contact was due by {day(due_on)}."],
            )
        )
    return found


def plan_reviews(ctx: Context) -> list[Finding]:
    clients = ctx.enabled(AlertKind.PLAN_REVIEW)
    if not clients:
        return []
    found = []
    for client_id, review in reviews_due(clients).items():
        grace = ctx.number(client_id, AlertKind.PLAN_REVIEW, "grace_days")
        if ctx.today <= review.due_on + timedelta(days=grace):
            continue
        found.append(
            Finding(
                client_id,
                AlertKind.PLAN_REVIEW,
                f"due-{review.due_on.isoformat()}",
                f"Care plan review overdue since {day(review.due_on)}",
                review.due_on,
                [review.because] if review.because else [],
            )
        )
    return found


def referrals(ctx: Context) -> list[Finding]:
    clients = ctx.enabled(AlertKind.REFERRAL)
    if not clients:
        return []
    rows = Referral.objects.filter(
        Q(status__in=sorted(OPEN), next_follow_up_on__lt=ctx.today)
        | Q(status__in=sorted(AWAITING_ANSWER), answer_due_on__lt=ctx.today),
        ctx.among(clients),
    ).values_list(
        "pk", "client_id", "status", "provider_name", "next_follow_up_on", "answer_due_on"
    )
    found = []
    for pk, client_id, status, provider, follow_up_on, answer_due_on in rows:
        grace = timedelta(days=ctx.number(client_id, AlertKind.REFERRAL, "grace_days"))
        if status in AWAITING_ANSWER and answer_due_on and ctx.today > answer_due_on + grace:
            found.append(
                Finding(
                    client_id,
                    AlertKind.REFERRAL,
                    f"referral-{pk}-answer-{answer_due_on.isoformat()}",
                    f"Referral to {provider} not answered by {day(answer_due_on)}",
                    answer_due_on,
                    [f"Sent; the provider was expected to answer by {day(answer_due_on)}."],
                )
            )
        elif status in OPEN and follow_up_on and ctx.today > follow_up_on + grace:
            found.append(
                Finding(
                    client_id,
                    AlertKind.REFERRAL,
                    f"referral-{pk}-follow-up-{follow_up_on.isoformat()}",
                    f"Referral to {provider}: follow-up was due {day(follow_up_on)}",
                    follow_up_on,
                    [f"The next follow-up was planned for {day(follow_up_on)}."],
                )
            )
    return found


def consents_ending(ctx: Context) -> list[Finding]:
    clients = ctx.enabled(AlertKind.CONSENT_ENDING)
    if not clients:
        return []
    widest = ctx.widest(AlertKind.CONSENT_ENDING, "within_days", clients)
    rows = Consent.objects.filter(
        ctx.among(clients),
        status=ConsentStatus.ACTIVE,
        expiry_kind=ExpiryKind.DATE,
        expires_on__gte=ctx.today,
        expires_on__lte=ctx.today + timedelta(days=widest),
    ).values_list("pk", "client_id", "expires_on")
    found = []
    for pk, client_id, expires_on in rows:
        within = ctx.number(client_id, AlertKind.CONSENT_ENDING, "within_days")
        if expires_on is None or expires_on > ctx.today + timedelta(days=within):
            continue
        found.append(
            Finding(
                client_id,
                AlertKind.CONSENT_ENDING,
                f"consent-{pk}-{expires_on.isoformat()}",
                f"A consent ends on {day(expires_on)}",
                expires_on,
                ["Renew it with the client if sharing should go on."],
            )
        )
    return found


def court_soon(ctx: Context) -> list[Finding]:
    clients = set(ctx.enabled(AlertKind.COURT_SOON))
    found = []
    for pk, client_id, kind, starts_at, status, timed in _loaded(
        ctx, "appointments", lambda: _appointments(ctx)
    ):
        if client_id not in clients or kind != AppointmentKind.COURT:
            continue
        if status != AppointmentStatus.SCHEDULED or starts_at < ctx.now:
            continue
        on = local_day(starts_at)
        within = ctx.number(client_id, AlertKind.COURT_SOON, "within_days")
        if on > ctx.today + timedelta(days=within):
            continue
        when = f"{day(on)} at {timezone.localtime(starts_at):%H:%M}" if timed else day(on)
        found.append(
            Finding(
                client_id,
                AlertKind.COURT_SOON,
                f"appointment-{pk}",
                f"Court hearing {when}",
                on,
                ["Check transport, papers and who goes with the client."],
            )
        )
    return found


def moud_gaps(ctx: Context) -> list[Finding]:
    clients = ctx.enabled(AlertKind.MOUD_GAP)
    if not clients:
        return []
    by_client: dict[int, list[Prescription]] = defaultdict(list)
    rows = Medication.objects.filter(ctx.among(clients), use_disorder__in=sorted(MOUD)).values_list(
        "client_id", "pk", "started_on", "ends_on", "stopped_on"
    )
    for client_id, pk, started_on, ends_on, stopped_on in rows:
        by_client[client_id].append(Prescription(pk, started_on, ends_on, stopped_on))
    found = []
    for client_id, prescriptions in by_client.items():
        within = ctx.number(client_id, AlertKind.MOUD_GAP, "within_days")
        for gap in gaps(prescriptions, ctx.today):
            if gap.due_on > ctx.today + timedelta(days=within):
                continue
            found.append(
                Finding(
                    client_id,
                    AlertKind.MOUD_GAP,
                    f"ends-{gap.due_on.isoformat()}",
                    gap.label,
                    gap.due_on,
                    ["Talk with the prescriber so the medication does not stop."],
                )
            )
    return found


def gaps_in_care(ctx: Context) -> list[Finding]:
    """A client who left a level of care for another and is not admitted there more than the
    program's days after leaving (the day they left is day 0: on day 7 an admission is still
    "within 7 days", on day 8 it is a gap). Past the first and second escalation days the gap
    goes to the program's supervisors too, as its own urgent alert."""
    clients = ctx.enabled(AlertKind.GAP_IN_CARE)
    if not clients:
        return []
    rows = Transition.objects.filter(ctx.among(clients), status=TransitionStatus.OPEN).values_list(
        "pk", "client_id", "to_place_name", "to_level", "left_on", "from_episode__place_name"
    )
    found = []
    for pk, client_id, place, level, left_on, left_place in rows:
        waited = (ctx.today - left_on).days
        within = ctx.number(client_id, AlertKind.GAP_IN_CARE, "within_days")
        if waited <= within:
            continue
        level_name = LevelOfCare(level).label
        facts = [
            f"Left {left_place} on {day(left_on)}; {waited} days without an admission at "
            f"{place} ({level_name}).",
            "Call the client and the next place; arrange transport, an appointment or a "
            "medication bridge.",
        ]
        found.append(
            Finding(
                client_id,
                AlertKind.GAP_IN_CARE,
                f"transition-{pk}",
                f"Gap in care: not admitted at {place} {within} days after leaving",
                left_on,
                facts,
            )
        )
        for name in ("supervisor_days", "second_supervisor_days"):
            after = ctx.number(client_id, AlertKind.GAP_IN_CARE, name)
            if waited > after:
                found.append(
                    Finding(
                        client_id,
                        AlertKind.GAP_IN_CARE,
                        f"transition-{pk}-{after}",
                        f"Gap in care over {after} days: not admitted at {place}",
                        left_on,
                        [*facts, f"Raised with the program's supervisors after {after} days."],
                        priority=Priority.URGENT,
                        for_supervisor=True,
                    )
                )
    return found


FINDERS: tuple[Callable[[Context], list[Finding]], ...] = (
    missed_appointments,
    missed_check_ins,
    craving,
    reported_use,
    screens,
    court_missed,
    mood_worse,
    bam_risk,
    safety_without_follow_up,
    contacts_overdue,
    plan_reviews,
    referrals,
    consents_ending,
    court_soon,
    moud_gaps,
    gaps_in_care,
)


def find(ctx: Context) -> list[Finding]:
    """Every rule's findings for the clients of `ctx`."""
    found: list[Finding] = []
    for finder in FINDERS:
        found.extend(finder(ctx))
    # A range of ids also holds concluded clients' rows: only the clients evaluated count.
    return [f for f in found if f.client_id in ctx.clients and f.kind in RULES]
