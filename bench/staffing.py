"""A hearing's staffing report for a docket of 60 (or --docket N): reading it as the court's
program supervisor, then making the PDF for the court team with a disclosure recorded for each
participant, on a database `casebridge generate` filled (bench/pages.py builds them).

    .venv/bin/python bench/staffing.py --database-url sqlite:////tmp/look.db
    .venv/bin/python bench/staffing.py --database-url postgres://postgres@127.0.0.1:5432/cbg_bench

The docket is made of the generated court's participants, topped up from the program's clients
with a court consent each (the last weeks of their record are what `generate` made). The report
is read twice and made twice (each making records its disclosures); the best of each is given,
with the queries it took. The PDF must be made within LIMIT seconds.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 5.0  # seconds for the PDF of a docket of 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--docket", type=int, default=60)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from casebridge.accounts.models import Role, User
    from casebridge.court import staffing
    from casebridge.court.models import CourtProgram, Hearing, Participant
    from casebridge.demo.court import COURT_NAME

    court = CourtProgram.objects.filter(name=COURT_NAME).order_by("pk").last()
    if court is None:
        sys.exit("No generated court here: run `casebridge generate` first.")
    today = timezone.localdate()
    supervisor = User.objects.filter(
        role=Role.SUPERVISOR, programs=court.program, organisation=court.organisation
    ).first()
    if supervisor is None:
        sys.exit("The court's program has no supervisor.")
    taking_part = Participant.objects.filter(court_program=court, status="active")
    with transaction.atomic():
        _top_up(court, supervisor, args.docket - taking_part.count(), today)
    hearing = Hearing.objects.create(court_program=court, held_on=today, created_by=supervisor)
    docket = taking_part.count()

    def timed(run):
        best, queries = float("inf"), 0
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = run()
                best = min(best, time.perf_counter() - started)
            queries = len(captured)
        return best, queries, result

    read, read_queries, report = timed(lambda: staffing.staffing(supervisor, hearing, today))
    made, made_queries, released = timed(
        lambda: staffing.release(
            staffing.staffing(supervisor, hearing, today), by=supervisor, method="printed"
        )
    )
    print(f"docket of {docket} ({len(report.entries)} readable by the supervisor)")
    print(f"  read the report: {read * 1000:.0f} ms, {read_queries} queries")
    print(
        f"  make the PDF: {made * 1000:.0f} ms, {made_queries} queries, "
        f"{released.included} participants in it, {len(released.pdf) // 1024} KiB"
    )
    if made > LIMIT:
        sys.exit(f"The PDF took more than {LIMIT} s.")


def _top_up(court, supervisor, wanted, today):
    """Participants from the court's program, each with a court consent, up to the docket."""
    from casebridge.clients.models import Client
    from casebridge.consents.models import Consent
    from casebridge.court.models import Participant

    if wanted <= 0:
        return
    busy = Participant.objects.filter(status="active").values("client_id")
    extra = list(
        Client.objects.filter(program=court.program).exclude(pk__in=busy).order_by("pk")[:wanted]
    )
    first = court.phases.order_by("number").first()
    Participant.objects.bulk_create(
        Participant(
            client=c,
            court_program=court,
            docket_number=f"BENCH-{c.pk}",
            charge_category="possession",
            track="post_plea",
            entered_on=today - timedelta(days=90),
            phase=first,
            phase_started_on=today - timedelta(days=90),
        )
        for c in extra
    )
    Consent.objects.bulk_create(
        Consent(
            client=c,
            status="active",
            patient_name=c.legal_name,
            disclosing_party=court.organisation.name,
            categories=["progress", "drug_screens", "attendance"],
            recipient_kind="named",
            recipient_name=court.court_name,
            purpose="court",
            right_to_revoke_explained=True,
            expiry_kind="event",
            expiry_event="Final disposition",
            signature_method="verbal",
            witness_name="Bench",
            signed_by=c.legal_name,
            signed_on=today - timedelta(days=90),
            created_by=supervisor,
        )
        for c in extra
    )


if __name__ == "__main__":
    main()
