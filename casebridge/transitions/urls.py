"""URLs of the transitions app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
