"""The alert rules as data: what each looks for, its numbers and their defaults, how urgent it
is, who may see it and where to act. A program turns rules off or changes the numbers
(AlertRule rows, Settings → Alert rules); the code that finds each rule's facts is in
alerts/findings.py.

Rules that look back (`window_days`) are about events (a check-in, a screen); an alert of such
a rule older than its window is history and is left as it is. Rules without a window are about
a state (a contact overdue): their alerts resolve themselves when the state ends.
"""

from dataclasses import dataclass, field
from typing import Any

from casebridge.alerts.models import AlertKind, AlertRule, Priority


@dataclass(frozen=True)
class Threshold:
    name: str
    label: str
    default: int
    minimum: int
    maximum: int


@dataclass(frozen=True)
class RuleDefinition:
    kind: AlertKind
    description: str
    priority: Priority
    needs_action: str
    act_url_name: str
    thresholds: tuple[Threshold, ...] = field(default=())
    # The threshold that says how many days back the rule looks, for event rules.
    window: str = ""

    def defaults(self) -> dict[str, int]:
        return {t.name: t.default for t in self.thresholds}


def _window(default: int = 14) -> Threshold:
    return Threshold("look_back_days", "Look back this many days", default, 1, 90)


RULES: dict[str, RuleDefinition] = {
    rule.kind: rule
    for rule in (
        RuleDefinition(
            AlertKind.MISSED_APPOINTMENT,
            "An appointment the client missed that nobody has followed up yet.",
            Priority.HIGH,
            "view",
            "client_calendar",
            (_window(14),),
            window="look_back_days",
        ),
        RuleDefinition(
            AlertKind.MISSED_COURT,
            "A court hearing the client missed.",
            Priority.URGENT,
            "view",
            "client_calendar",
            (_window(30),),
            window="look_back_days",
        ),
        RuleDefinition(
            AlertKind.MISSED_CHECK_IN,
            "No check-in within a few days of the one expected (counted from the last).",
            Priority.NORMAL,
            "check_in",
            "check_in_list",
            (
                Threshold("every_days", "A check-in is expected every (days)", 7, 1, 60),
                Threshold("grace_days", "Days of grace after it was expected", 2, 0, 30),
            ),
        ),
        RuleDefinition(
            AlertKind.CRAVING,
            "Craving that rose at each of the last few check-ins, or is at or above a level.",
            Priority.HIGH,
            "check_in",
            "check_in_list",
            (
                Threshold("rising_over", "Rising over this many check-ins", 3, 2, 10),
                Threshold("at_least", "Or at least this level (0 to 10)", 7, 1, 10),
                _window(14),
            ),
        ),
        RuleDefinition(
            AlertKind.REPORTED_USE,
            "The client said at a check-in that they used.",
            Priority.HIGH,
            "check_in",
            "check_in_list",
            (_window(14),),
            window="look_back_days",
        ),
        RuleDefinition(
            AlertKind.SCREEN,
            "A drug screen with an unexpected positive, or refused, or missed.",
            Priority.HIGH,
            "read_clinical",
            "recovery",
            (_window(30),),
            window="look_back_days",
        ),
        RuleDefinition(
            AlertKind.COURT_MISSED,
            "A treatment court participant who did not call the testing line, or did not test "
            "on a day their colour was drawn.",
            Priority.HIGH,
            "read_clinical",
            "court_record",
            (_window(14),),
            window="look_back_days",
        ),
        RuleDefinition(
            AlertKind.MOOD_WORSE,
            "A PHQ-9 (depression) or GAD-7 (anxiety) score worse than the one before by a "
            "number of points or more.",
            Priority.HIGH,
            "read_clinical",
            "measures",
            (Threshold("points", "Worse by at least (points)", 5, 1, 27), _window(30)),
            window="look_back_days",
        ),
        RuleDefinition(
            AlertKind.BAM_RISK,
            "A recovery check-up (BAM) whose risk-factor score is at or above its cut-off.",
            Priority.HIGH,
            "read_clinical",
            "measures",
            (Threshold("risk_at_least", "Risk score at least (0 to 24)", 12, 1, 24), _window(30)),
            window="look_back_days",
        ),
        RuleDefinition(
            AlertKind.SAFETY_FOLLOW_UP,
            "A safety concern still open with no follow-up recorded after a number of hours.",
            Priority.URGENT,
            "read_clinical",
            "client_overview",
            (Threshold("after_hours", "Open without follow-up for (hours)", 24, 1, 168),),
        ),
        RuleDefinition(
            AlertKind.CONTACT_OVERDUE,
            "The next contact the client's model of case management expects is overdue.",
            Priority.NORMAL,
            "record_contact",
            "contact_log",
            (Threshold("grace_days", "Days overdue before an alert", 0, 0, 30),),
        ),
        RuleDefinition(
            AlertKind.PLAN_REVIEW,
            "The care plan in effect is past its review date.",
            Priority.NORMAL,
            "plan",
            "plan_home",
            (Threshold("grace_days", "Days overdue before an alert", 0, 0, 60),),
        ),
        RuleDefinition(
            AlertKind.REFERRAL,
            "A referral whose follow-up is overdue, or that the provider has not answered by "
            "the day the program expects.",
            Priority.NORMAL,
            "read_clinical",
            "referral_list",
            (Threshold("grace_days", "Days overdue before an alert", 0, 0, 30),),
        ),
        RuleDefinition(
            AlertKind.CONSENT_ENDING,
            "A consent in effect that ends soon.",
            Priority.LOW,
            "manage_consents",
            "consent_list",
            (Threshold("within_days", "Ends within (days)", 30, 1, 90),),
        ),
        RuleDefinition(
            AlertKind.COURT_SOON,
            "A court hearing in the next few days.",
            Priority.NORMAL,
            "view",
            "client_calendar",
            (Threshold("within_days", "Within (days)", 3, 0, 14),),
        ),
        RuleDefinition(
            AlertKind.MOUD_GAP,
            "A prescription of medication for opioid or alcohol use disorder that runs out "
            "soon or ran out, with no next one.",
            Priority.HIGH,
            "read_clinical",
            "recovery",
            (Threshold("within_days", "Runs out within (days)", 3, 0, 14),),
        ),
        RuleDefinition(
            AlertKind.GAP_IN_CARE,
            "A client who left a level of care for another, with no admission there more than "
            "a number of days after leaving; later, the program's supervisors are told too.",
            Priority.HIGH,
            "read_clinical",
            "care_levels",
            (
                Threshold("within_days", "Admitted within (days)", 7, 1, 30),
                Threshold("supervisor_days", "Supervisors told after (days)", 14, 2, 60),
                Threshold("second_supervisor_days", "Told again after (days)", 30, 3, 120),
            ),
        ),
    )
}

# A concern raised by hand is not a rule: it is always on, and only a person resolves it.
CONCERN_NEEDS_ACTION = "view"


def rule_settings(program_ids: set[int]) -> dict[int, dict[str, dict[str, Any]]]:
    """{program id: {kind: {"enabled": bool, **thresholds}}} for every rule, defaults filled in
    (one query)."""
    overrides: dict[tuple[int, str], AlertRule] = {
        (rule.program_id, rule.kind): rule
        for rule in AlertRule.objects.filter(program_id__in=program_ids)
    }
    found: dict[int, dict[str, dict[str, Any]]] = {}
    for program_id in program_ids:
        per_kind: dict[str, dict[str, Any]] = {}
        for kind, definition in RULES.items():
            values: dict[str, Any] = {"enabled": True, **definition.defaults()}
            override = overrides.get((program_id, kind))
            if override is not None:
                values["enabled"] = override.enabled
                for threshold in definition.thresholds:
                    value = (override.thresholds or {}).get(threshold.name)
                    if isinstance(value, int) and threshold.minimum <= value <= threshold.maximum:
                        values[threshold.name] = value
            per_kind[kind] = values
        found[program_id] = per_kind
    return found


def threshold_problems(kind: str, thresholds: object) -> list[str]:
    """What is wrong with a program's numbers for a rule, in plain words (empty when right)."""
    definition = RULES.get(kind)
    if definition is None:
        return ["This kind of alert has no numbers to set."]
    if not isinstance(thresholds, dict):
        return ["The numbers must be given as names and whole numbers."]
    known = {t.name: t for t in definition.thresholds}
    problems = [
        f"“{name}” is not a number this rule uses." for name in thresholds if name not in known
    ]
    for name, value in thresholds.items():
        threshold = known.get(name)
        if threshold is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{threshold.label}: give a whole number.")
        elif not threshold.minimum <= value <= threshold.maximum:
            problems.append(
                f"{threshold.label}: give a number from {threshold.minimum} to {threshold.maximum}."
            )
    if kind == AlertKind.GAP_IN_CARE and not problems:
        # Each step of the gap's escalation comes after the one before.
        days = {t.name: t.default for t in definition.thresholds} | thresholds
        if not days["within_days"] < days["supervisor_days"] < days["second_supervisor_days"]:
            problems.append(
                "Tell the supervisors after the admission is late, and again later still: each "
                "number must be bigger than the one before."
            )
    return problems


# What an alert says when it resolves itself because its facts stopped being true.
ENDED_BECAUSE: dict[str, str] = {
    AlertKind.MISSED_APPOINTMENT: "The missed appointment was followed up or recorded as attended.",
    AlertKind.MISSED_COURT: "The missed court date was followed up or recorded as attended.",
    AlertKind.MISSED_CHECK_IN: "The client checked in.",
    AlertKind.CRAVING: "Craving is no longer rising or high at the latest check-in.",
    AlertKind.REPORTED_USE: "The check-in no longer reports use.",
    AlertKind.SCREEN: "The drug screen's result was corrected.",
    AlertKind.MOOD_WORSE: "The scores no longer show the change.",
    AlertKind.BAM_RISK: "The check-up's risk score is below the cut-off.",
    AlertKind.SAFETY_FOLLOW_UP: "The safety concern was followed up and cleared.",
    AlertKind.CONTACT_OVERDUE: "A contact was recorded, or none is expected now.",
    AlertKind.PLAN_REVIEW: "The care plan was reviewed, or a new version took effect.",
    AlertKind.REFERRAL: "The referral was answered, followed up or closed.",
    AlertKind.CONSENT_ENDING: "The consent was renewed, ended or revoked.",
    AlertKind.COURT_SOON: "The hearing has passed, or was moved or recorded.",
    AlertKind.COURT_MISSED: "The call-in or the test was recorded for that day.",
    AlertKind.MOUD_GAP: "A next prescription was recorded, or the medication was stopped.",
    AlertKind.GAP_IN_CARE: "The client was admitted at the next level, or the move was cancelled.",
}
CASE_CONCLUDED = "The case was concluded."
RULE_TURNED_OFF = "The program turned this rule off."
