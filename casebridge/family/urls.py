"""Intervention planning URLs."""

from django.urls import path

from casebridge.family import views

P = "interventions/<int:plan_id>/"

urlpatterns = [
    path("interventions/", views.plan_list, name="intervention_plans"),
    path("interventions/new/", views.plan_new, name="intervention_new"),
    path(P, views.plan_detail, name="intervention_plan"),
    path(P + "day/", views.plan_edit, name="intervention_edit"),
    path(P + "people/", views.person_add, name="intervention_person_add"),
    path(P + "people/<int:person_id>/", views.person_edit, name="intervention_person"),
    path(P + "sessions/", views.session_add, name="intervention_session"),
    path(P + "outcome/", views.plan_outcome, name="intervention_outcome"),
]
