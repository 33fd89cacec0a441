"""Client URLs: ids only, never names."""

from django.urls import path

from casebridge.clients import api, views

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("team/", views.team, name="team"),
    path("emergency-access/", views.emergency_access, name="emergency_access"),
    path("clients/new/", views.client_register, name="client_register"),
    path("clients/<int:client_id>/", views.client_overview, name="client_overview"),
    path("clients/<int:client_id>/timeline/", views.client_timeline, name="client_timeline"),
    path("clients/<int:client_id>/details/", views.client_edit, name="client_edit"),
    path("clients/<int:client_id>/stage/", views.client_move_stage, name="client_move_stage"),
    path("clients/<int:client_id>/assignment/", views.client_assign, name="client_assign"),
    path("clients/<int:client_id>/contacts/", views.collateral_list, name="collateral_list"),
    path("clients/<int:client_id>/contacts/new/", views.collateral_add, name="collateral_add"),
    path(
        "clients/<int:client_id>/contacts/<int:collateral_id>/",
        views.collateral_edit,
        name="collateral_edit",
    ),
    path("clients/<int:client_id>/flags/", views.flag_raise, name="flag_raise"),
    path("clients/<int:client_id>/flags/<int:flag_id>/clear/", views.flag_clear, name="flag_clear"),
    path("api/v1/clients/<int:client_id>/fhir/Patient/", api.patient_fhir, name="api_patient_fhir"),
]
