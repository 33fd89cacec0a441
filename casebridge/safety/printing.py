"""The safety plan as the client keeps it, in English or Spanish: the seven Stanley-Brown steps
in the client's own words under our headings. Only our wording is translated; what the client
said stays as written. The Spanish is ours, in the plain register of the care plan's printout;
have a Spanish-speaking clinician review it before relying on it."""

from dataclasses import dataclass
from typing import Any

from casebridge.plans.printing import LANGUAGES, language_for, long_date
from casebridge.safety.models import SECTION_NAMES, SafetyPlan

__all__ = ["LANGUAGES", "PrintedSafetyPlan", "language_for", "printable"]

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "My safety plan",
        "intro_active": "{name}. Version {n}, in effect since {date}.",
        "intro_other": "{name}. Version {n}, not in effect yet.",
        "step": "Step {n}",
        "nothing": "Nothing written yet.",
        "signed": "Agreed and signed",
        "not_signed": "Not signed yet.",
        "witness": "witness",
        "signature_of": "Signature of {name}",
        "emergency": (
            "If you are in danger now, call 911 or go to the nearest emergency room. "
            "You can call or text 988 at any hour, any day."
        ),
        "footer": "This is your plan. Keep it where you can find it. You can change it at any time.",
        "page": "This is your safety plan. It is private. Page {page} of {pages}",
        "part2": (
            "Confidential: this record is protected by federal confidentiality rules "
            "(42 CFR Part 2). It is yours to keep; others may see it only with your consent."
        ),
    },
    "es": {
        "title": "Mi plan de seguridad",
        "intro_active": "{name}. Versión {n}, vigente desde el {date}.",
        "intro_other": "{name}. Versión {n}, todavía no vigente.",
        "step": "Paso {n}",
        "nothing": "Todavía no hay nada escrito.",
        "signed": "Acordado y firmado",
        "not_signed": "Todavía sin firmar.",
        "witness": "testigo",
        "signature_of": "Firma de {name}",
        "emergency": (
            "Si está en peligro ahora, llame al 911 o vaya a la sala de emergencias más cercana. "
            "Puede llamar o enviar un mensaje de texto al 988 a cualquier hora, cualquier día."
        ),
        "footer": (
            "Este es su plan. Guárdelo donde pueda encontrarlo. Puede cambiarlo en cualquier "
            "momento."
        ),
        "page": "Este es su plan de seguridad. Es privado. Página {page} de {pages}",
        "part2": (
            "Confidencial: este registro está protegido por las normas federales de "
            "confidencialidad (42 CFR Part 2). Es suyo; otras personas solo pueden verlo con su "
            "consentimiento."
        ),
    },
}

HEADINGS: dict[str, dict[str, str]] = {
    "en": {
        "warning_signs": "Warning signs that a crisis may be coming",
        "coping_steps": "Things I can do on my own to take my mind off my problems",
        "distractions": "People and social places that take my mind off things",
        "help_contacts": "People I can ask for help",
        "professionals": "Professionals and agencies I can contact in a crisis",
        "safe_environment": "Making my surroundings safe",
        "reasons_for_living": "My reasons for living",
    },
    "es": {
        "warning_signs": "Señales de advertencia de que puede venir una crisis",
        "coping_steps": "Cosas que puedo hacer por mi cuenta para distraerme de mis problemas",
        "distractions": "Personas y lugares sociales que me ayudan a distraerme",
        "help_contacts": "Personas a quienes puedo pedir ayuda",
        "professionals": "Profesionales y agencias a quienes puedo llamar en una crisis",
        "safe_environment": "Cómo hacer que mi entorno sea seguro",
        "reasons_for_living": "Mis razones para vivir",
    },
}

SIGNERS = {
    "en": {"client": "Me", "staff": "Staff member"},
    "es": {"client": "Yo", "staff": "Miembro del personal"},
}

HOW_SIGNED = {
    "en": {"on_screen": "signed on screen", "verbal": "agreed out loud", "signed_in": "signed"},
    "es": {
        "on_screen": "firmó en la pantalla",
        "verbal": "aceptó de palabra",
        "signed_in": "firmó",
    },
}


@dataclass
class PrintedSection:
    heading: str
    lines: list[str]


@dataclass
class PrintedSignature:
    label: str
    text: str
    image: str
    alt: str


@dataclass
class PrintedSafetyPlan:
    lang: str
    words: dict[str, str]
    intro: str
    sections: list[PrintedSection]
    signatures: list[PrintedSignature]
    part2: bool = True


def printable(
    *, client: Any, plan: SafetyPlan, signatures: list[Any], lang: str
) -> PrintedSafetyPlan:
    words = WORDS[lang]
    if plan.status == "active" and plan.activated_at:
        intro = words["intro_active"].format(
            name=client.display_name,
            n=plan.sequence,
            date=long_date(plan.activated_at.date(), lang),
        )
    else:
        intro = words["intro_other"].format(name=client.display_name, n=plan.sequence)
    sections = [
        PrintedSection(
            f"{words['step'].format(n=number)}: {HEADINGS[lang][name]}", plan.lines(name)
        )
        for number, name in enumerate(SECTION_NAMES, start=1)
    ]
    printed_signatures = []
    for signature in signatures:
        witness = (
            f" ({words['witness']}: {signature.witness_name})" if signature.witness_name else ""
        )
        printed_signatures.append(
            PrintedSignature(
                SIGNERS[lang][signature.role],
                f"{signature.name}, {HOW_SIGNED[lang][signature.method]}{witness}, "
                f"{long_date(signature.signed_at.date(), lang)}",
                signature.image,
                words["signature_of"].format(name=signature.name),
            )
        )
    return PrintedSafetyPlan(
        lang=lang,
        words=words,
        intro=intro,
        sections=sections,
        signatures=printed_signatures,
        part2=client.is_part2_record,
    )
