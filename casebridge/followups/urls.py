"""URLs of the followups app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
