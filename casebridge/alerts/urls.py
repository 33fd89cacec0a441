from django.urls import path

from casebridge.alerts import views

urlpatterns = [
    path("my-day/", views.my_day, name="my_day"),
    path("my-day/alerts/", views.my_day_alerts, name="my_day_alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("clients/<int:client_id>/alerts/", views.client_alerts, name="client_alerts"),
    path("clients/<int:client_id>/concerns/new/", views.concern_new, name="concern_new"),
]

urlpatterns += [
    path("team/today/", views.team_day, name="team_day"),
    path("team/move/<int:manager_id>/", views.team_move, name="team_move"),
]

urlpatterns += [
    path("account/notifications/", views.notification_settings, name="notification_settings"),
]
