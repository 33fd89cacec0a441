"""Safety plan URLs, under the client's id; the on-call pages."""

from django.urls import path

from casebridge.safety import views

C = "clients/<int:client_id>/safety-plan/"
P = C + "<int:plan_id>/"

urlpatterns = [
    path(C, views.safety_plan_home, name="safety_plan_home"),
    path(C + "start/", views.safety_plan_start, name="safety_plan_start"),
    path(P, views.safety_plan_detail, name="safety_plan_detail"),
    path(P + "edit/", views.safety_plan_edit, name="safety_plan_edit"),
    path(P + "sign/", views.safety_plan_sign, name="safety_plan_sign"),
    path(P + "print/", views.safety_plan_print, name="safety_plan_print"),
    path(P + "pdf/", views.safety_plan_pdf, name="safety_plan_pdf"),
    path("on-call/", views.on_call, name="on_call"),
    path("on-call/find/", views.on_call_find, name="on_call_find"),
    path("on-call/log/", views.after_hours_new, name="after_hours_new"),
    path("on-call/clients/<int:client_id>/", views.on_call_client, name="on_call_client"),
    path("on-call/programs/<int:program_id>/", views.on_call_roster, name="on_call_roster"),
    path(
        "on-call/shifts/<int:shift_id>/handover/",
        views.on_call_handover,
        name="on_call_handover",
    ),
    path(
        "on-call/shifts/<int:shift_id>/remove/",
        views.on_call_shift_remove,
        name="on_call_shift_remove",
    ),
]
