"""The client as a FHIR R4 Patient: the minimum a receiving system needs to match the person
(case number, name, date of birth), labelled as Part 2 data. Every resource about a client
refers to it through `patient_reference`, so references resolve to what the API serves."""

from typing import Any

from casebridge.clients.models import Client
from casebridge.clients.part2 import fhir_meta_security

# http://terminology.hl7.org/CodeSystem/v2-0203: "MR", medical record number, the type of
# identifier a case number is (the program's own number for the person's record).
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"


def patient_id(client_id: int) -> str:
    """The Patient's id: the client's id, as in the API address that serves it."""
    return str(client_id)


def patient_reference(client_id: int) -> dict[str, str]:
    return {"reference": f"Patient/{patient_id(client_id)}"}


def case_number_system(organisation_id: int) -> str:
    """The identifier system of an organisation's case numbers: each organisation numbers its
    own clients, so the system names the organisation (by id, which never changes)."""
    return f"urn:casebridge:organisation:{organisation_id}:case-number"


def patient(client: Client) -> dict[str, Any]:
    """Only what the record holds: there is no sex or gender field, so none is sent."""
    names: list[dict[str, Any]] = [
        {"use": "official", "family": client.legal_last_name, "given": [client.legal_first_name]}
    ]
    if client.preferred_name.strip() and client.preferred_name != client.legal_first_name:
        names.append(
            {"use": "usual", "family": client.legal_last_name, "given": [client.preferred_name]}
        )
    return {
        "resourceType": "Patient",
        "id": patient_id(client.pk),
        "meta": fhir_meta_security(),
        "identifier": [
            {
                "use": "usual",
                "type": {
                    "coding": [{"system": IDENTIFIER_TYPE, "code": "MR"}],
                    "text": "Case number",
                },
                "system": case_number_system(client.organisation_id),
                "value": client.case_number,
            }
        ],
        "name": names,
        "birthDate": client.date_of_birth.isoformat(),
    }
