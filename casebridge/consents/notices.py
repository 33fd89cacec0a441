"""Fixed texts of Part 2 documents, in English and Spanish.

The redisclosure notice is Statement 1 of 42 CFR 2.32(a)(1) as amended by the 2024 final rule
(89 FR 12472, Feb. 16, 2024); the English text is the one the rule requires. The Spanish text is
a courtesy translation for the client's own copy.
"""

REDISCLOSURE_NOTICE = {
    "en": (
        "This record which has been disclosed to you is protected by Federal confidentiality rules "
        "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or "
        "testimony that describes the information contained in this record, in any civil, "
        "criminal, administrative, or legislative proceedings by any Federal, State, or local "
        "authority, against the patient, unless authorized by the consent of the patient, except "
        "as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR "
        "2.64 or 2.65. In addition, the Federal rules prohibit you from making any other use or "
        "disclosure of this record unless at least one of the following applies: (A) Further use "
        "or disclosure is expressly permitted by the written consent of the individual whose "
        "information is being disclosed in this record or as otherwise permitted by 42 CFR part 2. "
        "(B) You are a covered entity or business associate and have received the record for "
        "treatment, payment, or health care operations, or (C) You have received the record from a "
        "covered entity or business associate as permitted by 45 CFR part 164, subparts A and E. "
        "A general authorization for the release of medical or other information is NOT "
        "sufficient to meet the required elements of written consent to further use or redisclose "
        "the record (see 42 CFR 2.31)."
    ),
    "es": (
        "Este expediente que se le ha divulgado está protegido por las normas federales de "
        "confidencialidad (42 CFR parte 2). Estas normas le prohíben usar o divulgar este "
        "expediente, o testimonios que describan la información que contiene, en cualquier "
        "procedimiento civil, penal, administrativo o legislativo de cualquier autoridad federal, "
        "estatal o local en contra del paciente, salvo con el consentimiento del paciente, excepto "
        "lo dispuesto en 42 CFR 2.12(c)(5) o lo autorizado por un tribunal conforme a 42 CFR 2.64 "
        "o 2.65. Además, las normas federales le prohíben cualquier otro uso o divulgación de este "
        "expediente salvo que se cumpla al menos una de estas condiciones: (A) el consentimiento "
        "escrito de la persona cuya información se divulga, o 42 CFR parte 2, lo permite "
        "expresamente; (B) usted es una entidad cubierta o un socio comercial y recibió el "
        "expediente para tratamiento, pago u operaciones de atención médica; o (C) recibió el "
        "expediente de una entidad cubierta o socio comercial según lo permite 45 CFR parte 164, "
        "subpartes A y E. Una autorización general para divulgar información médica o de otro tipo "
        "NO es suficiente (véase 42 CFR 2.31). Traducción de cortesía: el texto en inglés es el "
        "que exige la norma."
    ),
}

# How the client revokes: said on every consent form (42 CFR 2.31(a)(6)).
HOW_TO_REVOKE = {
    "en": (
        "You can take back (revoke) this consent at any time, by telling your case manager or any "
        "staff member in person, by phone, or in writing. Revoking stops future sharing; it cannot "
        "undo sharing that already happened while the consent was in effect."
    ),
    "es": (
        "Puede retirar (revocar) este consentimiento en cualquier momento, diciéndoselo a su "
        "administrador de caso o a cualquier miembro del personal en persona, por teléfono o por "
        "escrito. Revocarlo detiene divulgaciones futuras; no deshace lo que ya se compartió "
        "mientras el consentimiento estaba vigente."
    ),
}
