"""No code path sends client information out of the program without passing the gate.

Reads the source: every place that can send something outside (email, HTTP, sockets) must be
either the gate's own services or listed here with the reason it carries no client data; and
disclosures are only ever written by the consent services, behind the gate.
"""

import ast
from pathlib import Path

import casebridge

ROOT = Path(casebridge.__file__).parent

OUTBOUND_NAMES = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
    "urlopen",
    "HTTPConnection",
    "HTTPSConnection",
    "create_connection",
    "SMTP",
    "SMTP_SSL",
}
OUTBOUND_MODULES = {
    "requests",
    "httpx",
    "urllib.request",
    "http.client",
    "smtplib",
    "socket",
    "aiohttp",
}

# function -> why it may send without the gate
ALLOWED = {
    "casebridge/referrals/partner.py::_email": (
        "sends a provider the address of its referral link and the agency's name; names no "
        "client (tests/referrals/test_partner_link.py checks the body)"
    ),
    "casebridge/access/tasks.py::notify_supervisors_of_break_glass": (
        "tells supervisors, inside the program, that emergency access happened; names no client "
        "(tests/access/test_break_glass.py checks the body)"
    ),
    "casebridge/accounts/tasks.py::notify_authenticator_changed": (
        "tells a staff member their own authenticator app changed; names no client "
        "(tests/accounts/test_two_factor.py checks the body)"
    ),
    "casebridge/alerts/notifications.py::send_due": (
        "tells staff how many new alerts they have, with a link to My Day; names no client and "
        "no reason, by email or text (tests/alerts/test_notifications.py checks the body)"
    ),
    "casebridge/accounts/tasks.py::send_password_link": (
        "sends a staff member the link to set their own password; names no client "
        "(tests/accounts/test_staff_access.py follows the link)"
    ),
    "casebridge/web/management/commands/serve.py::<module>": (
        "binds a socket on the port it is about to serve, to learn whether something already "
        "listens there; it connects nowhere and sends nothing"
    ),
}
GATED_MODULES = {"casebridge/consents/services.py"}


def source_files():
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path, path.relative_to(ROOT.parent).as_posix()


def outbound_places():
    found = []
    for path, rel in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [alias.name for alias in node.names]
                for name in [module, *names]:
                    if name and (
                        name in OUTBOUND_MODULES
                        or name.split(".")[0] in {"requests", "httpx", "aiohttp"}
                    ):
                        found.append((rel, "<module>", name))
        for function in [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]:
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    callee = node.func
                    name = (
                        callee.attr
                        if isinstance(callee, ast.Attribute)
                        else getattr(callee, "id", "")
                    )
                    if name in OUTBOUND_NAMES:
                        found.append((rel, function.name, name))
    return found


def test_every_outbound_path_is_the_gate_or_has_a_reason():
    unexplained = [
        f"{rel}::{function} calls {name}"
        for rel, function, name in outbound_places()
        if rel not in GATED_MODULES and f"{rel}::{function}" not in ALLOWED
    ]
    assert not unexplained, (
        "Route these through casebridge.consents.services (the gate): " + "; ".join(unexplained)
    )


def test_the_allow_list_is_not_stale():
    present = {f"{rel}::{function}" for rel, function, _ in outbound_places()}
    assert set(ALLOWED) <= present


def test_disclosures_are_only_written_behind_the_gate():
    writers = []
    for path, rel in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                callee = node.func
                if isinstance(callee, ast.Name) and callee.id == "Disclosure":
                    writers.append(rel)
                if (
                    isinstance(callee, ast.Attribute)
                    and callee.attr
                    in {"create", "bulk_create", "get_or_create", "update_or_create"}
                    and isinstance(callee.value, ast.Attribute)
                    and isinstance(callee.value.value, ast.Name)
                    and callee.value.value.id == "Disclosure"
                ):
                    writers.append(rel)
    assert set(writers) == GATED_MODULES


def test_the_scanner_sees_an_outbound_call():
    # Guard against a scanner that finds nothing: the known notification must be found.
    assert any(
        function == "notify_supervisors_of_break_glass" for _, function, _ in outbound_places()
    )
