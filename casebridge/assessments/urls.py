"""Measures URLs, under the client's id."""

from django.urls import path

from casebridge.assessments import api, views

urlpatterns = [
    path("clients/<int:client_id>/measures/", views.measures, name="measures"),
    path(
        "clients/<int:client_id>/measures/<slug:code>/new/", views.measure_new, name="measure_new"
    ),
    path(
        "clients/<int:client_id>/measures/result/<int:response_id>/",
        views.measure_result,
        name="measure_result",
    ),
    path("clients/<int:client_id>/assessments/", views.assessment_list, name="assessment_list"),
    path("clients/<int:client_id>/assessments/new/", views.assessment_new, name="assessment_new"),
    path(
        "clients/<int:client_id>/assessments/<int:assessment_id>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path(
        "clients/<int:client_id>/assessments/<int:assessment_id>/edit/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path(
        "clients/<int:client_id>/assessments/<int:assessment_id>/print/",
        views.assessment_print,
        name="assessment_print",
    ),
    path(
        "api/v1/fhir/Questionnaire/<slug:questionnaire_id>/",
        api.questionnaire_fhir,
        name="api_questionnaire_fhir",
    ),
    path(
        "api/v1/clients/<int:client_id>/measures/<int:response_id>/fhir/QuestionnaireResponse/",
        api.response_fhir,
        name="api_measure_response_fhir",
    ),
    path(
        "api/v1/clients/<int:client_id>/measures/<int:response_id>/fhir/Observation/",
        api.observation_fhir,
        name="api_measure_observation_fhir",
    ),
]
