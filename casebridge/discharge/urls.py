"""URLs of the discharge app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
