"""Application URLs, under the client's id."""

from django.urls import path

from casebridge.advocacy import views

C = "clients/<int:client_id>/applications/"
A = C + "<int:application_id>/"

urlpatterns = [
    path(C, views.application_list, name="application_list"),
    path(C + "new/", views.application_new, name="application_new"),
    path(A, views.application_detail, name="application_detail"),
    path(A + "move/", views.application_move, name="application_move"),
    path(A + "dates/", views.application_dates, name="application_dates"),
    path(A + "authorization/", views.application_authorization, name="application_authorization"),
    path(A + "appeal/", views.application_appeal, name="application_appeal"),
    path(A + "send/", views.application_send, name="application_send"),
]
