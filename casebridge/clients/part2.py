"""How Part 2 (42 CFR Part 2) substance use disorder records are labelled when they leave a page:
FHIR resources carry these security labels so a receiving system can tell."""

# FHIR security labels for Part 2 data: confidentiality R(estricted), basis 42CFRPart2.
PART2_SECURITY_LABELS = [
    {
        "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
        "code": "R",
        "display": "restricted",
    },
    {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        "code": "42CFRPart2",
        "display": "42 CFR Part2",
    },
]


def fhir_meta_security() -> dict[str, list[dict[str, str]]]:
    """The `meta` element every FHIR resource carrying Part 2 data must have."""
    return {"security": [dict(label) for label in PART2_SECURITY_LABELS]}
