"""The demo organisation's staff logins, shared by seed-demo and serve."""

from django.contrib.auth import get_user_model

from casebridge.accounts.models import Role

DEMO_ORGANISATION = "Riverbend Recovery Services"
DEMO_PASSWORD = "recovery-demo-2026"
DEMO_STAFF: list[tuple[str, str, str, str]] = [
    # username, first name, last name, role
    ("admin", "Alex", "Morgan", Role.ADMIN),
    ("supervisor", "Sam", "Rivera", Role.SUPERVISOR),
    ("casemanager", "Casey", "Nguyen", Role.CASE_MANAGER),
    ("casemanager2", "Jordan", "Blake", Role.CASE_MANAGER),
    ("coach", "Robin", "Ellis", Role.COACH),
    ("intake", "Taylor", "Brooks", Role.INTAKE),
    ("auditor", "Pat", "Quinn", Role.AUDITOR),
    # The drug court's judge, reading through a court team account.
    ("judge", "Maria", "Reyes", Role.COURT_TEAM),
]


def demo_logins() -> list[tuple[str, str]]:
    """(role label, username) for each demo login that exists."""
    existing = set(
        get_user_model()
        .objects.filter(organisation__name=DEMO_ORGANISATION)
        .values_list("username", flat=True)
    )
    return [
        (Role(role).label, username)
        for username, _first, _last, role in DEMO_STAFF
        if username in existing
    ]
