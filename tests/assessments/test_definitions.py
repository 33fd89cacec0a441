"""Each instrument says where it comes from (source, edition, where the item wording is taken
from), asks its questions in the published words, and keeps every earlier version so that
instruments already given read back as they were asked."""

import pytest

from casebridge.assessments.definitions import all_instruments, all_versions, definition_of

# Word for word from the published instruments. A change here is a change of the instrument:
# it needs a new version of the definition, never an edit of a version already given.
PUBLISHED = [
    # WHO AUDIT manual, 2nd ed. (Babor et al. 2001), Box 4, interview version.
    ("audit", "1", "How often do you have a drink containing alcohol?"),
    (
        "audit",
        "2",
        "How many drinks containing alcohol do you have on a typical day when you are drinking?",
    ),
    ("audit", "3", "How often do you have six or more drinks on one occasion?"),
    (
        "audit",
        "4",
        "How often during the last year have you found that you were not able to stop drinking "
        "once you had started?",
    ),
    (
        "audit",
        "5",
        "How often during the last year have you failed to do what was normally expected from "
        "you because of drinking?",
    ),
    (
        "audit",
        "6",
        "How often during the last year have you needed a first drink in the morning to get "
        "yourself going after a heavy drinking session?",
    ),
    (
        "audit",
        "7",
        "How often during the last year have you had a feeling of guilt or remorse after drinking?",
    ),
    (
        "audit",
        "8",
        "How often during the last year have you been unable to remember what happened the night "
        "before because you had been drinking?",
    ),
    ("audit", "9", "Have you or someone else been injured as a result of your drinking?"),
    (
        "audit",
        "10",
        "Has a relative or friend or a doctor or another health worker been concerned about your "
        "drinking or suggested you cut down?",
    ),
    # DAST-10 (Skinner 1982; the 10-item version).
    ("dast10", "1", "Have you used drugs other than those required for medical reasons?"),
    ("dast10", "2", "Do you abuse more than one drug at a time?"),
    ("dast10", "3", "Are you always able to stop using drugs when you want to?"),
    ("dast10", "4", 'Have you had "blackouts" or "flashbacks" as a result of drug use?'),
    ("dast10", "5", "Do you ever feel bad or guilty about your drug use?"),
    (
        "dast10",
        "6",
        "Does your spouse (or parents) ever complain about your involvement with drugs?",
    ),
    ("dast10", "7", "Have you neglected your family because of your use of drugs?"),
    ("dast10", "8", "Have you engaged in illegal activities in order to obtain drugs?"),
    (
        "dast10",
        "9",
        "Have you ever experienced withdrawal symptoms (felt sick) when you stopped taking drugs?",
    ),
    (
        "dast10",
        "10",
        "Have you had medical problems as a result of your drug use (e.g. memory loss, "
        "hepatitis, convulsions, bleeding, etc.)?",
    ),
    # PHQ-9 form (Pfizer; no permission required).
    (
        "phq9",
        "6",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
    ),
    (
        "phq9",
        "8",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
    ),
    ("phq9", "9", "Thoughts that you would be better off dead or of hurting yourself in some way"),
    # C-SSRS, Screen Version - Recent: the questions as the screener asks them.
    (
        "cssrs",
        "1",
        "Have you wished you were dead or wished you could go to sleep and not wake up?",
    ),
    ("cssrs", "2", "Have you actually had any thoughts of killing yourself?"),
    ("cssrs", "3", "Have you been thinking about how you might do this?"),
    ("cssrs", "4", "Have you had these thoughts and had some intention of acting on them?"),
    (
        "cssrs",
        "5",
        "Have you started to work out or worked out the details of how to kill yourself? "
        "Do you intend to carry out this plan?",
    ),
    (
        "cssrs",
        "6",
        "Have you ever done anything, started to do anything, or prepared to do anything to end "
        "your life?",
    ),
]


@pytest.mark.parametrize(
    "definition", list(all_versions().values()), ids=[f"{c}-{v}" for c, v in all_versions()]
)
def test_every_definition_names_its_source_edition_and_wording(definition):
    assert definition.source.strip()
    assert definition.edition.strip()
    assert definition.wording.strip()
    assert definition.licence.strip()


@pytest.mark.parametrize(
    ("code", "item", "text"), PUBLISHED, ids=[f"{c}-{i}" for c, i, _ in PUBLISHED]
)
def test_items_are_asked_in_the_published_words(code, item, text):
    assert all_instruments()[code].item(item).text == text


def test_the_audit_follows_the_who_interview_version():
    audit = all_instruments()["audit"]
    assert "2nd edition, WHO 2001" in audit.edition
    assert "Box 4" in audit.wording and "Interview Version" in audit.wording
    assert [option.label for option in audit.item("2").options][3] == "7, 8, or 9"


@pytest.mark.parametrize(("code", "version"), [("audit", "2"), ("dast10", "2"), ("phq9", "2")])
def test_a_change_of_wording_is_a_new_version_and_the_old_one_stays(code, version):
    newest = all_instruments()[code]
    assert newest.version == version
    old = definition_of(code, str(int(version) - 1))
    assert old is not None
    assert [item.id for item in old.items] == [item.id for item in newest.items]
    assert any(a.text != b.text for a, b in zip(old.items, newest.items, strict=True))


def test_the_cssrs_wording_change_is_a_new_version_too():
    assert all_instruments()["cssrs"].version == "2"
    old = definition_of("cssrs", "1")
    assert old.item("1").text.startswith("In the past month, ")
    assert "Past month" in all_instruments()["cssrs"].stem


def test_instruments_whose_wording_did_not_change_keep_their_version():
    versions = {code: d.version for code, d in all_instruments().items()}
    assert {
        code: versions[code] for code in ("gad7", "phq2", "auditc", "cageaid", "bam", "barc10")
    } == {
        "gad7": "1",
        "phq2": "1",
        "auditc": "1",
        "cageaid": "1",
        "bam": "1",
        "barc10": "1",
    }
