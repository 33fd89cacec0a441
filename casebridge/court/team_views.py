"""The pages of a court team member's read-only account: their court's hearings and the
participants they read, and each hearing's staffing report with only what each participant
consented to share with them (court.team). Anyone else finds nothing here."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from casebridge.access.policy import may
from casebridge.accounts.http import SignedInRequest
from casebridge.consents.notices import REDISCLOSURE_NOTICE
from casebridge.court import queries
from casebridge.court.staffing import CRIMINAL_JUSTICE_NOTICE
from casebridge.court.team import member_of, team_docket, team_report


@login_required
def court_team_home(request: SignedInRequest) -> HttpResponse:
    member = member_of(request.user)
    if member is None:
        raise Http404
    return render(request, "court/team_home.html", {"docket": team_docket(member)})


@login_required
def court_team_hearing(request: SignedInRequest, hearing_id: int) -> HttpResponse:
    member = member_of(request.user)
    hearing = queries.hearing(hearing_id)
    if member is None or hearing is None or not may(request.user, "court.team_hearing", hearing):
        raise Http404
    return render(
        request,
        "court/team_hearing.html",
        {
            "member": member,
            "report": team_report(member, hearing),
            "notice": REDISCLOSURE_NOTICE["en"],
            "justice_notice": CRIMINAL_JUSTICE_NOTICE,
        },
    )
