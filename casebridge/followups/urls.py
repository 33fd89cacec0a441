"""Follow-up URLs: the staff's due list, the client's Follow-up tab, and the continuity
measures."""

from django.urls import path

from casebridge.followups import views

C = "clients/<int:client_id>/follow-up/"
F = C + "<int:follow_up_id>/"

urlpatterns = [
    path("follow-ups/", views.followup_due, name="followup_due"),
    path("continuity/measures/", views.continuity_measures, name="continuity_measures"),
    path(C, views.followup_client, name="followup_client"),
    path(F + "attempt/", views.followup_attempt, name="followup_attempt"),
    path(
        F + "attempts/<int:attempt_id>/edit/",
        views.followup_attempt_edit,
        name="followup_attempt_edit",
    ),
    path(F + "outcome/", views.followup_outcome, name="followup_outcome"),
]
