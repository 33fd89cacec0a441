"""Care plan URLs, under the client's id; the task list; the plans API."""

from django.urls import path

from casebridge.plans import api, views

C = "clients/<int:client_id>/plan/"
P = C + "<int:plan_id>/"

urlpatterns = [
    path(C, views.plan_home, name="plan_home"),
    path(C + "start/", views.plan_start, name="plan_start"),
    path(C + "compare/", views.plan_compare, name="plan_compare"),
    path(P, views.plan_detail, name="plan_detail"),
    path(P + "<slug:kind>/new/", views.plan_element, name="plan_element_new"),
    path(P + "<slug:kind>/<int:element_id>/", views.plan_element, name="plan_element_edit"),
    path(
        P + "<slug:kind>/<int:element_id>/remove/",
        views.plan_element_remove,
        name="plan_element_remove",
    ),
    path(P + "sign/", views.plan_sign, name="plan_sign"),
    path(P + "revise/", views.plan_revise, name="plan_revise"),
    path(P + "close/", views.plan_close, name="plan_close"),
    path(P + "review/", views.plan_review, name="plan_review"),
    path(P + "print/", views.plan_print, name="plan_print"),
    path(P + "pdf/", views.plan_pdf, name="plan_pdf"),
    path("clients/<int:client_id>/tasks/<int:task_id>/close/", views.task_close, name="task_close"),
    path("clients/<int:client_id>/tasks/take-over/", views.task_take_over, name="task_take_over"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("api/v1/clients/<int:client_id>/plans/", api.plan_list, name="api_plan_list"),
    path(
        "api/v1/clients/<int:client_id>/plans/<int:plan_id>/",
        api.plan_item,
        name="api_plan_item",
    ),
    path(
        "api/v1/clients/<int:client_id>/plans/<int:plan_id>/fhir/",
        api.plan_fhir,
        name="api_plan_fhir",
    ),
]
