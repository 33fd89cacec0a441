"""URLs for signing in and out and two-factor."""

from django.contrib.auth import views as auth_views
from django.urls import path

from casebridge.accounts import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signed-out/", views.logged_out, name="logged_out"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("password/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
    path("password/done/", views.password_set_done, name="password_set_done"),
]
