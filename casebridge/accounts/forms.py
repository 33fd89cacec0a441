"""Sign-in and two-factor forms."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from casebridge.inputs import BoundedForm


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label="Username",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "That username and password do not match. Check both and try again.",
        "inactive": "This account is switched off. Ask your program administrator.",
    }


class TokenForm(forms.Form):
    token = forms.RegexField(
        label="6-digit code from your authenticator app",
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ApiTokenForm(BoundedForm, forms.Form):
    name = forms.CharField(
        label="What will use it",
        max_length=100,
        required=False,
        help_text="e.g. 'Reporting spreadsheet' or 'Court liaison system'.",
    )
    days = forms.IntegerField(
        label="Days until it stops working", min_value=1, max_value=365, initial=90
    )
    internal_use = forms.BooleanField(
        label="I will use this token myself, inside our program, and give it to no one else",
        required=True,
        error_messages={
            "required": "Tokens are for your own use inside the program. Sharing records with "
            "another organisation goes through a consent and a disclosure instead."
        },
    )
