"""The discharge summary and the aftercare plan as the client reads them, in English or Spanish:
one plain-language layout that the page on screen and the PDF both draw. Only our wording is
translated; what the client and the case manager wrote stays as written. The Spanish is ours, in
the plain register of the care plan's and the safety plan's printouts; have a Spanish-speaking
clinician review it before relying on it."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casebridge.plans.printing import LANGUAGES, language_for, long_date
from casebridge.safety.models import CRISIS_LINE_988

__all__ = ["LANGUAGES", "PrintedSummary", "aftercare_sections", "language_for", "printable"]

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "My discharge summary",
        "aftercare_title": "My aftercare plan",
        "intro": "{name}. Discharge day: {date}.",
        "final": "Final. Signed by {name} on {date}.",
        "draft": "Draft: this summary is not final yet and may change.",
        "care": "The care I received",
        "connected": "Services I was connected with",
        "goals": "My goals",
        "instruments": "My check-ups, at the start and at the end",
        "medications": "My medications",
        "recommendations": "Recommendations",
        "continuing": "Care that continues",
        "checkins": "My check-ins with my case manager",
        "checkins_intro": (
            "Every week for {w} weeks, then every two weeks for {f} weeks, then every month "
            "for {m} months, counted from {date}."
        ),
        "crisis": "If I am in crisis",
        "no_safety_plan": "No safety plan is in effect. Ask your case manager to write one.",
        "relapse": "What I will do to protect my recovery",
        "nothing": "Nothing recorded.",
        "no_aftercare": "No aftercare plan has been written yet.",
        "to": "to",
        "now": "still there",
        "connected_on": "connected on {date}",
        "rated": "{rating} (last rated on {date})",
        "not_rated": "not rated yet",
        "once": "{result} on {date} (given once)",
        "then": "then",
        "change_down": "down {n}",
        "change_up": "up {n}",
        "change_none": "no change",
        "better": "better",
        "worse": "worse",
        "prescribed_by": "prescribed by {name}",
        "until": "until {date}",
        "emergency": (
            "If you are in danger now, call 911 or go to the nearest emergency room. "
            "You can call or text 988 at any hour, any day."
        ),
        "footer": "This is your summary. Keep it with your aftercare plan.",
        "page": "This is your discharge summary. It is private. Page {page} of {pages}",
        "aftercare_page": "This is your aftercare plan. It is private. Page {page} of {pages}",
        "part2": (
            "Confidential: this record is protected by federal confidentiality rules "
            "(42 CFR Part 2). It is yours to keep; others may see it only with your consent."
        ),
    },
    "es": {
        "title": "Mi resumen de alta",
        "aftercare_title": "Mi plan de cuidado después del alta",
        "intro": "{name}. Día del alta: {date}.",
        "final": "Final. Firmado por {name} el {date}.",
        "draft": "Borrador: este resumen todavía no es final y puede cambiar.",
        "care": "La atención que recibí",
        "connected": "Servicios con los que me conectaron",
        "goals": "Mis metas",
        "instruments": "Mis evaluaciones, al principio y al final",
        "medications": "Mis medicamentos",
        "recommendations": "Recomendaciones",
        "continuing": "La atención que continúa",
        "checkins": "Mis citas de seguimiento con mi administrador de casos",
        "checkins_intro": (
            "Cada semana durante {w} semanas, luego cada dos semanas durante {f} semanas, y "
            "luego cada mes durante {m} meses, contando desde el {date}."
        ),
        "crisis": "Si estoy en crisis",
        "no_safety_plan": (
            "No hay un plan de seguridad vigente. Pida a su administrador de casos que lo escriba."
        ),
        "relapse": "Lo que haré para proteger mi recuperación",
        "nothing": "No hay nada registrado.",
        "no_aftercare": "Todavía no hay un plan de cuidado después del alta.",
        "to": "al",
        "now": "sigue allí",
        "connected_on": "conectado el {date}",
        "rated": "{rating} (última evaluación el {date})",
        "not_rated": "todavía sin evaluar",
        "once": "{result} el {date} (una sola vez)",
        "then": "luego",
        "change_down": "bajó {n}",
        "change_up": "subió {n}",
        "change_none": "sin cambio",
        "better": "mejor",
        "worse": "peor",
        "prescribed_by": "recetado por {name}",
        "until": "hasta el {date}",
        "emergency": (
            "Si está en peligro ahora, llame al 911 o vaya a la sala de emergencias más cercana. "
            "Puede llamar o enviar un mensaje de texto al 988 a cualquier hora, cualquier día."
        ),
        "footer": "Este es su resumen. Guárdelo con su plan de cuidado después del alta.",
        "page": "Este es su resumen de alta. Es privado. Página {page} de {pages}",
        "aftercare_page": (
            "Este es su plan de cuidado después del alta. Es privado. Página {page} de {pages}"
        ),
        "part2": (
            "Confidencial: este registro está protegido por las normas federales de "
            "confidencialidad (42 CFR Part 2). Es suyo; otras personas solo pueden verlo con su "
            "consentimiento."
        ),
    },
}

CARE_HEADINGS = {
    "en": {
        "outpatient": "Outpatient care",
        "mutual_help": "Mutual-help meetings",
        "recovery_housing": "Recovery housing",
        "coach": "Recovery coach",
        "medication": "Medication",
        "other": "Other support",
    },
    "es": {
        "outpatient": "Atención ambulatoria",
        "mutual_help": "Reuniones de ayuda mutua",
        "recovery_housing": "Vivienda de recuperación",
        "coach": "Coach de recuperación",
        "medication": "Medicamentos",
        "other": "Otro apoyo",
    },
}

# The Spanish of the names the record keeps in English (levels of care by their ASAM numbers,
# how a stay ended, a goal's rating, the instruments' plain names).
LEVELS_ES = {
    "wm": "Manejo de la abstinencia",
    "4": "4 Hospitalización intensiva con manejo médico",
    "3.7": "3.7 Hospitalización intensiva con monitoreo médico",
    "3.5": "3.5 Residencial de alta intensidad con manejo clínico",
    "3.3": "3.3 Residencial de alta intensidad para poblaciones específicas",
    "3.1": "3.1 Residencial de baja intensidad con manejo clínico",
    "2.5": "2.5 Hospitalización parcial",
    "2.1": "2.1 Ambulatorio intensivo",
    "1": "1 Ambulatorio",
    "0.5": "0.5 Intervención temprana",
    "residence": "Residencia de recuperación",
    "aftercare": "Cuidado después del alta",
}
DISCHARGE_TYPES_ES = {
    "completed": "Completado",
    "transferred": "Transferido a otro nivel",
    "left_against_advice": "Se fue en contra del consejo",
    "administrative": "Alta administrativa",
    "incarcerated": "Fue a la cárcel o prisión",
    "hospitalised": "Fue al hospital",
    "died": "Falleció",
}
RATINGS_ES = {
    "not_started": "No empezada",
    "progressing": "Avanzando",
    "achieved": "Lograda",
    "revised": "Necesita revisión",
    "discontinued": "Suspendida",
}
INSTRUMENTS_ES = {
    "phq9": "Evaluación de depresión (PHQ-9)",
    "phq2": "Evaluación breve de depresión (PHQ-2)",
    "gad7": "Evaluación de ansiedad (GAD-7)",
    "bam": "Chequeo de recuperación (BAM)",
    "barc10": "Fortalezas de recuperación (BARC-10)",
    "audit": "Evaluación del consumo de alcohol (AUDIT)",
    "auditc": "Evaluación breve del consumo de alcohol (AUDIT-C)",
    "dast10": "Evaluación del consumo de drogas (DAST-10)",
    "cageaid": "Evaluación CAGE-AID",
}
SCORE_NAMES_ES = {"use": "consumo", "risk": "riesgo", "protective": "protección"}


@dataclass
class PrintedSection:
    heading: str
    lines: list[str]
    empty: str = ""
    level: int = 2  # 2: a part of the document; 3: a part within the aftercare plan


@dataclass
class PrintedSummary:
    lang: str
    words: dict[str, str]
    title: str
    intro: list[str]
    sections: list[PrintedSection] = field(default_factory=list)
    part2: bool = True


def _day(value: str, lang: str) -> str:
    try:
        return long_date(date.fromisoformat(value), lang) if value else ""
    except ValueError:
        return value


def _episode_line(episode: dict[str, Any], lang: str) -> str:
    words = WORDS[lang]
    level = (
        LEVELS_ES.get(episode["level"], episode["level_label"])
        if lang == "es"
        else episode["level_label"]
    )
    end = _day(episode["discharged_on"], lang) or words["now"]
    line = f"{level}, {episode['place']}: {_day(episode['admitted_on'], lang)} {words['to']} {end}"
    if episode.get("discharge_type"):
        how = (
            DISCHARGE_TYPES_ES.get(episode["discharge_type"], episode["discharge_type_label"])
            if lang == "es"
            else episode["discharge_type_label"]
        )
        line += f" ({how}" + (f": {episode['reason']}" if episode.get("reason") else "") + ")"
    return line


def _referral_line(referral: dict[str, Any], lang: str) -> str:
    where = referral["provider"] + (f", {referral['service']}" if referral["service"] else "")
    when = WORDS[lang]["connected_on"].format(date=_day(referral["connected_on"], lang))
    outcome = (
        f" ({referral['outcome_label']})" if referral.get("outcome_label") and lang == "en" else ""
    )
    return f"{where}: {when}{outcome}"


def _goal_line(goal: dict[str, Any], lang: str) -> str:
    words = WORDS[lang]
    if goal["rating"]:
        label = (
            RATINGS_ES.get(goal["rating"], goal["rating_label"])
            if lang == "es"
            else goal["rating_label"]
        )
        rated = words["rated"].format(rating=label, date=_day(goal["rated_on"], lang))
    else:
        rated = words["not_rated"]
    return f"{goal['own_words']}: {rated}"


def _result_text(instrument: dict[str, Any], result: dict[str, Any], lang: str) -> str:
    if result.get("score") is not None:
        return f"{result['score']}" + (f" ({result['band']})" if result.get("band") else "")
    labels = instrument.get("score_labels", {})
    parts = []
    for name, value in result.get("scores", {}).items():
        label = SCORE_NAMES_ES.get(name, name) if lang == "es" else labels.get(name, name)
        parts.append(f"{label} {value}")
    return ", ".join(parts) or "-"


def _instrument_line(instrument: dict[str, Any], lang: str) -> str:
    words = WORDS[lang]
    name = (
        INSTRUMENTS_ES.get(instrument["code"], instrument["name"])
        if lang == "es"
        else instrument["name"]
    )
    first, last = instrument["first"], instrument.get("last")
    if not last:
        return f"{name}: " + words["once"].format(
            result=_result_text(instrument, first, lang), date=_day(first["on"], lang)
        )
    line = (
        f"{name}: {_result_text(instrument, first, lang)} ({_day(first['on'], lang)}), {words['then']} "
        f"{_result_text(instrument, last, lang)} ({_day(last['on'], lang)})"
    )
    if first.get("score") is not None and last.get("score") is not None:
        difference = last["score"] - first["score"]
        if difference == 0:
            line += f": {words['change_none']}"
        else:
            moved = words["change_down" if difference < 0 else "change_up"].format(
                n=abs(difference)
            )
            better = (difference > 0) == bool(instrument.get("higher_is_better"))
            line += f": {moved}, {words['better' if better else 'worse']}"
    return line


def _medication_line(medication: dict[str, Any], lang: str) -> str:
    words = WORDS[lang]
    parts = [f"{medication['drug']}, {medication['dose']}"]
    if medication.get("prescriber"):
        parts.append(words["prescribed_by"].format(name=medication["prescriber"]))
    if medication.get("ends_on"):
        parts.append(words["until"].format(date=_day(medication["ends_on"], lang)))
    return ", ".join(parts)


def aftercare_sections(aftercare: dict[str, Any] | None, lang: str) -> list[PrintedSection]:
    """The aftercare plan's parts: care that continues, the check-ins, the crisis contacts and
    the client's relapse-prevention steps."""
    words = WORDS[lang]
    if aftercare is None:
        return [PrintedSection(words["aftercare_title"], [], words["no_aftercare"])]
    headings = CARE_HEADINGS[lang]
    care = [
        f"{headings[kind['kind']]}: {line}" for kind in aftercare["care"] for line in kind["lines"]
    ]
    schedule = words["checkins_intro"].format(
        w=aftercare["weekly_weeks"],
        f=aftercare["fortnightly_weeks"],
        m=aftercare["monthly_months"],
        date=_day(aftercare["starts_on"], lang),
    )
    contacts = aftercare.get("crisis_contacts")
    crisis = list(contacts) if contacts else [words["no_safety_plan"]]
    if not any("988" in line for line in crisis):
        crisis.append(CRISIS_LINE_988)
    return [
        PrintedSection(words["continuing"], care, words["nothing"], 3),
        PrintedSection(
            words["checkins"],
            [schedule] + [_day(day, lang) for day in aftercare["checkins"]],
            words["nothing"],
            3,
        ),
        PrintedSection(words["crisis"], crisis, words["nothing"], 3),
        PrintedSection(words["relapse"], aftercare["relapse_prevention"], words["nothing"], 3),
    ]


def printable(
    *,
    client: Any,
    summary: Any,
    facts: dict[str, Any],
    lang: str,
) -> PrintedSummary:
    """The summary laid out in `lang`, from its facts (frozen or live) and its own words."""
    words = WORDS[lang]
    intro = [
        words["intro"].format(name=client.display_name, date=long_date(summary.discharged_on, lang))
    ]
    if summary.is_final and summary.finalised_at:
        intro.append(
            words["final"].format(
                name=summary.signed_name, date=long_date(summary.finalised_at.date(), lang)
            )
        )
    else:
        intro.append(words["draft"])
    recommendations = [
        line.strip() for line in summary.recommendations.splitlines() if line.strip()
    ]
    sections = [
        PrintedSection(
            words["care"],
            [_episode_line(episode, lang) for episode in facts.get("episodes", [])],
            words["nothing"],
        ),
        PrintedSection(
            words["connected"],
            [_referral_line(referral, lang) for referral in facts.get("referrals", [])],
            words["nothing"],
        ),
        PrintedSection(
            words["goals"],
            [_goal_line(goal, lang) for goal in facts.get("goals", [])],
            words["nothing"],
        ),
        PrintedSection(
            words["instruments"],
            [_instrument_line(instrument, lang) for instrument in facts.get("instruments", [])],
            words["nothing"],
        ),
        PrintedSection(
            words["medications"],
            [_medication_line(medication, lang) for medication in facts.get("medications", [])],
            words["nothing"],
        ),
        PrintedSection(words["recommendations"], recommendations, words["nothing"]),
        PrintedSection(words["aftercare_title"], [], ""),
        *aftercare_sections(facts.get("aftercare"), lang),
    ]
    if facts.get("aftercare") is None:
        sections.pop(-2)  # the plan's heading and its "nothing written" are one section
    return PrintedSummary(
        lang=lang,
        words=words,
        title=words["title"],
        intro=intro,
        sections=sections,
        part2=client.is_part2_record,
    )


def printable_aftercare(
    *, client: Any, aftercare: dict[str, Any] | None, lang: str
) -> PrintedSummary:
    """The aftercare plan on its own (what a coach reads)."""
    words = WORDS[lang]
    return PrintedSummary(
        lang=lang,
        words=words,
        title=words["aftercare_title"],
        intro=[client.display_name],
        sections=aftercare_sections(aftercare, lang),
        part2=client.is_part2_record,
    )
