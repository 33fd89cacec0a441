"""Discharge URLs, under the client's id: the Discharge tab, the aftercare plan and the
discharge summaries. Nothing about the client travels in the address but ids."""

from django.urls import path

from casebridge.discharge import views

C = "clients/<int:client_id>/discharge/"
S = C + "summaries/<int:summary_id>/"

urlpatterns = [
    path(C, views.discharge_home, name="discharge_home"),
    path(C + "aftercare/", views.aftercare_edit, name="aftercare_edit"),
    path(C + "aftercare/pdf/", views.aftercare_pdf, name="aftercare_pdf"),
    path(C + "summaries/start/", views.summary_start, name="discharge_summary_start"),
    path(S, views.summary_detail, name="discharge_summary_detail"),
    path(S + "edit/", views.summary_edit, name="discharge_summary_edit"),
    path(S + "finalise/", views.summary_finalise, name="discharge_summary_finalise"),
    path(S + "pdf/", views.summary_pdf, name="discharge_summary_pdf"),
    path(S + "send/", views.summary_send, name="discharge_summary_send"),
]
