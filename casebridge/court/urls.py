"""Court URLs: the client's Court tab, and each court's hearing calendar."""

from django.urls import path

from casebridge.court import views

C = "clients/<int:client_id>/court/"

urlpatterns = [
    path(C, views.court_record, name="court_record"),
    path(C + "enter/", views.court_enrol, name="court_enrol"),
    path(C + "move-up/", views.court_advance, name="court_advance"),
    path("courts/<int:court_id>/hearings/", views.court_hearings, name="court_hearings"),
]
