"""Signing in and out, and two-factor set-up and verification."""

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django_otp import login as otp_login

from casebridge.accounts import queries
from casebridge.accounts.forms import ApiTokenForm, SignInForm, TokenForm
from casebridge.accounts.http import SignedInRequest
from casebridge.accounts.services import (
    TwoFactorSessionRequired,
    api_token_create,
    api_token_revoke,
    staff_change_confirm,
    staff_change_refuse,
    totp_confirm,
    totp_device_for_setup,
    totp_verify,
)
from casebridge.audit.services import audit_record
from casebridge.formtools import apply_errors, error_text
from casebridge.inputs import BoundedForm, parse_id


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


def _session_is_verified(request: SignedInRequest) -> bool:
    """Whether this session passed two-factor sign-in (django-otp's OTPMiddleware says so)."""
    return bool(getattr(request.user, "is_verified", lambda: False)())


@login_required
def two_factor_verify(request: SignedInRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = totp_verify(user=request.user, token=form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect("home")
        form.add_error(
            "token", "That code did not match. Codes change every 30 seconds; try the newest one."
        )
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def two_factor_setup(request: SignedInRequest) -> HttpResponse:
    """Set up an authenticator app: a first one after the password, or a replacement from a
    session that already passed two-factor sign-in (see totp_device_for_setup)."""
    verified = _session_is_verified(request)
    form = TokenForm(request.POST or None)
    try:
        device = totp_device_for_setup(user=request.user, verified=verified)
        if request.method == "POST" and form.is_valid():
            token = form.cleaned_data["token"].strip()
            if totp_confirm(device=device, token=token, verified=verified):
                otp_login(request, device)
                messages.success(request, "Your authenticator app is set up.")
                return redirect("home")
            form.add_error(
                "token", "That code did not match. Check the time on your phone and try again."
            )
    except TwoFactorSessionRequired as refusal:
        messages.error(request, str(refusal))
        return redirect("two_factor_verify")
    except ValidationError as error:
        # Another tab confirmed this very device a moment ago; its secret is not shown again.
        messages.error(request, " ".join(error.messages))
        return redirect("two_factor_verify")
    context: dict[str, Any] = {
        "form": form,
        "qr": _qr_data_uri(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode(),
        "replacing": verified,
    }
    return render(request, "accounts/two_factor_setup.html", context)


def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/logged_out.html")


@login_required
def api_tokens(request: SignedInRequest) -> HttpResponse:
    """Personal API tokens: make one (its secret is shown once, on this response) or revoke one."""
    form = ApiTokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and "revoke" in request.POST:
        token = queries.token_of(request.user, request.POST.get("revoke"))
        if token is not None:
            api_token_revoke(token=token, by=request.user)
            messages.success(request, f"Token “{token.name}” revoked.")
        return redirect("api_tokens")
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                two_factor=bool(getattr(request.user, "is_verified", lambda: False)()),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": queries.tokens_of(request.user),
            "now": timezone.now(),
        },
    )


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The person sets their own password from the link they were emailed."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("password_set_done")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=form.user,
            action="update",
            object_type="accounts.user",
            object_id=form.user.pk,
            changes={"password": [None, "set by the person from an emailed link"]},
        )
        return response


def password_set_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_set_done.html")


class StaffChangeDecisionForm(BoundedForm, forms.Form):
    note = forms.CharField(
        label="Note (needed to refuse)",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"maxlength": 300}),
    )


@login_required
def staff_changes(request: SignedInRequest) -> HttpResponse:
    """Changes to staff access waiting for a second person, and those decided lately."""
    if not queries.may_see_staff_changes(request.user):
        raise Http404
    if request.method == "POST":
        change_id = parse_id(request.POST.get("change"))
        change = queries.staff_change_of(request.user, change_id) if change_id is not None else None
        if change is None:
            raise Http404
        form = StaffChangeDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, error_text(form, "note"))
            return redirect("staff_changes")
        note = form.cleaned_data["note"]
        try:
            if "confirm" in request.POST:
                staff_change_confirm(change=change, by=request.user, note=note)
                messages.success(
                    request, f"Confirmed: {change.user.display_name}'s access changed."
                )
            else:
                staff_change_refuse(change=change, by=request.user, note=note)
                messages.success(
                    request, f"Refused: {change.user.display_name}'s access stays as it was."
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("staff_changes")
    waiting, decided = queries.staff_changes(request.user)
    return render(
        request,
        "accounts/staff_changes.html",
        {"waiting": waiting, "decided": decided, "form": StaffChangeDecisionForm()},
    )
