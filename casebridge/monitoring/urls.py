"""Monitoring URLs, under the client's id: the contact log (notes and coaching sessions) and
check-ins. ("contacts/" is the people around the client, in clients.)"""

from django.urls import path

from casebridge.monitoring import views

C = "clients/<int:client_id>/"
N = C + "notes/<int:note_id>/"

urlpatterns = [
    path(C + "contact-log/", views.contact_log, name="contact_log"),
    path(C + "notes/new/", views.note_new, name="note_new"),
    path(N, views.note_detail, name="note_detail"),
    path(N + "edit/", views.note_edit, name="note_edit"),
    path(N + "cosign/", views.note_cosign, name="note_cosign"),
    path(N + "addendum/", views.note_addendum, name="note_addendum"),
    path(C + "coaching/new/", views.coaching_new, name="coaching_new"),
    path(C + "check-ins/", views.check_in_list, name="check_in_list"),
    path(C + "check-ins/new/", views.check_in_new, name="check_in_new"),
]
