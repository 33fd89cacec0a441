"""Coaching URLs."""

from django.urls import path

from casebridge.coaching import views

urlpatterns = [
    path("clients/<int:client_id>/coaching/", views.coaching_client, name="coaching_client"),
    path("coaching/today/", views.coach_day, name="coach_day"),
]
