"""The biopsychosocial assessment's sections, life-domain needs and ASAM dimensions, as data.

ASAM: only the dimension names and level numbers are used here (no ASAM criteria text). The level
suggestion below is this program's own rough rule of thumb from the highest ratings: decision
support for the case manager, who confirms or overrides it with a reason.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str = "text"  # text, long, yesno
    help: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    questions: tuple[Question, ...]
    note: str = ""


SECTIONS: tuple[Section, ...] = (
    Section(
        "medical",
        "Medical history",
        (
            Question(
                "conditions",
                "Health conditions",
                "long",
                "Ongoing illnesses, injuries, pain, infections (e.g. hepatitis C, HIV).",
            ),
            Question("doctor", "Regular doctor or clinic", "text"),
            Question("pregnant", "Pregnant or possibly pregnant", "yesno"),
            Question(
                "medications", "Medicines taken now, including for addiction treatment", "long"
            ),
        ),
    ),
    Section(
        "psychiatric",
        "Mental health",
        (
            Question("history", "Mental health history and diagnoses the client reports", "long"),
            Question("treatment", "Current or past mental health treatment", "long"),
            Question("hospitalizations", "Psychiatric hospital stays", "long"),
        ),
    ),
    Section(
        "family",
        "Family and social life",
        (
            Question("household", "Who the client lives with", "text"),
            Question("children", "Children, their ages, and who cares for them", "long"),
            Question("childcare", "Childcare needs", "long"),
            Question("support", "People who support the client's recovery", "long"),
            Question("family_use", "Substance use in the family", "long"),
        ),
    ),
    Section(
        "trauma",
        "Trauma",
        (
            Question(
                "experiences",
                "What the client chooses to share",
                "long",
                "Optional. Ask gently; the client does not have to give details.",
            ),
        ),
        note="Only what the client wants to share. It is fine to leave this empty.",
    ),
    Section(
        "legal",
        "Legal",
        (
            Question("status", "Current charges, probation, parole or court dates", "long"),
            Question("court_program", "In a treatment court or diversion program", "yesno"),
            Question("officer", "Probation or parole officer", "text"),
        ),
    ),
    Section(
        "work",
        "Education and work",
        (
            Question("education", "Highest schooling or training", "text"),
            Question("employment", "Work now and recent work history", "long"),
            Question("goals", "Work or school goals", "long"),
        ),
    ),
    Section(
        "housing",
        "Housing",
        (
            Question("situation", "Where the client is living now", "long"),
            Question("stable", "Housing is safe and stable", "yesno"),
            Question("substance_free", "Home is free of alcohol and drugs", "yesno"),
        ),
    ),
    Section(
        "finances",
        "Money and benefits",
        (
            Question("income", "Income sources", "long"),
            Question(
                "benefits",
                "Benefits received or applied for (e.g. SNAP, Medicaid, disability)",
                "long",
            ),
            Question("debts", "Debts, fines or fees", "long"),
        ),
    ),
    Section(
        "transport",
        "Transportation",
        (
            Question("means", "How the client gets to appointments", "text"),
            Question("license", "Has a valid driver's license", "yesno"),
        ),
    ),
    Section(
        "strengths",
        "Strengths and resources",
        (
            Question("strengths", "What the client is good at and proud of", "long"),
            Question("resources", "Resources the client can draw on", "long"),
            Question(
                "recovery_supports",
                "Recovery supports (meetings, sponsor, faith community)",
                "long",
            ),
        ),
    ),
    Section(
        "goals",
        "Goals in the client's own words",
        (
            Question(
                "own_words", "What the client wants", "long", "Write it as the client said it."
            ),
        ),
    ),
)

# The parts of an assessment a reassessment starts from, in the order the form shows them: the
# substance rows, each section, the needs and the ASAM ratings. The level of care is not among
# them: it is chosen afresh from the ratings each time.
CARRIED_PARTS: tuple[tuple[str, str], ...] = (
    ("substances", "Substance use"),
    *((section.key, section.title) for section in SECTIONS),
    ("needs", "Needs in each life area"),
    ("asam", "ASAM dimensions"),
)
PART_TITLES = dict(CARRIED_PARTS)

NEED_DOMAINS: tuple[tuple[str, str], ...] = (
    ("housing", "Housing"),
    ("employment", "Employment"),
    ("education", "Education"),
    ("legal", "Legal"),
    ("finances", "Money and benefits"),
    ("childcare", "Childcare"),
    ("transportation", "Transportation"),
    ("medical", "Medical"),
    ("mental_health", "Mental health"),
    ("substance_use", "Substance use"),
    ("family_social", "Family and social"),
    ("recovery_support", "Recovery support"),
)

NEED_SEVERITY: tuple[tuple[int, str], ...] = (
    (0, "No need"),
    (1, "Low"),
    (2, "Moderate"),
    (3, "High"),
)

ASAM_DIMENSIONS: tuple[tuple[int, str], ...] = (
    (1, "Intoxication and withdrawal"),
    (2, "Biomedical conditions"),
    (3, "Emotional, behavioural or cognitive conditions"),
    (4, "Readiness to change"),
    (5, "Relapse or continued use potential"),
    (6, "Recovery and living environment"),
)

ASAM_LEVELS: tuple[tuple[str, str], ...] = (
    ("0.5", "Early intervention"),
    ("1", "Outpatient"),
    ("2.1", "Intensive outpatient"),
    ("2.5", "Partial hospitalization"),
    ("3.1", "Clinically managed low-intensity residential"),
    ("3.3", "Clinically managed population-specific high-intensity residential"),
    ("3.5", "Clinically managed high-intensity residential"),
    ("3.7", "Medically monitored intensive inpatient"),
    ("4", "Medically managed intensive inpatient"),
)
LEVEL_NAMES = dict(ASAM_LEVELS)

SUBSTANCE_ROUTES: tuple[tuple[str, str], ...] = (
    ("", "Choose"),
    ("oral", "By mouth"),
    ("smoked", "Smoked"),
    ("snorted", "Snorted"),
    ("injected", "Injected"),
    ("other", "Other"),
)


def suggest_level(ratings: dict[int, int]) -> tuple[str, str]:
    """A starting point from the six ratings (0-4), with the reason in plain words.

    Rule of thumb (this program's, not ASAM's text): the most severe biomedical or withdrawal
    needs point to medically managed or monitored care; severe emotional, relapse or environment
    risks to residential care; several moderate risks to intensive or partial-day outpatient;
    otherwise outpatient or early intervention.
    """
    d = {dimension: ratings.get(dimension, 0) for dimension, _ in ASAM_DIMENSIONS}
    if d[1] == 4 or d[2] == 4 or d[3] == 4:
        return "4", "A rating of 4 on withdrawal, biomedical or emotional needs."
    if d[1] >= 3 or d[2] >= 3:
        return "3.7", "Withdrawal or biomedical needs rated 3."
    if d[3] >= 3 or d[5] >= 3 or d[6] >= 3:
        return "3.5", "Emotional, relapse or living-environment risk rated 3 or more."
    moderate = sum(1 for dimension in (3, 4, 5, 6) if d[dimension] >= 2)
    if moderate >= 3 or (d[5] >= 2 and d[6] >= 2 and d[1] >= 2):
        return "2.5", "Several dimensions rated 2, including relapse and living environment."
    if moderate >= 1 or d[1] >= 2 or d[2] >= 2:
        return "2.1", "At least one dimension rated 2."
    if max(d.values()) >= 1:
        return "1", "Ratings of 1 at most."
    return "0.5", "No dimension rated above 0."
