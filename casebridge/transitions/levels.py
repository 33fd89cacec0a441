"""Levels of care, in order from the most intensive to the least.

The ASAM level numbers with their plain names (the numbers and names only), withdrawal
management, and the two places people go after treatment: a recovery residence and aftercare.
A move to a lower place in this order is a step down; to a higher one, a step up.
"""

from django.db import models

from casebridge.assessments.biopsychosocial import LEVEL_NAMES


class LevelOfCare(models.TextChoices):
    WITHDRAWAL = "wm", "Withdrawal management"
    LEVEL_4 = "4", f"4 {LEVEL_NAMES['4']}"
    LEVEL_3_7 = "3.7", f"3.7 {LEVEL_NAMES['3.7']}"
    LEVEL_3_5 = "3.5", f"3.5 {LEVEL_NAMES['3.5']}"
    LEVEL_3_3 = "3.3", f"3.3 {LEVEL_NAMES['3.3']}"
    LEVEL_3_1 = "3.1", f"3.1 {LEVEL_NAMES['3.1']}"
    LEVEL_2_5 = "2.5", f"2.5 {LEVEL_NAMES['2.5']}"
    LEVEL_2_1 = "2.1", f"2.1 {LEVEL_NAMES['2.1']}"
    LEVEL_1 = "1", f"1 {LEVEL_NAMES['1']}"
    LEVEL_0_5 = "0.5", f"0.5 {LEVEL_NAMES['0.5']}"
    RECOVERY_RESIDENCE = "residence", "Recovery residence"
    AFTERCARE = "aftercare", "Aftercare"


# Intensity, highest first: withdrawal management is where a stay most often begins.
ORDER: list[str] = [level.value for level in LevelOfCare]

# Short names for the strip on the client page.
SHORT: dict[str, str] = {
    LevelOfCare.WITHDRAWAL: "Withdrawal",
    LevelOfCare.RECOVERY_RESIDENCE: "Residence",
    LevelOfCare.AFTERCARE: "Aftercare",
}


def short_name(level: str) -> str:
    return SHORT.get(level, f"Level {level}")


def intensity(level: str) -> int:
    """Higher is more intensive."""
    return len(ORDER) - ORDER.index(level)


def direction(from_level: str, to_level: str) -> str:
    """ "step_down", "step_up" or "same"."""
    if from_level == to_level:
        return "same"
    return "step_down" if intensity(to_level) < intensity(from_level) else "step_up"
