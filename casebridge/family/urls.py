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
    path("clients/<int:client_id>/family/", views.family_client, name="family_client"),
    path(
        "clients/<int:client_id>/family/contacts/",
        views.family_contact_add,
        name="family_contact_add",
    ),
    path("clients/<int:client_id>/family/groups/", views.family_group_add, name="family_group_add"),
]
