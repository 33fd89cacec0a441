"""Every change to a care plan: drafting, signing and putting in effect, new versions, reviews,
closing, and the tasks interventions turn into. One transaction each; every change audited.

A draft is edited element by element; each save carries the draft's `version` and is refused
(casebridge.audit.versions.VersionConflict, naming who changed it) when someone else saved in
between. The first signature fixes the text: from then on nothing in that version changes, and
a change means a new version.

One module per job; everything callers use is named here, so `services.goal_save(...)` works:
    versions   start, revise (a new version), close
    elements   needs, goals, steps and actions of a draft, and the rules their content keeps
    importing  a draft's whole content from a plan document (the API)
    signing    who must sign, what a draft still lacks, signing, putting in effect
    reviews    reviewing the plan in effect
    followup   the tasks a plan in effect gives people
    common     what they share: the audit row, status moves, the draft's lock
"""

# Callers catch the services' refusals by this name too.
from django.core.exceptions import ValidationError

from casebridge.plans.services.common import PlanLocked, latest_signed_assessment
from casebridge.plans.services.elements import (
    ELEMENT_MODELS,
    NEED_LABELS,
    action_errors,
    element_remove,
    goal_errors,
    goal_save,
    intervention_save,
    need_errors,
    objective_save,
    owner_candidates,
    problem_save,
    step_errors,
)
from casebridge.plans.services.followup import (
    task_close,
    tasks_sweep,
    tasks_take_over,
)
from casebridge.plans.services.importing import document_errors, plan_replace
from casebridge.plans.services.reviews import review_record
from casebridge.plans.services.signing import plan_sign, required_signers, unfinished
from casebridge.plans.services.versions import (
    NEEDS_FROM_SEVERITY,
    plan_close,
    plan_revise,
    plan_start,
)

__all__ = [
    "ELEMENT_MODELS",
    "NEEDS_FROM_SEVERITY",
    "NEED_LABELS",
    "PlanLocked",
    "ValidationError",
    "action_errors",
    "document_errors",
    "element_remove",
    "goal_errors",
    "goal_save",
    "intervention_save",
    "latest_signed_assessment",
    "need_errors",
    "objective_save",
    "owner_candidates",
    "plan_close",
    "plan_replace",
    "plan_revise",
    "plan_sign",
    "plan_start",
    "problem_save",
    "required_signers",
    "review_record",
    "step_errors",
    "task_close",
    "tasks_sweep",
    "tasks_take_over",
    "unfinished",
]
