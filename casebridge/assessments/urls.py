"""Measures URLs, under the client's id."""

from django.urls import path

from casebridge.assessments import views

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
]
