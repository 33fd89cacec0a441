"""Provider access to a referral: staff download the referral packet and give the provider a
link (or withdraw it); the provider, without an account, opens the link to read the packet and
answer. Rules are in referrals.packet and referrals.partner; these views parse and render.

The provider's pages say nothing about why a link does not work (expired, withdrawn, closed,
consent ended): one plain page, and the agency is the one to ask. They are never indexed,
cached, or named in a Referer header: pages without a form send no Referer, the packet page
(whose forms post back) sends only the origin, never the address with its secret.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from casebridge.access.policy import Action
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.services import record_print
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_page
from casebridge.formtools import apply_errors
from casebridge.inputs import local_moment, skipped_time_message
from casebridge.referrals import partner, queries
from casebridge.referrals.models import Referral, ReferralLink
from casebridge.referrals.packet import (
    Packet,
    PacketWithheld,
    packet_pdf,
    packet_refusal,
    referral_packet,
)
from casebridge.referrals.partner_forms import (
    AcceptForm,
    DeclineForm,
    LinkForm,
    OutcomeForm,
    ScheduleForm,
)
from casebridge.referrals.statuses import FINAL, PROVIDER_MOVES, ReferralStatus

# A page with a form posting back sends its origin and never its address: under "no-referrer"
# browsers send `Origin: null` with the post, which the CSRF check refuses (and over HTTPS it
# then asks for a Referer). Pages without a form send nothing at all.
WITH_FORMS = "strict-origin"


def _private(response: HttpResponse, referrer_policy: str = "no-referrer") -> HttpResponse:
    """A page with a secret address or a client's record: not indexed, kept or referred on."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = referrer_policy
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


def _referral(client: Client, referral_id: int) -> Referral:
    found = queries.referral_of(client, referral_id)
    if found is None:
        raise Http404
    return found


# --- Staff ------------------------------------------------------------------------------------


@login_required
@require_GET
def referral_packet_download(
    request: SignedInRequest, client_id: int, referral_id: int
) -> HttpResponse:
    # The packet is what goes out with the referral: handing it over is a disclosure.
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    referral = _referral(client, referral_id)
    try:
        packet = referral_packet(referral)
    except PacketWithheld as withheld:
        messages.error(request, str(withheld))
        return redirect("referral_detail", client_id=client.pk, referral_id=referral.pk)
    record_print(
        actor=request.user,
        client_id=client.pk,
        object_type="referral_packet",
        object_id=referral.pk,
        categories=packet.categories,
    )
    response = HttpResponse(packet_pdf(packet), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.pk}-packet.pdf"'
    return _private(response)


def _link_page(
    request: SignedInRequest, client: Client, referral: Referral, form: LinkForm, status: int = 200
) -> HttpResponse:
    context = client_page(
        request.user,
        client,
        "referrals",
        referral=referral,
        form=form,
        link=partner.live_link(referral) or referral.partner_links.first(),
        link_problem="",
        refusal=packet_refusal(referral),
    )
    if context["link"] is not None:
        context["link_problem"] = partner.link_problem(context["link"])
    return render(request, "referrals/partner/link_form.html", context, status=status)


@login_required
def referral_link(request: SignedInRequest, client_id: int, referral_id: int) -> HttpResponse:
    """Make a provider link: the form, and the address shown once when it is made."""
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    referral = _referral(client, referral_id)
    form = LinkForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _link_page(request, client, referral, form, 400 if form.is_bound else 200)
    try:
        link, address, emailed = partner.link_create(
            referral=referral,
            by=request.user,
            days=form.cleaned_data["days"],
            email=form.cleaned_data["email"] or "",
            address_of=lambda raw: request.build_absolute_uri(
                reverse("partner_referral", kwargs={"token": raw})
            ),
        )
    except ValidationError as error:
        apply_errors(form, error)
        return _link_page(request, client, referral, form, 400)
    context = client_page(
        request.user,
        client,
        "referrals",
        referral=referral,
        link=link,
        address=address,
        emailed=emailed,
        email=form.cleaned_data["email"],
    )
    return _private(render(request, "referrals/partner/link_made.html", context), WITH_FORMS)


@login_required
@require_POST
def referral_link_revoke(
    request: SignedInRequest, client_id: int, referral_id: int
) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    referral = _referral(client, referral_id)
    if partner.link_revoke(referral=referral, by=request.user):
        messages.success(request, "The provider's link no longer works.")
    else:
        messages.info(request, "There was no working link to withdraw.")
    return redirect("referral_detail", client_id=client.pk, referral_id=referral.pk)


# --- The provider -----------------------------------------------------------------------------


def _gone(request: HttpRequest, status: int) -> HttpResponse:
    return _private(render(request, "referrals/partner/gone.html", status=status))


def _usable(request: HttpRequest, token: str) -> ReferralLink | HttpResponse:
    """The working link for this address, or the page that says it does not work."""
    link = partner.link_find(token)
    if link is None:
        return _gone(request, 404)
    problem = partner.link_problem(link)
    if problem:
        partner.link_refused(link, problem)
        return _gone(request, 410)
    return link


def _forms(referral: Referral, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answers the provider may give from where the referral is now (PROVIDER_MOVES)."""
    moves = PROVIDER_MOVES.get(referral.status, frozenset())
    initial = {"version": referral.version}
    offered: dict[str, Any] = {}
    if ReferralStatus.ACCEPTED in moves:
        offered["accept"] = AcceptForm(initial=initial, prefix="accept")
    if ReferralStatus.REJECTED in moves:
        offered["decline"] = DeclineForm(initial=initial, prefix="decline")
    if ReferralStatus.IN_PROGRESS in moves:
        offered["schedule"] = ScheduleForm(initial=initial, prefix="schedule")
    if moves & {ReferralStatus.COMPLETED, ReferralStatus.FAILED}:
        offered["outcome"] = OutcomeForm(initial=initial, prefix="outcome")
    for name, form in (bound or {}).items():
        if name in offered:
            offered[name] = form
    return offered


def _page(
    request: HttpRequest,
    token: str,
    link: ReferralLink,
    *,
    status: int = 200,
    conflict: bool = False,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    referral = link.referral
    try:
        packet: Packet = referral_packet(referral)
    except PacketWithheld:
        return _gone(request, 410)
    partner.link_opened(link, packet.categories)
    # Staff's own words on a status are theirs, not the client's consented information: the
    # provider sees only what the provider said through the link (the appointment it gave).
    last = referral.events.order_by("-at", "-pk").first()
    said_here = last is not None and last.for_provider and last.by_id is None
    context = {
        "token": token,
        "referral": referral,
        "provider_detail": referral.status_detail if said_here else "",
        "packet": packet,
        "forms": _forms(referral, bound),
        "conflict": conflict,
        "answered": request.GET.get("answered") == "1" and not bound,
    }
    return _private(
        render(request, "referrals/partner/page.html", context, status=status), WITH_FORMS
    )


@require_GET
def partner_referral(request: HttpRequest, token: str) -> HttpResponse:
    found = _usable(request, token)
    if isinstance(found, HttpResponse):
        return found
    return _page(request, token, found)


FORMS = {
    "accept": AcceptForm,
    "decline": DeclineForm,
    "schedule": ScheduleForm,
    "outcome": OutcomeForm,
}


def _answer(link: ReferralLink, answer: str, data: dict[str, Any]) -> None:
    """Hand a valid form to the service; ValidationError names what is wrong."""
    version = data["version"]
    if answer == "accept":
        partner.partner_answer(link=link, to_status=ReferralStatus.ACCEPTED, version=version)
    elif answer == "decline":
        partner.partner_answer(
            link=link,
            to_status=ReferralStatus.REJECTED,
            version=version,
            reason=data["reason"],
            detail=data["detail"],
        )
    elif answer == "schedule":
        starts_at = local_moment(data["day"], data["time"])
        if starts_at is None:
            raise ValidationError({"time": skipped_time_message(data["day"], data["time"])})
        partner.partner_schedule(
            link=link, version=version, starts_at=starts_at, place=data["place"]
        )
    elif data["result"] == ReferralStatus.COMPLETED:
        partner.partner_answer(
            link=link,
            to_status=ReferralStatus.COMPLETED,
            version=version,
            outcome=data["outcome"],
            outcome_note=data["outcome_note"],
            detail=data["detail"],
        )
    else:
        partner.partner_answer(
            link=link,
            to_status=ReferralStatus.FAILED,
            version=version,
            reason=data["reason"],
            detail=data["detail"],
        )


@require_POST
def partner_respond(request: HttpRequest, token: str, answer: str) -> HttpResponse:
    found = _usable(request, token)
    if isinstance(found, HttpResponse):
        return found
    link = found
    form = FORMS[answer](request.POST, prefix=answer)
    if answer not in _forms(link.referral):
        # A page opened before the referral moved on: refuse, and show it as it is now.
        return _page(request, token, link, status=409, conflict=True)
    if not form.is_valid():
        if form.has_error("version"):
            return _page(request, token, link, status=409, conflict=True)
        return _page(request, token, link, status=400, bound={answer: form})
    try:
        _answer(link, answer, form.cleaned_data)
    except partner.LinkStopped:
        # It stopped working while the answer was on its way (expired, withdrawn, closed).
        partner.link_refused(link, "stopped while answering")
        return _gone(request, 410)
    except VersionConflict:
        again = _usable(request, token)
        if isinstance(again, HttpResponse):
            return again
        return _page(request, token, again, status=409, conflict=True)
    except ValidationError as error:
        apply_errors(form, error)
        return _page(request, token, link, status=400, bound={answer: form})
    if _status_now(link) in FINAL:
        # The link closes with the referral: the provider is thanked on a page that names nothing.
        return _private(redirect("partner_thanks"))
    return _private(redirect(reverse("partner_referral", kwargs={"token": token}) + "?answered=1"))


def _status_now(link: ReferralLink) -> str:
    return Referral.objects.values_list("status", flat=True).get(pk=link.referral_id)


@require_GET
def partner_thanks(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "referrals/partner/thanks.html"))
