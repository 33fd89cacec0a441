"""Court URLs: the client's Court tab, each court's hearing calendar, and each hearing's
staffing report."""

from django.urls import path

from casebridge.court import team_views, views

C = "clients/<int:client_id>/court/"
H = "courts/<int:court_id>/hearings/<int:hearing_id>/staffing/"

urlpatterns = [
    path(C, views.court_record, name="court_record"),
    path(C + "enter/", views.court_enrol, name="court_enrol"),
    path(C + "move-up/", views.court_advance, name="court_advance"),
    path(C + "responses/", views.court_respond, name="court_respond"),
    path(C + "end/", views.court_end, name="court_end"),
    path(C + "team/", views.court_team, name="court_team"),
    path(C + "call-ins/", views.court_call_in, name="court_call_in"),
    path("courts/<int:court_id>/hearings/", views.court_hearings, name="court_hearings"),
    path("courts/<int:court_id>/measures/", views.court_measures, name="court_measures"),
    path("courts/<int:court_id>/testing-line/", views.court_line, name="court_line"),
    path(H, views.hearing_staffing, name="hearing_staffing"),
    path(H + "<int:participant_id>/", views.staffing_recommend, name="staffing_recommend"),
    path(H + "report.pdf", views.staffing_release, name="staffing_release"),
    # A court team member's read-only account.
    path("court-team/", team_views.court_team_home, name="court_team_home"),
    path(
        "court-team/hearings/<int:hearing_id>/",
        team_views.court_team_hearing,
        name="court_team_hearing",
    ),
]
