"""The care plan as the client reads it, in English or Spanish: one plain-language layout that
the print page and the PDF both draw. The client's own words stay as written; only our wording
is translated (the Spanish is ours, in the same plain register as the consent forms)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casebridge.plans.models import CarePlan

LANGUAGES = ("en", "es")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "My recovery plan",
        "intro_active": "{name}. Version {n}, in effect since {date}.",
        "intro_other": "{name}. Version {n}, not in effect.",
        "need": "What we are working on",
        "goal": "My goal",
        "measure": "How we will know",
        "by": "By",
        "short": "short-term",
        "long": "long-term",
        "strength": "What I can build on",
        "step": "Step",
        "action": "What will happen",
        "coming_up": "Coming up",
        "signed": "Agreed and signed",
        "not_signed": "Not signed yet.",
        "witness": "witness",
        "signature_of": "Signature of {name}",
        "footer": (
            "This is your plan. It is private. You can ask to change it at any time. "
            "If you are in crisis, call or text 988."
        ),
        "page": "This is your plan. It is private. Page {page} of {pages}",
        "part2": (
            "Confidential: this record is protected by federal confidentiality rules "
            "(42 CFR Part 2). It is yours to keep; others may see it only with your consent."
        ),
    },
    "es": {
        "title": "Mi plan de recuperación",
        "intro_active": "{name}. Versión {n}, vigente desde el {date}.",
        "intro_other": "{name}. Versión {n}, no vigente.",
        "need": "En qué estamos trabajando",
        "goal": "Mi meta",
        "measure": "Cómo sabremos que la logré",
        "by": "Para",
        "short": "a corto plazo",
        "long": "a largo plazo",
        "strength": "En qué me puedo apoyar",
        "step": "Paso",
        "action": "Qué va a pasar",
        "coming_up": "Próximas fechas",
        "signed": "Acordado y firmado",
        "not_signed": "Todavía sin firmar.",
        "witness": "testigo",
        "signature_of": "Firma de {name}",
        "footer": (
            "Este es su plan. Es privado. Puede pedir cambiarlo en cualquier momento. "
            "Si está en crisis, llame o envíe un mensaje de texto al 988."
        ),
        "page": "Este es su plan. Es privado. Página {page} de {pages}",
        "part2": (
            "Confidencial: este registro está protegido por las normas federales de "
            "confidencialidad (42 CFR Part 2). Es suyo; otras personas solo pueden verlo con su "
            "consentimiento."
        ),
    },
}

WHO = {
    "en": {
        "case_manager": "my case manager",
        "client": "me",
        "coach": "my peer or sober coach",
        "provider": "a provider or referral",
        "family": "family or a supporter",
    },
    "es": {
        "case_manager": "mi administrador(a) de caso",
        "client": "yo",
        "coach": "mi coach de recuperación",
        "provider": "un proveedor o referido",
        "family": "familia o alguien que me apoya",
    },
}

HOW_OFTEN = {
    "en": {
        "once": "once",
        "daily": "every day",
        "weekly": "every week",
        "fortnightly": "every two weeks",
        "monthly": "every month",
        "as_needed": "as needed",
    },
    "es": {
        "once": "una vez",
        "daily": "todos los días",
        "weekly": "cada semana",
        "fortnightly": "cada dos semanas",
        "monthly": "cada mes",
        "as_needed": "cuando haga falta",
    },
}

SIGNERS = {
    "en": {"client": "Me", "case_manager": "Case manager", "supervisor": "Supervisor"},
    "es": {
        "client": "Yo",
        "case_manager": "Administrador(a) de caso",
        "supervisor": "Supervisor(a)",
    },
}

HOW_SIGNED = {
    "en": {
        "on_screen": "signed on screen",
        "verbal": "agreed out loud",
        "signed_in": "signed",
    },
    "es": {
        "on_screen": "firmó en la pantalla",
        "verbal": "aceptó de palabra",
        "signed_in": "firmó",
    },
}

MONTHS_ES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def long_date(value: date | None, lang: str) -> str:
    if value is None:
        return ""
    if lang == "es":
        return f"{value.day} de {MONTHS_ES[value.month - 1]} de {value.year}"
    return f"{value:%B} {value.day}, {value.year}"


def language_for(client: Any, asked: str | None) -> str:
    """The language asked for, else the client's preferred one where we have it, else English."""
    if asked in LANGUAGES:
        return str(asked)
    preferred = (client.preferred_language or "").strip().lower()
    return "es" if preferred.startswith(("span", "espa")) else "en"


@dataclass
class PrintedGoal:
    title: str
    facts: list[tuple[str, str]]
    steps: list[str]
    actions: list[str]


@dataclass
class PrintedNeed:
    heading: str
    goals: list[PrintedGoal] = field(default_factory=list)


@dataclass
class PrintedSignature:
    label: str
    text: str
    image: str
    alt: str


@dataclass
class PrintedPlan:
    lang: str
    words: dict[str, str]
    intro: str
    needs: list[PrintedNeed]
    coming_up: list[tuple[str, str]]
    signatures: list[PrintedSignature]
    # Part 2 records carry the label on every printed page (README, Consent and disclosures).
    part2: bool = True


def printable(
    *,
    client: Any,
    plan: CarePlan,
    tree: list[dict[str, Any]],
    signatures: list[Any],
    tasks: list[Any],
    lang: str,
) -> PrintedPlan:
    words = WORDS[lang]
    if plan.status == "active" and plan.activated_at:
        intro = words["intro_active"].format(
            name=client.display_name,
            n=plan.sequence,
            date=long_date(plan.activated_at.date(), lang),
        )
    else:
        intro = words["intro_other"].format(name=client.display_name, n=plan.sequence)
    needs = []
    for number, entry in enumerate(tree, start=1):
        need = PrintedNeed(f"{number}. {words['need']}: {entry['problem'].statement}")
        for goal_entry in entry["goals"]:
            goal = goal_entry["goal"]
            facts = [
                (words["measure"], goal.measurable),
                (words["by"], f"{long_date(goal.target_date, lang)} ({words[goal.term]})"),
            ]
            if goal.strength:
                facts.append((words["strength"], goal.strength))
            steps = [
                o.text
                + (
                    f" ({words['by'].lower()} {long_date(o.target_date, lang)})"
                    if o.target_date
                    else ""
                )
                for o in goal_entry["objectives"]
            ]
            actions = []
            for i in goal_entry["interventions"]:
                who = WHO[lang][i.responsible]
                if i.provider_name:
                    who = f"{who}: {i.provider_name}"
                actions.append(f"{i.action} ({who}, {HOW_OFTEN[lang][i.frequency]})")
            need.goals.append(
                PrintedGoal(f"{words['goal']}: “{goal.own_words}”", facts, steps, actions)
            )
        needs.append(need)
    printed_signatures = []
    for signature in signatures:
        how = HOW_SIGNED[lang][signature.method]
        witness = (
            f" ({words['witness']}: {signature.witness_name})" if signature.witness_name else ""
        )
        printed_signatures.append(
            PrintedSignature(
                SIGNERS[lang][signature.role],
                f"{signature.name}, {how}{witness}, {long_date(signature.signed_at.date(), lang)}",
                signature.image,
                words["signature_of"].format(name=signature.name),
            )
        )
    return PrintedPlan(
        lang=lang,
        words=words,
        intro=intro,
        needs=needs,
        coming_up=[(long_date(t.due_on, lang), t.title) for t in tasks],
        signatures=printed_signatures,
        part2=client.is_part2_record,
    )
